"""A notification's sentence in the reader's language, from what was stored with it."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from omnicanal.notifications.models import Kind, Notification

# The SLA targets the routing app's clocks use; another value shows as stored.
_SLA_TARGETS = {
    "first_response": gettext_lazy("first response"),
    "next_response": gettext_lazy("next response"),
    "resolution": gettext_lazy("resolution"),
}


def _moment(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _conversation_label(notification: Notification) -> str:
    conversation = notification.conversation
    if conversation is None:
        return ""
    return gettext("#%(number)s “%(title)s”") % {
        "number": conversation.pk, "title": conversation.title,
    }


def _contact_name(notification: Notification) -> str:
    # Read from the contact rather than copied into the notification: a renamed or erased
    # contact is not left behind in agents' bells.
    conversation = notification.conversation
    return conversation.contact.display_name if conversation is not None else gettext(
        "the customer"
    )


def notification_text(notification: Notification) -> str:
    """Plain text (the template escapes it); names come from people, never trusted."""
    params = notification.params or {}
    actor = notification.actor.display_name if notification.actor else gettext("Omnicanal")
    conversation = _conversation_label(notification)
    kind = notification.kind
    if kind == Kind.ASSIGNED:
        return gettext("%(actor)s assigned you conversation %(conversation)s") % {
            "actor": actor, "conversation": conversation,
        }
    if kind == Kind.MENTIONED:
        return gettext("%(actor)s mentioned you in conversation %(conversation)s") % {
            "actor": actor, "conversation": conversation,
        }
    if kind == Kind.NEW_MESSAGE:
        return ngettext(
            "New message from %(contact)s in conversation %(conversation)s",
            "%(count)d new messages from %(contact)s in conversation %(conversation)s",
            notification.count,
        ) % {
            "count": notification.count,
            "contact": _contact_name(notification),
            "conversation": conversation,
        }
    if kind in (Kind.SLA_WARNING, Kind.SLA_BREACHED):
        target = str(params.get("target", ""))
        values = {
            "target": str(_SLA_TARGETS.get(target, target)),
            "due": _moment(params.get("due_at")),
            "conversation": conversation,
        }
        if kind == Kind.SLA_WARNING:
            return gettext(
                "SLA: the %(target)s of conversation %(conversation)s is due at %(due)s"
            ) % values
        return gettext(
            "SLA missed: the %(target)s of conversation %(conversation)s was due at %(due)s"
        ) % values
    if kind == Kind.AUTOMATION:
        return str(params.get("text", "")) or gettext("An automation rule notified you")
    return kind
