"""The shell's display helpers: avatars, short relative times and waiting times in the
agent's language and date style."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact
from omnicanal.web.templatetags.workspace import (
    avatar,
    initials,
    relative_time,
    short_waiting,
    waiting_for,
)

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 16, 0))


def test_relative_times_read_as_a_list_row_needs_them_in_each_language() -> None:
    moments = [NOW - dt.timedelta(seconds=20), NOW - dt.timedelta(minutes=5),
               NOW - dt.timedelta(hours=2), NOW - dt.timedelta(days=1),
               NOW - dt.timedelta(days=4), NOW - dt.timedelta(days=400)]
    with translation.override("en"):
        english = [relative_time(moment, NOW) for moment in moments]
    with translation.override("fr"):
        french = [relative_time(moment, NOW) for moment in moments]
    # 24-hour clock in both; day before month in English too (British style).
    assert english[1:] == ["5 min", "14:00", "yesterday", "3 Dec", "02/11/2025"]
    # (The words "now", "yesterday" come from the catalogue; the formats from formats/fr.)
    assert [french[1], french[2], french[4], french[5]] == ["5 min", "14:00", "3 déc.",
                                                            "02/11/2025"]
    assert english[0] == "now"


def test_a_wait_under_a_minute_never_reads_zero_minutes() -> None:
    with translation.override("en"):
        assert waiting_for(NOW - dt.timedelta(seconds=30), NOW) == "Waiting for less than a minute"
        assert waiting_for(NOW - dt.timedelta(minutes=1), NOW) == "Waiting for 1 minute"
        assert waiting_for(NOW - dt.timedelta(hours=3), NOW) == "Waiting for 3 hours"
        assert short_waiting(NOW - dt.timedelta(seconds=5), NOW) == "<1 min"
        assert short_waiting(NOW - dt.timedelta(minutes=12), NOW) == "12 min"


def test_an_avatar_shows_initials_on_a_colour_that_stays_the_persons(db: object) -> None:
    jeanne = Contact.objects.create(name="Jeanne Martin")
    agent = User.objects.create_user("bob@example.com", "pw-bob-123", name="Bob Agent")
    first = avatar(jeanne, 32)
    assert ">JM</span>" in first and 'aria-hidden="true"' in first
    assert avatar(Contact.objects.get(pk=jeanne.pk), 32) == first  # stable across loads
    assert ">BA</span>" in avatar(agent, 18)
    assert initials("jeanne.martin@example.fr") == "J"
    assert initials("Jeanne Marie Martin") == "JM"
    assert initials("léa") == "L"
    assert initials("+33 6 12 34 56 78") == "#"
    assert initials("") == "?"
    # A photo, when the person has one, replaces the initials.
    agent.photo.name = "agent-photos/k3v9q.png"
    assert '<img src="/agent-photos/k3v9q.png"' in avatar(agent, 28)
