"""The one normalisation of text and of claimed dates that every boundary calls."""

from __future__ import annotations

import datetime as dt

import pytest

from omnicanal.core.dates import storable_time
from omnicanal.core.text import clean_data, clean_text, has_poison, poisoned_paths

ARRIVED = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Bon\x00jour", "Bonjour"),
        ("Merci \ud83d", "Merci "),  # half an emoji
        ("\udc80\udcff", ""),  # what surrogateescape makes of invalid bytes
        ("Merci \U0001f600 à vous", "Merci \U0001f600 à vous"),  # untouched
    ],
)
def test_clean_text_removes_only_what_no_database_stores(sent: str, stored: str) -> None:
    assert clean_text(sent) == stored
    assert has_poison(sent) == (sent != stored)
    stored.encode("utf-8")  # always encodable


def test_poisoned_paths_name_every_field_and_key() -> None:
    data = {"name": "ok", "settings": {"url": "a\x00", "k\ud800": "v"}, "tags": ["x", "\x00"]}

    assert poisoned_paths(data) == [("settings", "url"), ("settings", "k"), ("tags", 1)]
    assert clean_data(data) == {"name": "ok", "settings": {"url": "a", "k": "v"},
                                "tags": ["x", ""]}


@pytest.mark.parametrize(
    "claimed",
    [
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        dt.datetime(1989, 12, 31, 23, 59, tzinfo=dt.UTC),
        ARRIVED + dt.timedelta(days=1, seconds=1),
    ],
)
def test_an_incredible_claimed_time_is_replaced_by_the_arrival(claimed: dt.datetime) -> None:
    assert storable_time(claimed, ARRIVED) == ARRIVED


def test_a_credible_claimed_time_is_kept_in_utc() -> None:
    claimed = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))

    stored = storable_time(claimed, ARRIVED + dt.timedelta(hours=23))

    assert stored == claimed and stored.tzinfo == dt.UTC


def test_no_claimed_time_is_the_arrival() -> None:
    assert storable_time(None, ARRIVED) == ARRIVED
