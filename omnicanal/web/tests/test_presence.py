"""The shared list of a conversation's viewers: heartbeats, expiry, several tabs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from omnicanal.web.presence import (
    VIEWER_TTL_SECONDS,
    Viewer,
    current_viewers,
    mark_left,
    mark_viewing,
)

ALICE = Viewer(1, "Alice")
BOB = Viewer(2, "Bob")
NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_a_heartbeat_changes_nothing_the_others_see() -> None:
    assert mark_viewing(7, "socket-a", ALICE, now=NOW).is_changed is True

    heartbeat = mark_viewing(7, "socket-a", ALICE, now=NOW + 20)

    assert heartbeat.is_changed is False
    assert heartbeat.viewers == [ALICE]


def test_a_viewer_whose_page_stopped_beating_expires() -> None:
    mark_viewing(7, "socket-a", ALICE, now=NOW)
    mark_viewing(7, "socket-b", BOB, now=NOW + VIEWER_TTL_SECONDS - 5)

    later = NOW + VIEWER_TTL_SECONDS + 1
    assert current_viewers(7, now=later) == [BOB]
    # Bob's next heartbeat drops Alice for good, and says the list changed.
    change = mark_viewing(7, "socket-b", BOB, now=later)
    assert (change.viewers, change.is_changed) == ([BOB], True)


def test_an_agent_with_two_tabs_is_listed_once_until_both_are_closed() -> None:
    mark_viewing(7, "tab-1", ALICE, now=NOW)
    mark_viewing(7, "tab-2", ALICE, now=NOW)
    mark_viewing(7, "socket-b", BOB, now=NOW)
    assert current_viewers(7, now=NOW) == [ALICE, BOB]

    assert mark_left(7, "tab-1", now=NOW).is_changed is False
    change = mark_left(7, "tab-2", now=NOW)

    assert (change.viewers, change.is_changed) == ([BOB], True)


def test_viewers_of_one_conversation_are_not_those_of_another() -> None:
    mark_viewing(7, "socket-a", ALICE, now=NOW)
    mark_viewing(8, "socket-b", BOB, now=NOW)

    assert current_viewers(7, now=NOW) == [ALICE]
    assert current_viewers(8, now=NOW) == [BOB]
