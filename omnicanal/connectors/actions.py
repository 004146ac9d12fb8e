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
from omnicanal.connectors.base import (
    CheckResult,
    SendError,
    SettingsProblem,
    TestDelivery,
    is_storable,
    settings_problems,
)
from omnicanal.connectors.registry import adapter_for, channel_kinds
from omnicanal.conversations.actions import delete_inbox_conversations
from omnicanal.conversations.models import Inbox, new_inbox_secret
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
    name = _check_name(name)
    stored = check_settings(channel, settings)
    with transaction.atomic():
        inbox = Inbox.objects.create(
            name=name, channel=channel, settings=stored, is_active=is_active
        )
        # The keys, never the values: some are secrets.
        record_audit(actor, "inbox.created", inbox, channel=channel, settings=sorted(stored))
    return inbox


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_("The inbox needs a name."))
    if not is_storable(name):
        raise InvalidInput(_("The name contains a NUL character or an unpaired surrogate."))
    return name[:100]


def _locked_inbox(inbox_id: int) -> Inbox:
    inbox = Inbox.objects.select_for_update().filter(pk=inbox_id).first()
    if inbox is None:
        raise NotFound(_("No inbox %(id)s."), id=inbox_id)
    return inbox


def update_inbox(
    actor: User | None, inbox_id: int, *, name: str | None = None,
    settings: Mapping[str, Any] | None = None, is_active: bool | None = None,
) -> Inbox:
    """Change an inbox's name, some of its settings and whether it is active, together
    (each only when given). Settings: each key given replaces the stored one, a key given
    as null is removed, and a secret sent back masked ("********", as it was shown) keeps
    its stored value; the result is checked as a whole.

    A disabled inbox receives nothing (webhooks answer 404, IMAP is not fetched, the widget
    does not load) and sends nothing (a reply fails at once, saying so); its conversations
    stay readable."""
    if actor is not None:
        require_administrator(actor)
    new_name = _check_name(name) if name is not None else None
    with transaction.atomic():
        inbox = _locked_inbox(inbox_id)
        fields: list[str] = []
        if new_name is not None and new_name != inbox.name:
            record_audit(actor, "inbox.renamed", inbox, previous=inbox.name, name=new_name)
            inbox.name = new_name
            fields.append("name")
        if settings is not None:
            merged = dict(inbox.settings)
            for key, value in settings.items():
                if value is None:
                    merged.pop(key, None)
                elif value == MASK and key in merged:
                    continue
                else:
                    merged[key] = value
            inbox.settings = check_settings(inbox.channel, merged)
            fields.append("settings")
            # The keys, never the values: some are secrets.
            record_audit(actor, "inbox.settings_changed", inbox, settings=sorted(settings))
        if is_active is not None and is_active != inbox.is_active:
            inbox.is_active = is_active
            fields.append("is_active")
            record_audit(actor, "inbox.enabled" if is_active else "inbox.disabled", inbox)
        if fields:
            inbox.save(update_fields=fields)
    return inbox


def update_inbox_settings(
    actor: User | None, inbox_id: int, changes: Mapping[str, Any]
) -> Inbox:
    """Change some of an inbox's settings (see `update_inbox`)."""
    return update_inbox(actor, inbox_id, settings=changes)


def set_inbox_active(actor: User | None, inbox_id: int, is_active: bool) -> Inbox:
    """Enable or disable an inbox (see `update_inbox` for what a disabled inbox does)."""
    return update_inbox(actor, inbox_id, is_active=is_active)


