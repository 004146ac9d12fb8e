"""Read-side queries for the workspace lists: what an agent sees, in pages of constant cost."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations.actions import visible_conversations
from omnicanal.conversations.models import Conversation, Direction, Message, Status

PAGE_SIZE = 25
# A contact's whole history can be years of e-mail; the page shows the most recent part.
TIMELINE_LIMIT = 200

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ListView(enum.StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (last_activity_at, id), both descending.

    Keyset rather than OFFSET: a page costs the same however deep it is, and a conversation
    that moves to the top while the agent scrolls is not shown twice nor skips another.
    """

    last_activity_at: dt.datetime
    conversation_id: int

    def encode(self) -> str:
        # Whole microseconds since the epoch: exact, unlike a float timestamp.
        micros = (self.last_activity_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}-{self.conversation_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        """The cursor, or None for anything that is not one (a stale or hand-edited URL)."""
        micros, _, conversation_id = value.partition("-")
        if not (micros.isdigit() and conversation_id.isdigit()):
            return None
        try:
            moment = _EPOCH + dt.timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        return cls(moment, int(conversation_id))


@dataclass(frozen=True)
class ConversationPage:
    conversations: Sequence[Conversation]
    next_cursor: Cursor | None


def conversation_page(
    user: User,
    *,
    view: ListView = ListView.ALL,
    status: Status = Status.OPEN,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> ConversationPage:
    """One page of a list, newest activity first, in one query whatever the page size.

    Each conversation comes with `preview_text` and `preview_direction` (its last message that
    is not an activity line) and `contact_fallback_name` (the contact's first identity, for
    contacts without a name), computed as subqueries of the same statement.
    """
    queryset = visible_conversations(user).filter(status=status)
    if view == ListView.MINE:
        queryset = queryset.filter(assignee=user)
    elif view == ListView.UNASSIGNED:
        queryset = queryset.filter(assignee__isnull=True)
    if after is not None:
        queryset = queryset.filter(
            Q(last_activity_at__lt=after.last_activity_at)
            | Q(last_activity_at=after.last_activity_at, pk__lt=after.conversation_id)
        )
    last_message = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(direction=Direction.ACTIVITY)
        .order_by("-created_at", "-id")
    )
    first_identity = Identity.objects.filter(contact=OuterRef("contact_id")).order_by("pk")
    rows = list(
        queryset.select_related("contact", "inbox", "assignee", "team")
        .annotate(
            preview_text=Subquery(last_message.values("text")[:1]),
            preview_direction=Subquery(last_message.values("direction")[:1]),
            contact_fallback_name=Subquery(first_identity.values("value")[:1]),
        )
        .order_by("-last_activity_at", "-id")[: limit + 1]
    )
    # One row more than the page tells whether there is a next page without a COUNT.
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = Cursor(last.last_activity_at, last.pk)
    return ConversationPage(rows, next_cursor)


def contact_timeline(
    contact: Contact, *, limit: int = TIMELINE_LIMIT
) -> tuple[list[Message], bool]:
    """The contact's latest messages across all their conversations, oldest first, and
    whether older ones were left out. Two queries (messages with their conversation, inbox
    and author; then attachments) whatever the number of messages."""
    newest_first = list(
        Message.objects.filter(conversation__contact=contact)
        .select_related("conversation__inbox", "author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    is_truncated = len(newest_first) > limit
    return newest_first[:limit][::-1], is_truncated


def contact_conversations(contact: Contact) -> QuerySet[Conversation]:
    """Every conversation of the contact, newest activity first, with its inbox."""
    return (
        Conversation.objects.filter(contact=contact)
        .select_related("inbox", "assignee")
        .order_by("-last_activity_at", "-id")
    )

