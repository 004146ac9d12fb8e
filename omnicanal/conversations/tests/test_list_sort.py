"""The list's orders read page by page: every order gives each conversation exactly one place,
so that an agent scrolling through a list (keyset pages, `Load more`) or moving with j/k never
sees a row twice nor misses one, ties and empty keys included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox, Priority
from omnicanal.conversations.queries import (
    Cursor,
    ListFilters,
    ListSort,
    ListView,
    adjacent_conversations,
    conversation_page,
)
from omnicanal.routing.models import SlaClock, SlaTarget

NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def minutes(count: int) -> dt.datetime:
    return NOON + dt.timedelta(minutes=count)


# (last activity, waiting since, priority, SLA due, is the SLA clock paused): ties on every
# key, and empty keys (nobody waiting, no clock, a paused clock) that go last.
ROWS: list[tuple[int, int | None, Priority, int | None, bool]] = [
    (10, 1, Priority.NORMAL, 30, False),
    (10, None, Priority.URGENT, None, False),
    (5, 1, Priority.URGENT, 30, False),
    (20, 3, Priority.LOW, -15, False),  # its deadline has passed: breached
    (20, None, Priority.NORMAL, 45, True),  # paused: no deadline while it waits for us
    (1, 2, Priority.HIGH, 5, False),
    (10, 2, Priority.NORMAL, None, False),
    (7, None, Priority.HIGH, 30, False),
    (15, 1, Priority.URGENT, 5, False),
    (3, 9, Priority.LOW, None, False),
    (10, None, Priority.NORMAL, -15, False),
]


@pytest.fixture
def rows(api_inbox: Inbox, db: Any) -> list[Conversation]:
    conversations = []
    for index, (activity, waiting, priority, due, is_paused) in enumerate(ROWS):
        conversation = Conversation.objects.create(
            inbox=api_inbox, contact=Contact.objects.create(name=f"Client {index}"),
            last_activity_at=minutes(activity),
            waiting_since=None if waiting is None else minutes(waiting),
            priority=priority,
        )
        if due is not None:
            # What routing keeps on the conversation as its clocks change (tested there).
            if not is_paused:
                Conversation.objects.filter(pk=conversation.pk).update(sla_due_at=minutes(due))
            SlaClock.objects.create(
                conversation=conversation, target=SlaTarget.FIRST_RESPONSE,
                target_seconds=3600, started_at=NOON,
                running_since=None if is_paused else NOON,
                due_at=minutes(due),
            )
        conversations.append(conversation)
    return conversations


def expected_order(conversations: list[Conversation], sort: ListSort) -> list[int]:
    """The order spelled out from the rows' data, apart from the query that computes it."""
    data = {conversation.pk: ROWS[index] for index, conversation in enumerate(conversations)}

    def due(pk: int) -> dt.datetime:
        minute, is_paused = data[pk][3], data[pk][4]
        return FAR if minute is None or is_paused else minutes(minute)

    keys: dict[ListSort, Any] = {
        ListSort.NEWEST: lambda pk: (-data[pk][0], -pk),
        ListSort.OLDEST: lambda pk: (data[pk][0], pk),
        ListSort.WAITING: lambda pk: (data[pk][1] is None, data[pk][1] or 0, pk),
        ListSort.PRIORITY: lambda pk: (data[pk][2], -data[pk][0], -pk),
        ListSort.SLA_DUE: lambda pk: (due(pk), pk),
    }
    return sorted(data, key=keys[sort])


def read_in_pages(user: User, sort: ListSort, size: int) -> list[int]:
    """Every row of the list, page after page, each cursor through its URL form."""
    seen: list[int] = []
    after = None
    while True:
        page = conversation_page(user, view=ListView.ALL, sort=sort, after=after, limit=size)
        seen += [conversation.pk for conversation in page.conversations]
        if page.next_cursor is None:
            return seen
        after = Cursor.decode(page.next_cursor.encode(), sort)
        assert after == page.next_cursor


@pytest.mark.parametrize("sort", list(ListSort))
@pytest.mark.parametrize("size", [1, 3, 4])
def test_each_order_shows_every_conversation_once_page_after_page(
    supervisor: User, rows: list[Conversation], sort: ListSort, size: int
) -> None:
    assert read_in_pages(supervisor, sort, size) == expected_order(rows, sort)


@pytest.mark.parametrize("sort", list(ListSort))
def test_j_and_k_follow_the_order_of_the_list(
    supervisor: User, rows: list[Conversation], sort: ListSort
) -> None:
    order = expected_order(rows, sort)
    by_pk = {conversation.pk: conversation for conversation in rows}
    for index, pk in enumerate(order):
        previous, following = adjacent_conversations(
            supervisor, by_pk[pk], ListView.ALL, ListFilters(), sort=sort
        )
        assert previous == (order[index - 1] if index else None)
        assert following == (order[index + 1] if index + 1 < len(order) else None)


def test_sla_due_puts_the_breached_first_and_those_without_a_running_clock_last(
    supervisor: User, rows: list[Conversation]
) -> None:
    order = read_in_pages(supervisor, ListSort.SLA_DUE, 25)

    breached = [rows[3].pk, rows[10].pk]
    assert order[:2] == sorted(breached)
    # No clock, or a paused one: nothing is due, whatever the paused clock's old deadline.
    assert set(order[-4:]) == {rows[1].pk, rows[4].pk, rows[6].pk, rows[9].pk}


@pytest.mark.parametrize("value", ["", "abc", "1-2-3-4", "n-5", "99999999999999999999999-1"])
def test_a_cursor_that_does_not_fit_the_order_is_ignored(value: str) -> None:
    assert Cursor.decode(value, ListSort.NEWEST) is None


def test_a_cursor_of_another_order_starts_the_list_from_the_top(
    supervisor: User, rows: list[Conversation]
) -> None:
    newest = conversation_page(supervisor, sort=ListSort.NEWEST, limit=2)
    assert newest.next_cursor is not None

    page = conversation_page(supervisor, sort=ListSort.OLDEST, after=newest.next_cursor, limit=2)

    assert [c.pk for c in page.conversations] == expected_order(rows, ListSort.OLDEST)[:2]