def delete_inbox(actor: User | None, inbox_id: int, *, confirmation: str = "") -> int:
    """Delete an inbox; returns how many conversations went with it.

    An inbox without conversations goes at once. One with conversations takes them with
    it — their messages and attachments too, for good — so the administrator must type the
    inbox's name as `confirmation` (as Chatwoot asks); disabling keeps the history instead.
    """
    if actor is not None:
        require_administrator(actor)
    with transaction.atomic():
        inbox = _locked_inbox(inbox_id)
        count = inbox.conversations.count()
        if count and confirmation.strip() != inbox.name:
            raise InvalidInput(
                _("Type the inbox's name, %(name)s, to delete it with its conversations."),
                name=inbox.name,
            )
        # Also when there are none: it refuses if replies elsewhere went through the inbox.
        deleted = delete_inbox_conversations(inbox.pk)
        record_audit(actor, "inbox.deleted", inbox, name=inbox.name, channel=inbox.channel,
                     conversations=deleted)
        inbox.delete()
    return deleted


def regenerate_inbox_secret(actor: User | None, inbox_id: int) -> tuple[Inbox, str]:
    """A new signing secret for the inbox; returned once, to be shown once. What we sign
    with the old one (API webhooks) stops verifying at the receiver until it is updated."""
    if actor is not None:
        require_administrator(actor)
    with transaction.atomic():
        inbox = _locked_inbox(inbox_id)
        inbox.secret = new_inbox_secret()
        inbox.save(update_fields=["secret"])
        record_audit(actor, "inbox.secret_regenerated", inbox)
    return inbox, inbox.secret


def _inbox_for(actor: User, inbox_id: int) -> Inbox:
    require_administrator(actor)
    inbox = Inbox.objects.filter(pk=inbox_id).first()
    if inbox is None:
        raise NotFound(_("No inbox %(id)s."), id=inbox_id)
    return inbox


def send_test_event(actor: User, inbox_id: int) -> TestDelivery:
    """POST a signed test event where the inbox's replies go, now (the administrator's own
    request, so no task): what the receiver answered, or why it could not be reached."""
    inbox = _inbox_for(actor, inbox_id)
    adapter = adapter_for(inbox.channel)
    if not adapter.can_send_test_event:
        raise InvalidInput(_("This channel sends no test event."))
    if not inbox.settings.get("webhook_url"):
        raise InvalidInput(_("Set the webhook URL first."))
    try:
        return adapter.send_test_event(
            {**inbox.settings, "secret": inbox.secret, "inbox_id": inbox.pk}
        )
    except SendError as exc:
        return TestDelivery(None, exc.message)


def register_webhook(actor: User, inbox_id: int, webhook_url: str) -> str:
    """Tell the provider to deliver the inbox's events to `webhook_url` (Telegram's
    setWebhook, with the inbox's secret token): the provider's answer, or InvalidInput with
    its refusal."""
    inbox = _inbox_for(actor, inbox_id)
    adapter = adapter_for(inbox.channel)
    if not adapter.can_register_webhook:
        raise InvalidInput(_("This channel's webhook is set at the provider, by hand."))
    try:
        answer = adapter.register_webhook(inbox.settings, webhook_url)
    except SendError as exc:
        raise InvalidInput(_("The provider refused: %(reason)s"), reason=exc.message) from None
    record_audit(actor, "inbox.webhook_registered", inbox, url=webhook_url)
    return answer


def check_connection(
    actor: User, channel: str, settings: Mapping[str, Any], inbox_id: int | None = None
) -> list[CheckResult]:
    """"Test connection": really connect to the servers these settings name (for an
    existing inbox, a secret left out or masked is the stored one); one result each.
    Nothing is saved. InvalidSettings when the settings themselves are refused."""
    require_administrator(actor)
    if channel not in channel_kinds() or not adapter_for(channel).can_check_connection:
        raise InvalidInput(_("This channel has no connection to test."))
    merged: dict[str, Any] = {}
    if inbox_id is not None:
        inbox = _inbox_for(actor, inbox_id)
        if inbox.channel != channel:
            raise InvalidInput(_("This inbox is of another channel."))
        merged.update(inbox.settings)
    secrets = adapter_for(channel).schema_for({**merged, **settings}).secret_fields()
    for key, value in settings.items():
        if value is None or (value in ("", MASK) and key in secrets):
            continue
        merged[key] = value
    stored = check_settings(channel, merged)
    return adapter_for(channel).check_connection(stored)
