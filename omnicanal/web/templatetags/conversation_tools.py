"""Timeline helpers for merges and splits (omnicanal.conversations.tools)."""

from __future__ import annotations

from django import template

from omnicanal.conversations.models import Message

register = template.Library()

# Activity lines whose value is the id of the other conversation of a merge or a split.
LINKING_ACTIVITIES = frozenset({"merged_into", "merged_from", "split_to", "split_from"})


@register.filter
def activity_conversation(message: Message) -> int | None:
    """The conversation a merge or split activity line points to, to link it."""
    metadata = message.metadata or {}
    value = str(metadata.get("value", ""))
    if metadata.get("activity") in LINKING_ACTIVITIES and value.isdigit():
        return int(value)
    return None
