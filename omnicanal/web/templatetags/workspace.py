"""Small display helpers for the workspace templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy

from omnicanal.contacts.senders import IdentityKind
from omnicanal.conversations.models import Message, Priority, Status
from omnicanal.routing.automation import AUTOMATION_EMAIL

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """The translated label of a conversation status value ("resolved" → "Résolue")."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def activity_text(message: Message) -> str:
    """An activity line in the agent's language, from the metadata the action recorded.

    Returned unescaped on purpose: names come from users, and the template escapes.
    """
    metadata = message.metadata or {}
    activity = metadata.get("activity", "")
    value = str(metadata.get("value", ""))
    actor = message.author.display_name if message.author else gettext("Omnicanal")
    if message.author and message.author.email == AUTOMATION_EMAIL:
        actor = gettext("Automation")
    if activity == "rule":
        return gettext("Rule %(rule)s: applied automatically") % {"rule": value}
    if activity == "assigned":
        return gettext("%(actor)s assigned the conversation to %(assignee)s") % {
            "actor": actor,
            "assignee": value,
        }
    if activity == "team":
        return gettext("%(actor)s assigned the conversation to the team %(team)s") % {
            "actor": actor,
            "team": value,
        }
    if activity == "unassigned":
        return gettext("%(actor)s unassigned the conversation") % {"actor": actor}
    if activity == "labeled":
        return gettext("%(actor)s added the label %(label)s") % {"actor": actor, "label": value}
    if activity == "unlabeled":
        return gettext("%(actor)s removed the label %(label)s") % {"actor": actor, "label": value}
    if activity == "priority":
        try:
            priority = str(Priority(int(value)).label)
        except ValueError:
            priority = value
        return gettext("%(actor)s set the priority to %(priority)s") % {
            "actor": actor,
            "priority": priority,
        }
    if activity == "status":
        if value == "woke":
            return gettext("The conversation woke up from its snooze")
        if value == "snoozed":
            return gettext("%(actor)s snoozed the conversation until the customer replies") % {
                "actor": actor
            }
        if value.startswith("snoozed "):
            return gettext("%(actor)s snoozed the conversation until %(moment)s") % {
                "actor": actor,
                "moment": _moment(value.removeprefix("snoozed ")),
            }
        if value == Status.RESOLVED:
            return gettext("%(actor)s resolved the conversation") % {"actor": actor}
        if value == Status.OPEN:
            return gettext("%(actor)s reopened the conversation") % {"actor": actor}
        return gettext("%(actor)s set the status to %(status)s") % {
            "actor": actor,
            "status": status_label(value),
        }
    if activity == "merged_into":
        return gettext("%(actor)s merged this conversation into #%(number)s") % {
            "actor": actor, "number": value,
        }
    if activity == "merged_from":
        return gettext("%(actor)s merged conversation #%(number)s into this one") % {
            "actor": actor, "number": value,
        }
    if activity == "split_to":
        return gettext("%(actor)s moved a message to the new conversation #%(number)s") % {
            "actor": actor, "number": value,
        }
    if activity == "split_from":
        return gettext("%(actor)s split this conversation from #%(number)s") % {
            "actor": actor, "number": value,
        }
    return message.text


def _moment(iso: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


_IDENTITY_KIND_LABELS = {
    IdentityKind.EMAIL: gettext_lazy("E-mail"),
    IdentityKind.PHONE: gettext_lazy("Phone"),
    IdentityKind.WHATSAPP: gettext_lazy("WhatsApp"),
    IdentityKind.MESSENGER: gettext_lazy("Messenger"),
    IdentityKind.INSTAGRAM: gettext_lazy("Instagram"),
    IdentityKind.TELEGRAM: gettext_lazy("Telegram"),
    IdentityKind.WEBCHAT: gettext_lazy("Web chat"),
    IdentityKind.EXTERNAL: gettext_lazy("External id"),
}


@register.filter
def identity_kind_label(kind: str) -> str:
    label = _IDENTITY_KIND_LABELS.get(kind)  # type: ignore[call-overload]
    return str(label) if label is not None else kind


@register.filter
def merge_reason(reason: str) -> str:
    """The reason resolve_contact wrote for a suggestion, in the agent's language.

    Reasons are stored in English as written by contacts.actions ("same email x@y.fr",
    "shares a verified identity with the same sender"); an unknown one shows as stored.
    """
    if reason == "shares a verified identity with the same sender":
        return gettext("Shares a verified identity with the same sender")
    kind, _, value = reason.removeprefix("same ").partition(" ")
    if reason.startswith("same ") and value:
        return gettext("Same %(kind)s: %(value)s") % {
            "kind": identity_kind_label(kind).lower(),
            "value": value,
        }
    return reason


@dataclass(frozen=True)
class ShownAttachment:
    """An attachment as the timeline shows it: a link once fetched, else why it is missing."""

    name: str
    url: str
    error: str


@register.filter
def shown_attachments(message: Message) -> list[ShownAttachment]:
    """The message's attachments (prefetched) with the reasons recorded when a fetch failed."""
    errors = (message.metadata or {}).get("media_errors") or {}
    if not isinstance(errors, dict):
        errors = {}
    shown = []
    for attachment in message.attachments.all():
        name = attachment.filename or gettext("attachment")
        url = reverse("web:attachment_download", args=[attachment.pk]) if attachment.file else ""
        shown.append(ShownAttachment(name, url, str(errors.get(str(attachment.pk), ""))))
    return shown


@register.filter
def reaction_emojis(message: Message) -> list[str]:
    """The customers' reactions to a message: `{who: {"emoji", "at"}}` (or `{who: emoji}`)."""
    reactions = (message.metadata or {}).get("reactions") or {}
    if not isinstance(reactions, dict):
        return []
    emojis = []
    for value in reactions.values():
        emoji = value.get("emoji", "") if isinstance(value, dict) else value
        if isinstance(emoji, str) and emoji:
            emojis.append(emoji)
    return emojis
