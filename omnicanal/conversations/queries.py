"""Read-side queries for the workspace lists: what an agent sees, in pages of constant cost."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Contact, ContactMerge, Identity, MergeSuggestion
from omnicanal.conversations.actions import visible_conversations
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    Direction,
    Inbox,
    Message,
    Priority,
    Status,
)
from omnicanal.core.exceptions import Conflict, NotFound

PAGE_SIZE = 25
# A contact's whole history can be years of e-mail; the page shows the most recent part.
TIMELINE_LIMIT = 200
# The other conversations of the contact shown as blocks (the panel lists them all), and
# the latest messages a block shows when expanded (a link opens the whole conversation).
OTHER_CONVERSATIONS_LIMIT = 30
BLOCK_MESSAGES_LIMIT = 30

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ListView(enum.StrEnum):
    """The lists of the workspace. The first five are whose work it is (among open
    conversations unless a status filter says otherwise); the last two are by status."""

    MINE = "mine"
    # Where a colleague named me in a note (mentions are kept by the notifications app).
    MENTIONS = "mentions"
    UNASSIGNED = "unassigned"
    TEAM = "team"
    ALL = "all"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


_VIEW_STATUS = {
    ListView.MINE: Status.OPEN,
    ListView.MENTIONS: Status.OPEN,
    ListView.UNASSIGNED: Status.OPEN,
    ListView.TEAM: Status.OPEN,
    ListView.ALL: Status.OPEN,
    ListView.SNOOZED: Status.SNOOZED,
    ListView.RESOLVED: Status.RESOLVED,
}

# Views whose size is shown in their tab. Resolved is left out on purpose: it only grows,
# and counting it would make every list page scan the whole history.
COUNTED_VIEWS = (
    ListView.MINE, ListView.MENTIONS, ListView.UNASSIGNED, ListView.TEAM, ListView.ALL,
    ListView.SNOOZED,
)


def intake_inbox(inbox_id: int, channel: str) -> Inbox:
    """The active inbox an intake route names, when it receives on `channel`: another
    channel's inbox is a Conflict (409), since the request is well formed and the inbox it
    names is the wrong kind."""
    inbox = Inbox.objects.filter(pk=inbox_id, is_active=True).first()
    if inbox is None:
        raise NotFound(_("No inbox %(id)s."), id=inbox_id)
    if inbox.channel != channel:
        raise Conflict(
            _("Inbox %(id)s is a %(channel)s inbox: this route takes messages for inboxes of "
              "channel \"%(expected)s\"."),
            id=inbox.pk, channel=inbox.get_channel_display(), expected=channel,
        )
    return inbox


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@dataclass(frozen=True)
class ListFilters:
    """Narrowing of any view; None means "any". Parsed leniently from a URL: an unknown value
    is ignored rather than refused, as a stale bookmark should still open a list."""

    channel: str | None = None
    inbox: int | None = None
    status: str | None = None
    priority: int | None = None
    label: int | None = None
    assignee: int | None = None
    team: int | None = None

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> ListFilters:
        channel = data.get("channel") or None
        status = data.get("status") or None
        priority = _int_or_none(data.get("priority"))
        return cls(
            channel=channel if channel in ChannelKind.values else None,
            inbox=_int_or_none(data.get("inbox")),
            status=status if status in Status.values else None,
            priority=priority if priority in Priority.values else None,
            label=_int_or_none(data.get("label")),
            assignee=_int_or_none(data.get("assignee")),
            team=_int_or_none(data.get("team")),
        )

    def as_query(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items() if value is not None}

    def without_status(self) -> ListFilters:
        return replace(self, status=None)

    def apply(self, queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
        if self.channel:
            queryset = queryset.filter(inbox__channel=self.channel)
        if self.inbox:
            queryset = queryset.filter(inbox_id=self.inbox)
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.priority:
            queryset = queryset.filter(priority=self.priority)
        if self.label:
            # One label: the join yields at most one row per conversation, no duplicates.
            queryset = queryset.filter(labels=self.label)
        if self.assignee:
            queryset = queryset.filter(assignee_id=self.assignee)
        if self.team:
            queryset = queryset.filter(team_id=self.team)
        return queryset


# Lists whose scope another app keeps: the mentions are the notifications app's, which
# registers the list's filter when it starts (conversations never imports the apps above it).
_registered_scopes: dict[ListView, Callable[[User], Q]] = {}


def register_list_scope(view: ListView, scope: Callable[[User], Q]) -> None:
    """Call from an AppConfig.ready(): the filter of `view` for a user."""
    _registered_scopes[view] = scope


def _scope(user: User, view: ListView) -> Q:
    if view in _registered_scopes:
        return _registered_scopes[view](user)
    if view == ListView.MINE:
        return Q(assignee=user)
    if view == ListView.MENTIONS:
        # The notifications app is not installed: nobody is told of mentions.
        return Q(pk__in=[])
    if view == ListView.UNASSIGNED:
        return Q(assignee__isnull=True)
    if view == ListView.TEAM:
        # A subquery, not a list of ids: no extra round trip for the agent's teams.
        return Q(team__in=Team.objects.filter(members=user).values("pk"))
    return Q()


def view_conversations(
    user: User, view: ListView, filters: ListFilters = ListFilters()
) -> QuerySet[Conversation]:
    """The conversations of a view under its filters; a status filter replaces the view's
    own status (so "mine, pending" is a list)."""
    queryset = visible_conversations(user).filter(_scope(user, view))
    if filters.status is None:
        queryset = queryset.filter(status=_VIEW_STATUS[view])
    return filters.apply(queryset)


def view_counts(user: User, filters: ListFilters = ListFilters()) -> dict[ListView, int]:
    """How many conversations each counted view holds under the same filters (the status
    filter aside: each view keeps its own), in one query."""
    queryset = filters.without_status().apply(visible_conversations(user)).filter(
        status__in=[Status.OPEN, Status.SNOOZED]
    )
    # COUNT(status) rather than COUNT(id): with the conv_counts index (status, assignee,
    # team) the database counts from the index alone (SQLite: 32 → 3 ms on 25,000 open rows).
    counts = queryset.aggregate(
        **{
            view.value: Count("status", filter=_scope(user, view) & Q(status=_VIEW_STATUS[view]))
            for view in COUNTED_VIEWS
        }
    )
    return {view: counts[view.value] or 0 for view in COUNTED_VIEWS}


class ListSort(enum.StrEnum):
    """The orders a list can be read in. Every order ends with the id, so that two rows
    with the same key still have one place (the keyset cursor relies on it)."""

    NEWEST = "newest"
    OLDEST = "oldest"
    # The customer who has waited longest for a reply first; nobody waiting: at the end.
    WAITING = "waiting"
    # Urgent first (Priority.URGENT is 1), then newest activity.
    PRIORITY = "priority"
    # The next SLA deadline first (a breached one is the most overdue); no running clock: last.
    # Read from Conversation.sla_due_at, which the routing app keeps.
    SLA_DUE = "sla_due"


@dataclass(frozen=True)
class _SortKey:
    field: str
    is_descending: bool
    is_nullable: bool = False
    is_moment: bool = False


_SORT_KEYS: dict[ListSort, tuple[_SortKey, ...]] = {
    ListSort.NEWEST: (_SortKey("last_activity_at", True, is_moment=True), _SortKey("id", True)),
    ListSort.OLDEST: (_SortKey("last_activity_at", False, is_moment=True), _SortKey("id", False)),
    ListSort.WAITING: (
        _SortKey("waiting_since", False, is_nullable=True, is_moment=True), _SortKey("id", False)
    ),
    ListSort.PRIORITY: (
        _SortKey("priority", False),
        _SortKey("last_activity_at", True, is_moment=True),
        _SortKey("id", True),
    ),
    ListSort.SLA_DUE: (
        _SortKey("sla_due_at", False, is_nullable=True, is_moment=True), _SortKey("id", False)
    ),
}

def _sorted(queryset: QuerySet[Conversation], sort: ListSort) -> QuerySet[Conversation]:
    return queryset.order_by(*(_ordering(key) for key in _SORT_KEYS[sort]))


def _ordering(key: _SortKey) -> OrderBy:
    column = F(key.field)
    if key.is_descending:
        return column.desc(nulls_last=True) if key.is_nullable else column.desc()
    return column.asc(nulls_last=True) if key.is_nullable else column.asc()


CursorValue = dt.datetime | int | None


@dataclass(frozen=True)
class Cursor:
    """The position of the last row shown in a list read in `sort` order: that row's sort
    key values, its id last.

    Keyset rather than OFFSET: a page costs the same however deep it is, and a conversation
    that moves to the top while the agent scrolls is not shown twice nor skips another.
    """

    sort: ListSort
    values: tuple[CursorValue, ...]

    @classmethod
    def of(cls, conversation: Conversation, sort: ListSort) -> Cursor:
        return cls(sort, tuple(getattr(conversation, key.field) for key in _SORT_KEYS[sort]))

    def encode(self) -> str:
        return "-".join(_encode_value(value) for value in self.values)

    @classmethod
    def decode(cls, value: str, sort: ListSort = ListSort.NEWEST) -> Cursor | None:
        """The cursor, or None for anything that is not one (a stale or hand-edited URL, or
        one of another order)."""
        keys = _SORT_KEYS[sort]
        parts = value.split("-")
        if len(parts) != len(keys):
            return None
        values: list[CursorValue] = []
        for key, part in zip(keys, parts, strict=True):
            if part == "n" and key.is_nullable:
                values.append(None)
                continue
            if not part.isdigit():
                return None
            if not key.is_moment:
                values.append(int(part))
                continue
            try:
                values.append(_EPOCH + dt.timedelta(microseconds=int(part)))
            except OverflowError:
                return None
        return cls(sort, tuple(values))

    def rows_after(self) -> Q:
        """The rows that come after this position: for each key, the rows equal on the keys
        before it and beyond it on this one (nulls come last in every order)."""
        condition = Q(pk__in=[])
        equal = Q()
        for key, value in zip(_SORT_KEYS[self.sort], self.values, strict=True):
            if value is None:
                # Beyond a null there is nothing but other nulls, ordered by the next key.
                equal &= Q(**{f"{key.field}__isnull": True})
                continue
            beyond = Q(**{f"{key.field}__{'lt' if key.is_descending else 'gt'}": value})
            if key.is_nullable:
                beyond |= Q(**{f"{key.field}__isnull": True})
            condition |= equal & beyond
            equal &= Q(**{key.field: value})
        return condition


def _encode_value(value: CursorValue) -> str:
    if value is None:
        return "n"
    if isinstance(value, dt.datetime):
        # Whole microseconds since the epoch: exact, unlike a float timestamp.
        return str((value - _EPOCH) // dt.timedelta(microseconds=1))
    return str(value)


@dataclass(frozen=True)
class ConversationPage:
    conversations: Sequence[Conversation]
    next_cursor: Cursor | None


def conversation_page(
    user: User,
    *,
    view: ListView = ListView.ALL,
    filters: ListFilters = ListFilters(),
    sort: ListSort = ListSort.NEWEST,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> ConversationPage:
    """One page of a list in `sort` order, in three queries whatever the page size (the
    rows, their labels, their contacts' identities).

    Each conversation comes with `preview_text` and `preview_direction` (its last message that
    is not an activity line), computed as subqueries of the same statement, and the
    contacts' identities (a third query) for their display names.
    """
    queryset = _sorted(view_conversations(user, view, filters), sort)
    if after is not None and after.sort == sort:
        queryset = queryset.filter(after.rows_after())
    last_message = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(direction=Direction.ACTIVITY)
        .order_by("-created_at", "-id")
    )
    rows = list(
        queryset.select_related("contact", "inbox", "assignee", "team")
        .prefetch_related("labels", "contact__identities")
        .annotate(
            preview_text=Subquery(last_message.values("text")[:1]),
            preview_direction=Subquery(last_message.values("direction")[:1]),
        )[: limit + 1]
    )
    # One row more than the page tells whether there is a next page without a COUNT.
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor.of(rows[-1], sort)
    return ConversationPage(rows, next_cursor)


def adjacent_conversations(
    user: User,
    conversation: Conversation,
    view: ListView,
    filters: ListFilters,
    sort: ListSort = ListSort.NEWEST,
) -> tuple[int | None, int | None]:
    """The ids of the conversations just above and just below this one in its list, for
    the j/k shortcuts on the conversation page; three indexed queries at most."""
    queryset = _sorted(view_conversations(user, view, filters), sort)
    position = queryset.filter(pk=conversation.pk).first()
    if position is None:
        return None, None
    cursor = Cursor.of(position, sort)
    following = queryset.filter(cursor.rows_after()).values_list("pk", flat=True).first()
    # The row above is the last of those not after this one (and not this one).
    previous = (
        queryset.exclude(cursor.rows_after()).exclude(pk=conversation.pk)
        .reverse().values_list("pk", flat=True).first()
    )
    return previous, following


@dataclass(frozen=True)
class OtherConversation:
    """Another conversation of the contact, as one block of the history: what its collapsed
    line says, and its latest messages for when it is expanded."""

    conversation: Conversation
    # Customer, agent and note messages; activity lines are not counted.
    message_count: int
    first_message_at: dt.datetime | None
    last_message_at: dt.datetime | None
    messages: list[Message]

    @property
    def is_truncated(self) -> bool:
        return self.message_count > sum(
            1 for message in self.messages if message.direction != Direction.ACTIVITY
        )


@dataclass(frozen=True)
class ContactHistory:
    """What the conversation page shows of the contact's history: the current conversation's
    messages in full (up to a limit), and each other conversation as one block, never
    interleaved with it or with each other."""

    messages: list[Message]
    is_truncated: bool
    others: list[OtherConversation]


def contact_timeline(
    conversation: Conversation,
    *,
    limit: int = TIMELINE_LIMIT,
    other_limit: int = OTHER_CONVERSATIONS_LIMIT,
    block_limit: int = BLOCK_MESSAGES_LIMIT,
) -> ContactHistory:
    """The current conversation's latest messages, oldest first, and whether older ones were
    left out; then the contact's other conversations with a message, the least recently
    active first (the current one, next to the composer, reads as the latest), each with
    its message count, date range and latest `block_limit` messages.

    Conversations interleaved message by message read as a jumble when two run at the same
    time (one page showed 20 conversation headers for 9 conversations): hence blocks.
    Five queries whatever the history's length: the messages, their attachments, the other
    conversations with their counts, their messages (a window per conversation) and theirs.
    """
    newest_first = list(
        Message.objects.filter(conversation=conversation)
        .select_related("conversation__inbox", "inbox", "author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    counted = ~Q(messages__direction=Direction.ACTIVITY)
    others = list(
        Conversation.objects.filter(contact_id=conversation.contact_id)
        .exclude(pk=conversation.pk)
        .annotate(
            message_count=Count("messages", filter=counted),
            first_message_at=Min("messages__created_at", filter=counted),
            last_message_at=Max("messages__created_at", filter=counted),
        )
        .filter(message_count__gt=0)
        .select_related("inbox")
        .order_by("-last_message_at", "-id")[:other_limit]
    )
    latest: list[Message] = list(
        Message.objects.filter(conversation__in=[other.pk for other in others])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("conversation_id"),
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=block_limit)
        .select_related("inbox", "author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    ) if others else []
    by_conversation: dict[int, list[Message]] = {}
    for latest_message in latest:
        by_conversation.setdefault(latest_message.conversation_id, []).append(latest_message)
    blocks = []
    for other in reversed(others):
        messages = by_conversation.get(other.pk, [])
        for block_message in messages:
            # The block's conversation, already loaded: no query per message.
            block_message.conversation = other
        blocks.append(OtherConversation(
            conversation=other,
            message_count=other.message_count,
            first_message_at=other.first_message_at,
            last_message_at=other.last_message_at,
            messages=messages,
        ))
    return ContactHistory(
        messages=newest_first[:limit][::-1],
        is_truncated=len(newest_first) > limit,
        others=blocks,
    )


def contact_conversations(contact: Contact) -> QuerySet[Conversation]:
    """Every conversation of the contact, newest activity first, with its inbox."""
    return (
        Conversation.objects.filter(contact=contact)
        .select_related("inbox", "assignee")
        .order_by("-last_activity_at", "-id")
    )



def open_merge_suggestions(contact: Contact) -> list[tuple[MergeSuggestion, Contact]]:
    """Open suggestions involving the contact, each with the other contact (identities
    prefetched), skipping those whose other contact was merged away since."""
    suggestions = list(
        MergeSuggestion.objects.filter(
            Q(contact=contact) | Q(candidate=contact), status=MergeSuggestion.Status.OPEN
        )
        .select_related("contact", "candidate")
        .order_by("-created_at", "-id")
    )
    others = {
        s.pk: (s.candidate if s.contact_id == contact.pk else s.contact) for s in suggestions
    }
    identities: dict[int, list[Identity]] = {}
    for identity in Identity.objects.filter(
        contact__in=[other.pk for other in others.values()]
    ).order_by("kind", "value"):
        identities.setdefault(identity.contact_id, []).append(identity)
    result = []
    for suggestion in suggestions:
        other = others[suggestion.pk]
        if other.merged_into_id is not None:
            continue
        other.identity_list = identities.get(other.pk, [])  # type: ignore[attr-defined]
        result.append((suggestion, other))
    return result


def undoable_merges(contact: Contact) -> list[ContactMerge]:
    """Merges into this contact that can still be undone, newest first."""
    return list(
        ContactMerge.objects.filter(target=contact, undone_at__isnull=True)
        .select_related("source", "merged_by")
        .order_by("-merged_at", "-id")
    )
