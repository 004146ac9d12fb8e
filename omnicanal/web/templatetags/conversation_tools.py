"""Helpers of the conversation pane: timeline links for merges and splits, each identity
once."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from omnicanal.contacts.models import Identity
from omnicanal.contacts.naming import distinct_identities
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


@register.filter
def unique_identities(identities: Iterable[Identity]) -> list[Identity]:
    """Each address once (a merge can leave the same e-mail twice), as on the contact's page."""
    return distinct_identities(identities)
