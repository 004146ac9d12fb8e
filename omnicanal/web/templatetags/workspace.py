"""Small display helpers for the workspace templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from omnicanal.accounts.models import User
from omnicanal.accounts.photos import photo_url
from omnicanal.assistant.intents import intent_name as baseline_intent_name
from omnicanal.connectors.registry import channel_choices
from omnicanal.contacts.models import Contact
from omnicanal.contacts.senders import IdentityKind
from omnicanal.conversations.models import Message, Priority, Status
from omnicanal.routing.automation import AUTOMATION_EMAIL
from omnicanal.web.templatetags.icons import has_icon, icon

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """The translated label of a conversation status value ("resolved" → "Résolue")."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def intent_name(intent: str) -> str:
    """A triage intent as agents read it ("order_status" → "Suivi de commande")."""
    return baseline_intent_name(intent)


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


# Avatars: initials on a colour that stays the same for a person (from their id), so an
# agent learns to recognise a customer or a colleague at a glance in a dense list.
# Each background keeps white initials at a contrast of at least 4.5:1 (WCAG AA).
AVATAR_COLOURS = (
    "#1d4ed8", "#b42318", "#047857", "#7c3aed", "#b45309", "#0e7490",
    "#be185d", "#4d7c0f", "#4338ca", "#9a3412", "#0f766e", "#6d28d9",
)


def initials(name: str) -> str:
    """Up to two letters: "Jeanne Martin" → "JM", an address's first letter
    ("jeanne.martin@example.fr" → "J"), "#" for a number (its digits would read as a code),
    "?" for no name at all."""
    words = [word for word in name.replace("@", " ").replace(".", " ").split()
             if word[:1].isalpha()]
    if not words:
        return "#" if name.strip() else "?"
    if "@" in name or len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def avatar_colour(kind: str, pk: int | None) -> str:
    # Contacts and agents in separate series: contact 3 and agent 3 need not look alike.
    offset = 5 if kind == "agent" else 0
    return AVATAR_COLOURS[((pk or 0) + offset) % len(AVATAR_COLOURS)]


@register.simple_tag
def avatar(person: Contact | User | None, size: int = 32, css_class: str = "") -> SafeString:
    """`{% avatar person size %}`: a round picture for a contact or an agent.

    Decorative (aria-hidden): the person's name is always written next to it. An agent's
    uploaded photo replaces the initials; the colour stays behind it while it loads.
    """
    if person is None:
        return format_html(
            '<span class="avatar avatar-empty {}" style="--avatar-size: {}px" '
            'aria-hidden="true"></span>', css_class, size,
        )
    kind = "agent" if isinstance(person, User) else "contact"
    name = person.display_name
    colour = avatar_colour(kind, person.pk)
    photo = photo_url(person) if isinstance(person, User) else ""
    if photo:
        return format_html(
            '<span class="avatar avatar-{} {}" style="--avatar-size: {}px; '
            '--avatar-colour: {}" aria-hidden="true"><img src="{}" alt="" width="{}" '
            'height="{}" loading="lazy"></span>',
            kind, css_class, size, colour, photo, size, size,
        )
    return format_html(
        '<span class="avatar avatar-{} {}" style="--avatar-size: {}px; --avatar-colour: {}" '
        'aria-hidden="true">{}</span>',
        kind, css_class, size, colour, initials(name),
    )


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


@register.filter
def relative_time(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """When something happened, as short as a list row needs: "now", "5 min", "14:32"
    (today), "yesterday", "3 Dec" (this year), "3 Dec 2025" (before). The full date goes in
    the element's title (`full_datetime`)."""
    if moment is None:
        return ""
    now = _local(now or timezone.now())
    local = _local(moment)
    seconds = (now - local).total_seconds()
    if seconds < 60:
        # A clock a little ahead on the sender's side reads as "now", not as the future.
        return pgettext("moment", "now")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(count)d min", "%(count)d min", minutes) % {"count": minutes}
    days = (now.date() - local.date()).days
    if days == 0:
        return formats.time_format(local, "TIME_FORMAT")
    if days == 1:
        return pgettext("moment", "yesterday")
    if local.year == now.year:
        return formats.date_format(local, "SHORT_DAY_MONTH_FORMAT")
    return formats.date_format(local, "SHORT_DATE_FORMAT")


@register.filter
def full_datetime(moment: dt.datetime | None) -> str:
    """The whole date and time in the agent's locale, for a tooltip or a detail line."""
    if moment is None:
        return ""
    return formats.date_format(_local(moment), "DATETIME_FORMAT")


@register.filter
def waiting_for(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long a customer has waited, in words: never "0 minutes"."""
    if since is None:
        return ""
    seconds = ((now or timezone.now()) - since).total_seconds()
    if seconds < 60:
        return gettext("Waiting for less than a minute")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext(
            "Waiting for %(count)d minute", "Waiting for %(count)d minutes", minutes
        ) % {"count": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext(
            "Waiting for %(count)d hour", "Waiting for %(count)d hours", hours
        ) % {"count": hours}
    days = hours // 24
    return ngettext("Waiting for %(count)d day", "Waiting for %(count)d days", days) % {
        "count": days
    }


@register.filter
def short_waiting(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """The wait in a badge: "<1 min", "12 min", "3 h", "2 d"."""
    if since is None:
        return ""
    seconds = ((now or timezone.now()) - since).total_seconds()
    if seconds < 60:
        return pgettext("waiting", "<1 min")
    minutes = int(seconds // 60)
    if minutes < 60:
        return pgettext("waiting", "%(count)d min") % {"count": minutes}
    hours = minutes // 60
    if hours < 48:
        return pgettext("waiting", "%(count)d h") % {"count": hours}
    return pgettext("waiting", "%(count)d d") % {"count": hours // 24}


@register.simple_tag
def channel_icon(kind: str, size: int = 14) -> SafeString:
    """The channel's icon (`icons/<kind>.svg`), announced as the channel's name. A kind
    without a drawing (a new connector) gets the generic chat bubble."""
    label = dict(channel_choices()).get(kind, kind)
    drawing = kind if has_icon(kind) else "chat"
    return icon(drawing, label=label, size=size, css_class=f"channel-icon channel-icon-{kind}")


@register.filter
def relative_time_ahead(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """When something is due, as short as a badge needs: "in 5 min", "14:32" (today),
    "tomorrow", "3 Dec"; a moment already past reads as "now"."""
    if moment is None:
        return ""
    now = _local(now or timezone.now())
    local = _local(moment)
    seconds = (local - now).total_seconds()
    if seconds < 60:
        return pgettext("moment", "now")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return pgettext("moment", "in %(count)d min") % {"count": minutes}
    days = (local.date() - now.date()).days
    if days == 0:
        return formats.time_format(local, "TIME_FORMAT")
    if days == 1:
        return pgettext("moment", "tomorrow")
    if local.year == now.year:
        return formats.date_format(local, "SHORT_DAY_MONTH_FORMAT")
    return formats.date_format(local, "SHORT_DATE_FORMAT")
