"""Helpers of the conversation pane: timeline links for merges and splits, avatars, channel
icons, and the snooze presets' labels."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from omnicanal.contacts.models import Identity
from omnicanal.contacts.naming import distinct_identities
from omnicanal.conversations.models import Message
from omnicanal.web.templatetags.icons import ICONS, icon

register = template.Library()

# Activity lines whose value is the id of the other conversation of a merge or a split.
LINKING_ACTIVITIES = frozenset({"merged_into", "merged_from", "split_to", "split_from"})

# Hues for avatars, dark enough for white initials to pass WCAG AA contrast (4.5:1).
AVATAR_COLOURS = (
    "#1d4ed8", "#0f766e", "#7c3aed", "#b45309", "#be123c", "#15803d", "#4338ca", "#a21caf",
    "#0e7490", "#9a3412", "#475569", "#6d28d9",
)


@register.filter
def activity_conversation(message: Message) -> int | None:
    """The conversation a merge or split activity line points to, to link it."""
    metadata = message.metadata or {}
    value = str(metadata.get("value", ""))
    if metadata.get("activity") in LINKING_ACTIVITIES and value.isdigit():
        return int(value)
    return None


def initials(name: str) -> str:
    """Up to two initials: "Jeanne Martin" → "JM", "jeanne@example.fr" → "J", a phone
    number "#"."""
    spaced = name.replace("@", " ").replace(".", " ")
    words = [word for word in spaced.split() if word[:1].isalpha()]
    if not words:
        # A phone number's digits would read as a code, not as someone's initials.
        return "#" if name.strip() else "?"
    if "@" in name or len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def avatar_colour(key: str) -> str:
    """The same colour for the same name on every page and every day (crc32 is stable,
    unlike Python's salted hash())."""
    return AVATAR_COLOURS[zlib.crc32(key.encode()) % len(AVATAR_COLOURS)]


# TODO(issue 14): one avatar tag with the shell's {% avatar %} in templatetags/workspace.py.
@register.simple_tag
def conversation_avatar(name: str, size: str = "") -> SafeString:
    """Initials on a stable colour; decorative (the name is always written beside it)."""
    return format_html(
        '<span class="avatar{}" style="background-color: {}" aria-hidden="true">{}</span>',
        f" avatar-{size}" if size else "", avatar_colour(name), initials(name),
    )


@register.simple_tag
def channel_icon(kind: str, label: str = "", size: int = 16) -> SafeString:
    """The channel's drawing (`icons/channel-<kind>.svg`), a speech bubble for a channel
    that has none: a new connector needs no change here."""
    name = f"channel-{kind}"
    if not (ICONS / f"{name}.svg").exists():
        name = "chat"
    return icon(name, label, size)


@register.filter
def unique_identities(identities: Iterable[Identity]) -> list[Identity]:
    """Each address once (a merge can leave the same e-mail twice), as on the contact's page."""
    return distinct_identities(identities)
