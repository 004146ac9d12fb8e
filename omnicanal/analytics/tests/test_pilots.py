"""Pilots: which conversations a group holds, and the verdicts of the comparison on
synthetic facts (the rows analytics.facts maintains are created directly here)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.analytics import pilots
from omnicanal.analytics.models import ConversationFact, GroupKind, Pilot
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox, Label

START = datetime.date(2026, 10, 1)
END = datetime.date(2026, 10, 31)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def add_facts(
    count: int,
    *,
    inbox: Inbox,
    day: datetime.date = START,
    first_response_s: Iterable[float | None] | float | None = 600.0,
    labels: Iterable[Label] = (),
    **fields: Any,
) -> list[ConversationFact]:
    """`count` conversations created on `day` with their facts; `first_response_s` one value
    for all or one per conversation; any other ConversationFact field as an override."""
    contact = Contact.objects.create(name="Jeanne Martin")
    conversations = Conversation.objects.bulk_create(
        Conversation(inbox=inbox, contact=contact, last_activity_at=at(day))
        for _ in range(count)
    )
    responses = (list(first_response_s) if isinstance(first_response_s, Iterable)
                 else [first_response_s] * count)
    defaults: dict[str, Any] = {"channel": inbox.channel, "is_resolved": True}
    facts = ConversationFact.objects.bulk_create(
        ConversationFact(conversation=conversation, contact=contact, inbox=inbox,
                         created_at=at(day), first_response_s=response,
                         **{**defaults, **fields})
        for conversation, response in zip(conversations, responses, strict=True)
    )
    for label in labels:
        label.conversations.add(*conversations)
    return facts


def make_pilot(**fields: Any) -> Pilot:
    values: dict[str, Any] = {"name": "Callback pilot", "starts_on": START, "ends_on": END}
    values.update(fields)
    return Pilot.objects.create(**values)


def row(report: pilots.PilotReport, key: str, *, past: bool = False) -> pilots.KpiComparison:
    comparison = report.against_past if past else report.against_rest
    return next(r for r in comparison.rows if r.kpi.key == key)


def spread(centre: float, count: int) -> list[float]:
    """`count` durations evenly around `centre` (plus or minus 30 %)."""
    return [centre * (0.7 + 0.6 * i / (count - 1)) for i in range(count)]


@pytest.fixture
def pilot_team(db: Any) -> Team:
    return Team.objects.create(name="Rappels")


class TestVerdicts:
    def test_a_clearly_faster_team_is_faster_and_significant(
        self, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        add_facts(40, inbox=api_inbox, team=pilot_team, first_response_s=spread(300, 40))
        add_facts(60, inbox=api_inbox, first_response_s=spread(600, 60))
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        first = row(report, "first_response")
        assert first.verdict == "First response 50 % faster, significant at 95 %"
        assert first.tone == pilots.Tone.BETTER
        assert (first.value, first.other_value) == ("5 min 00 s", "10 min 00 s")
        assert first.difference == "-5 min 00 s"
        assert first.estimate is not None and first.estimate.high < 0

    def test_a_team_like_the_others_is_not_significantly_different(
        self, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        add_facts(40, inbox=api_inbox, team=pilot_team, first_response_s=spread(600, 40))
        add_facts(60, inbox=api_inbox, first_response_s=spread(610, 60))
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        first = row(report, "first_response")
        assert first.verdict.endswith(", not significant")
        assert first.tone == pilots.Tone.NEUTRAL

    def test_slower_times_are_worse(self, api_inbox: Inbox, pilot_team: Team) -> None:
        add_facts(30, inbox=api_inbox, team=pilot_team, first_response_s=spread(900, 30))
        add_facts(30, inbox=api_inbox, first_response_s=spread(600, 30))
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        first = row(report, "first_response")
        assert first.verdict == "First response 50 % slower, significant at 95 %"
        assert first.tone == pilots.Tone.WORSE

    def test_a_lower_repeat_rate_is_better(self, api_inbox: Inbox, pilot_team: Team) -> None:
        add_facts(100, inbox=api_inbox, team=pilot_team, has_repeat_7d=False)
        add_facts(70, inbox=api_inbox, has_repeat_7d=False)
        add_facts(30, inbox=api_inbox, has_repeat_7d=True)
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        repeat = row(report, "repeat")
        assert repeat.verdict == (
            "Repeat contacts within 7 days 30 points lower (better), significant at 95 %"
        )
        assert repeat.tone == pilots.Tone.BETTER
        assert (repeat.value, repeat.other_value) == ("0.0 %", "30.0 %")

    def test_a_few_survey_answers_are_not_significant_for_lack_of_answers(
        self, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        # CSAT 12/12 satisfied against 10/12: 17 points higher, but on 12 answers a side.
        add_facts(12, inbox=api_inbox, team=pilot_team, csat=5)
        add_facts(10, inbox=api_inbox, csat=4)
        add_facts(2, inbox=api_inbox, csat=2)
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        csat = row(report, "csat")
        assert csat.verdict == (
            "CSAT 17 points higher (better), not significant (too few answers)"
        )
        assert csat.tone == pilots.Tone.NEUTRAL

    def test_below_the_minimum_count_the_verdict_says_not_enough_data(
        self, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        add_facts(4, inbox=api_inbox, team=pilot_team, nps=10, first_response_s=60)
        add_facts(50, inbox=api_inbox, nps=3, first_response_s=6000)
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        for key in ("nps", "first_response"):
            kpi = row(report, key)
            assert "not enough data" in kpi.verdict
            assert kpi.tone == pilots.Tone.UNKNOWN
            assert kpi.interval == "" and kpi.estimate is None
        assert row(report, "nps").verdict == (
            "NPS: not enough data (4 answers on one side, at least 10 needed)"
        )

    def test_nps_and_ces_compare_their_scores(self, api_inbox: Inbox, pilot_team: Team) -> None:
        add_facts(40, inbox=api_inbox, team=pilot_team, nps=10, ces=7)
        add_facts(20, inbox=api_inbox, nps=10, ces=5)
        add_facts(20, inbox=api_inbox, nps=2, ces=5)
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        nps, ces = row(report, "nps"), row(report, "ces")
        assert (nps.value, nps.other_value) == ("100", "0")
        assert nps.verdict == "NPS 100 points higher (better), significant at 95 %"
        assert (ces.value, ces.other_value) == ("7.00", "5.00")
        assert ces.verdict == "CES 2.0 higher (better), significant at 95 %"

    def test_the_group_is_compared_with_its_own_past(
        self, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        # October has 31 days: the past is 31 days before, from 31 August to 30 September.
        add_facts(40, inbox=api_inbox, team=pilot_team, first_response_s=spread(300, 40))
        add_facts(40, inbox=api_inbox, team=pilot_team, day=datetime.date(2026, 8, 31),
                  first_response_s=spread(900, 40))
        # Before the past and after the pilot: counted nowhere.
        add_facts(40, inbox=api_inbox, team=pilot_team, day=datetime.date(2026, 8, 30))
        add_facts(40, inbox=api_inbox, team=pilot_team, day=datetime.date(2026, 11, 1))
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        past = report.against_past
        assert (past.other_start, past.other_end) == (
            datetime.date(2026, 8, 31), datetime.date(2026, 9, 30)
        )
        first = row(report, "first_response", past=True)
        assert first.verdict == "First response 67 % faster, significant at 95 %"
        volume = row(report, "volume", past=True)
        assert (volume.value, volume.other_value) == ("40", "40")
        assert volume.verdict == "Volume about the same, not significant"

    def test_volume_against_the_rest_is_context_only(
        self, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        add_facts(20, inbox=api_inbox, team=pilot_team)
        add_facts(80, inbox=api_inbox)
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

        volume = row(report, "volume")
        assert (volume.value, volume.other_value) == ("20", "80")
        assert volume.verdict == "Volume shown for context, not compared"


class TestGroups:
    def test_a_label_pilot_holds_every_conversation_with_the_label_once(
        self, api_inbox: Inbox
    ) -> None:
        callback, billing = Label.objects.create(name="callback"), Label.objects.create(
            name="billing")
        add_facts(3, inbox=api_inbox, labels=[billing, callback], topic="billing")
        add_facts(2, inbox=api_inbox, labels=[billing], topic="billing")
        pilot = make_pilot(group_kind=GroupKind.LABEL, label=callback)

        report = pilots.compare_pilot(pilot)
        assert (row(report, "volume").value, row(report, "volume").other_value) == ("3", "2")

    def test_a_segment_pilot_reads_the_customers_segment(self, api_inbox: Inbox) -> None:
        add_facts(4, inbox=api_inbox, segment="gold")
        add_facts(6, inbox=api_inbox, segment="standard")
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.SEGMENT, segment="gold"))
        assert (row(report, "volume").value, row(report, "volume").other_value) == ("4", "6")

    def test_an_inbox_pilot_reads_the_inbox(self, api_inbox: Inbox, email_inbox: Inbox) -> None:
        add_facts(5, inbox=email_inbox)
        add_facts(7, inbox=api_inbox)
        report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.INBOX, inbox=email_inbox))
        assert (row(report, "volume").value, row(report, "volume").other_value) == ("5", "7")


class TestSavePilot:
    def test_a_supervisor_creates_a_pilot_and_is_its_author(
        self, supervisor: User, pilot_team: Team, api_inbox: Inbox
    ) -> None:
        # Fields of another kind left by a form are dropped: one group per pilot.
        pilot = pilots.save_pilot(supervisor, Pilot(
            name="Callbacks", group_kind=GroupKind.TEAM, team=pilot_team, inbox=api_inbox,
            starts_on=START, ends_on=END,
        ))
        pilot.refresh_from_db()
        assert pilot.created_by == supervisor
        assert (pilot.team, pilot.inbox) == (pilot_team, None)

    def test_an_agent_may_not(self, agent: User, pilot_team: Team) -> None:
        with pytest.raises(PermissionDenied):
            pilots.save_pilot(agent, Pilot(name="Mine", group_kind=GroupKind.TEAM,
                                           team=pilot_team, starts_on=START, ends_on=END))
        assert not Pilot.objects.exists()


def test_durations_read_as_people_say_them() -> None:
    assert pilots.format_duration(45) == "45 s"
    assert pilots.format_duration(252) == "4 min 12 s"
    assert pilots.format_duration(3 * 3600 + 300) == "3 h 05 min"
    assert pilots.format_duration(-(2 * 86400 + 4 * 3600)) == "-2 d 4 h"


def test_figures_that_read_as_zero_carry_no_sign(api_inbox: Inbox, pilot_team: Team) -> None:
    add_facts(20, inbox=api_inbox, team=pilot_team, first_response_s=0.0, is_fcr=True)
    add_facts(20, inbox=api_inbox, first_response_s=0.0, is_fcr=True)
    report = pilots.compare_pilot(make_pilot(group_kind=GroupKind.TEAM, team=pilot_team))

    first, fcr = row(report, "first_response"), row(report, "fcr")
    assert (first.difference, first.interval) == ("0 s", "0 s to 0 s")
    assert first.verdict == "First response about the same, not significant (too few conversations)"
    assert (fcr.difference, fcr.value) == ("0.0 pts", "100.0 %")
