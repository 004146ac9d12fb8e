"""The timeline's layout: days under a separator, consecutive messages of one author grouped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Direction, Message
from omnicanal.web.timeline import day_label, timeline_days

NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)


def message(direction: str, minutes_ago: float, author: User | None = None) -> Message:
    return Message(direction=direction, author=author, text="…",
                   created_at=NOW - dt.timedelta(minutes=minutes_ago))


def shape(messages: list[Message]) -> list[tuple[str, list[tuple[str, int]]]]:
    with timezone.override("UTC"):
        days = timeline_days(messages, "Jeanne Martin", now=NOW)
    return [(day.label, [(g.author_name, len(g.messages)) for g in day.groups]) for day in days]


def test_a_burst_of_messages_from_one_author_is_one_group() -> None:
    messages = [message(Direction.INCOMING, 10), message(Direction.INCOMING, 8),
                message(Direction.INCOMING, 4)]

    assert shape(messages) == [("Today", [("Jeanne Martin", 3)])]


def test_a_pause_of_more_than_five_minutes_starts_a_new_group() -> None:
    messages = [message(Direction.INCOMING, 20), message(Direction.INCOMING, 14)]

    assert shape(messages) == [("Today", [("Jeanne Martin", 1), ("Jeanne Martin", 1)])]


def test_another_author_a_note_or_an_activity_line_starts_a_new_group() -> None:
    bob = User(pk=1, name="Bob Agent", email="bob@example.com")
    carol = User(pk=2, name="Carol Agent", email="carol@example.com")
    messages = [
        message(Direction.OUTGOING, 9, bob), message(Direction.OUTGOING, 8, bob),
        message(Direction.NOTE, 7, bob),  # same agent, but a note is not a reply
        message(Direction.OUTGOING, 6, carol),
        message(Direction.ACTIVITY, 5, carol), message(Direction.ACTIVITY, 5, carol),
        message(Direction.OUTGOING, 4, carol),
    ]

    assert shape(messages) == [("Today", [
        ("Bob Agent", 2), ("Bob Agent", 1), ("Carol Agent", 1),
        ("Carol Agent", 1), ("Carol Agent", 1), ("Carol Agent", 1),
    ])]


def test_messages_on_either_side_of_midnight_are_in_two_days() -> None:
    # 23:58 yesterday and 00:01 today: one minute apart, two days.
    minutes_to_midnight = 15 * 60
    messages = [message(Direction.INCOMING, minutes_to_midnight + 2),
                message(Direction.INCOMING, minutes_to_midnight - 1)]

    assert shape(messages) == [
        ("Yesterday", [("Jeanne Martin", 1)]), ("Today", [("Jeanne Martin", 1)]),
    ]


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Monday 30 November"), ("fr", "Lundi 30 novembre"),
])
def test_an_older_day_is_named_by_its_weekday_and_date_in_the_agents_language(
    language: str, expected: str
) -> None:
    with translation.override(language):
        assert day_label(dt.date(2026, 11, 30), today=NOW.date()) == expected
        assert day_label(dt.date(2025, 11, 30), today=NOW.date()).endswith("2025")
