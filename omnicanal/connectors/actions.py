"""Inboxes: creating one and changing its settings, each checked against the channel's
schema (its adapter's), so that a wrong setting is refused when it is saved, naming the
field and the reason, rather than failing at the first send days later.

The API, the demo data and any settings page call these; nothing else writes
`Inbox.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db import transaction
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.connectors.base import SettingsProblem, is_storable, settings_problems
from omnicanal.connectors.registry import adapter_for, channel_kinds
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import InvalidInput, NotFound

# What a masked secret reads as; sent back unchanged, it keeps the stored value.
MASK = "********"


class InvalidSettings(InvalidInput):
    """Settings the channel's schema refuses; `problems` names each field and why."""

    def __init__(self, problems: list[SettingsProblem]) -> None:
        super().__init__(_("The inbox settings are not valid: %(problems)s"))
        self.problems = problems

    @property
    def message(self) -> str:
        # Rendered when read, in the reader's language, like every DomainError.
        listed = "; ".join(f"{p.field}: {p.reason}" for p in self.problems)
        return str(_("The inbox settings are not valid: %(problems)s") % {"problems": listed})


def _lazy_format(message: Promise, **values: Any) -> Promise:
    """A translated message with its values, rendered in the language of whoever reads it."""
    return cast(Promise, lazy(lambda: str(message) % values, str)())


def check_settings(channel: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings as they will be stored (the keys given, values normalised by the
    schema: an address lower-cased...), or InvalidSettings naming every problem."""
    if channel not in channel_kinds():
        raise InvalidSettings(
            [SettingsProblem("channel", _lazy_format(
                _("Unknown channel; one of %(kinds)s."), kinds=", ".join(channel_kinds())
            ))]
        )
    bad_keys = [key for key in settings if not is_storable(key)]
    if bad_keys:
        raise InvalidSettings([SettingsProblem(
            "settings", _("A setting's name contains a NUL character or an unpaired surrogate.")
        )])
    try:
        parsed = adapter_for(channel).validate_settings(settings)
    except ValidationError as exc:
        raise InvalidSettings(settings_problems(exc)) from None
    stored: dict[str, Any] = parsed.model_dump(mode="json", exclude_unset=True)
    return stored


def masked_settings(inbox: Inbox) -> dict[str, Any]:
    """The inbox's settings as they may be shown or returned: secrets masked."""
    adapter = adapter_for(inbox.channel)
    return adapter.schema_for(inbox.settings).masked(inbox.settings)


def create_inbox(
    actor: User | None, *, name: str, channel: str, settings: Mapping[str, Any],
    is_active: bool = True,
) -> Inbox:
    """A new inbox (administrators; `actor` None for the system: demo data, commands)."""
    if actor is not None:
        require_administrator(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("The inbox needs a name."))
    if not is_storable(name):
        raise InvalidInput(_("The name contains a NUL character or an unpaired surrogate."))
    stored = check_settings(channel, settings)
    with transaction.atomic():
        inbox = Inbox.objects.create(
            name=name[:100], channel=channel, settings=stored, is_active=is_active
        )
        # The keys, never the values: some are secrets.
        record_audit(actor, "inbox.created", inbox, channel=channel, settings=sorted(stored))
    return inbox


def update_inbox_settings(
    actor: User | None, inbox_id: int, changes: Mapping[str, Any]
) -> Inbox:
    """Change some of an inbox's settings: each key given replaces the stored one, a key
    given as null is removed, and a secret sent back masked ("********", as it was shown)
    keeps its stored value. The result is checked as a whole."""
    if actor is not None:
        require_administrator(actor)
    with transaction.atomic():
        inbox = Inbox.objects.select_for_update().filter(pk=inbox_id).first()
        if inbox is None:
            raise NotFound(_("No inbox %(id)s."), id=inbox_id)
        merged = dict(inbox.settings)
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            elif value == MASK and key in merged:
                continue
            else:
                merged[key] = value
        inbox.settings = check_settings(inbox.channel, merged)
        inbox.save(update_fields=["settings"])
        record_audit(actor, "inbox.settings_changed", inbox, settings=sorted(changes))
    return inbox
