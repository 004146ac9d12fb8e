"""An agent's own settings: name, language, signatures, password. Every change is audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import Language, SendShortcut, User
from omnicanal.core.exceptions import InvalidInput
from omnicanal.core.text import has_poison

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# The channel kinds an agent may sign on, with how the profile page names them. The e-mail
# signature is what customers expect under every e-mail reply (Zendesk, Chatwoot); on chat
# and text messages one is rarer, so those stay empty unless the agent writes one. Kinds
# are the conversations app's channel values, spelled here because accounts sits below it.
SIGNATURE_CHANNELS: dict[str, _StrPromise] = {
    "email": _("E-mail"),
    "webchat": _("Web chat"),
    "sms": _("SMS"),
    "whatsapp": _("WhatsApp"),
}
SIGNATURE_MAX_LENGTH = 1000
NAME_MAX_LENGTH = 150


def signature_for(user: User | None, channel: str) -> str:
    """The signature `user` appends to replies on `channel`; empty when there is none."""
    if user is None or channel not in SIGNATURE_CHANNELS:
        return ""
    value = (user.signatures or {}).get(channel, "")
    return value.strip() if isinstance(value, str) else ""


def _clean_signatures(signatures: Mapping[str, str]) -> dict[str, str]:
    cleaned = {}
    for channel, text in signatures.items():
        if channel not in SIGNATURE_CHANNELS:
            raise InvalidInput(_("There is no signature for the channel %(channel)s."),
                               channel=channel)
        # Trailing spaces and the blank lines agents leave under a signature are not sent.
        text = "\n".join(line.rstrip() for line in text.strip().splitlines())
        if has_poison(text):
            raise InvalidInput(_("The signature holds characters that cannot be stored."))
        if len(text) > SIGNATURE_MAX_LENGTH:
            raise InvalidInput(_("A signature is at most %(limit)s characters long."),
                               limit=SIGNATURE_MAX_LENGTH)
        if text:
            cleaned[channel] = text
    return cleaned


def update_profile(
    user: User, *, name: str, language: str, signatures: Mapping[str, str]
) -> list[str]:
    """Save what the agent changed on their profile; returns the names of the changed fields
    (an unchanged form writes nothing and audits nothing)."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Your name cannot be empty."))
    if has_poison(name) or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(_("A name is at most %(limit)s characters long."),
                           limit=NAME_MAX_LENGTH)
    if language not in Language.values:
        raise InvalidInput(_("Choose French or English."))
    new = {"name": name, "language": language, "signatures": _clean_signatures(signatures)}
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        changed = [field for field, value in new.items() if getattr(stored, field) != value]
        if not changed:
            return []
        for field in changed:
            setattr(stored, field, new[field])
            # The caller's instance (request.user) shows the change in this very response.
            setattr(user, field, new[field])
        stored.save(update_fields=changed)
        # Names of the fields, not their values: a signature may hold a phone number.
        record_audit(user, "profile.updated", user, fields=changed)
    return changed


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password after checking the current one and Django's validators. The caller
    keeps the session alive (`update_session_auth_hash`): the agent stays logged in here,
    other sessions end."""
    if not user.check_password(current):
        raise InvalidInput(_("Your current password is not correct."))
    try:
        validate_password(new, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        # Never the password, nor its hash.
        record_audit(user, "profile.password_changed", user)


def set_send_shortcut(user: User, shortcut: str) -> bool:
    """Which key sends from the composer (Enter or Ctrl+Enter); True when it changed."""
    if shortcut not in SendShortcut.values:
        raise InvalidInput(_("Choose Enter or Ctrl+Enter."))
    if user.send_shortcut == shortcut:
        return False
    User.objects.filter(pk=user.pk).update(send_shortcut=shortcut)
    user.send_shortcut = shortcut
    record_audit(user, "profile.updated", user, fields=["send_shortcut"])
    return True
