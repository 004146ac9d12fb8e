"""SLA clocks driven by what customers and agents do, on a Paris office calendar with French
public holidays (Monday to Friday, 9:00-18:00). Deadlines below are computed by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import Contact, ValueTier
from omnicanal.conversations import actions, outbox
from omnicanal.conversations.ingest import ingest, ingest_echo
from omnicanal.conversations.models import Inbox, OutboxEvent, Status
from omnicanal.routing.automation import automation_user
from omnicanal.routing.models import (
    BusinessCalendar,
    OpeningHours,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    TeamCalendar,
)
from omnicanal.routing.sla import check_sla_clocks, conversations_at_risk, sla_status

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HOUR = dt.timedelta(hours=1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


class Clock:
    """The time every timezone.now() reads: what ingest, actions and the outbox stamp."""

    def __init__(self) -> None:
        self.now = paris(2026, 11, 23, 9)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    current = Clock()
    monkeypatch.setattr(timezone, "now", lambda: current.now)
    yield current


@pytest.fixture
def office(db: Any) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(name="Paris", is_default=True)
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens_at=dt.time(9),
                                    closes_at=dt.time(18))
    return calendar


@pytest.fixture
def policy(office: BusinessCalendar) -> SlaPolicy:
    return SlaPolicy.objects.create(
        name="Standard", position=100, first_response_time=HOUR,
        next_response_time=2 * HOUR, resolution_time=8 * HOUR, warning_percent=80,
    )


def customer_writes(
    clock: Clock, inbox: Inbox, moment: dt.datetime, external_id: str, **fields: Any
) -> int:
    clock.set(moment)
    conversation_id = ingest(inbox, inbound(external_id, **fields)).conversation_id
    outbox.process_pending_events()
    return conversation_id


def agent_does(clock: Clock, moment: dt.datetime, change: Any) -> None:
    clock.set(moment)
    change()
    outbox.process_pending_events()


def clock_of(conversation_id: int, target: SlaTarget) -> SlaClock:
    return SlaClock.objects.filter(conversation_id=conversation_id, target=target).latest("pk")


def sla_events(kind: str) -> list[dict[str, Any]]:
    return [event.payload for event in OutboxEvent.objects.filter(kind=kind).order_by("pk")]


def test_first_response_met_in_time(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    first = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE)
    assert first.due_at == paris(2026, 11, 23, 11)

    agent_does(clock, paris(2026, 11, 23, 10, 30),
               lambda: actions.reply(agent, conversation_id, "Je regarde."))

    first.refresh_from_db()
    assert first.stopped_at == paris(2026, 11, 23, 10, 30)
    assert first.breached_at is None
    clock.set(paris(2026, 11, 23, 12))
    assert check_sla_clocks().breaches == 0
    # What the page shows next: the resolution, due at 18:00 (8 business hours from 10:00).
    status = sla_status(actions.access_conversation(agent, conversation_id))
    assert status is not None
    assert (status.target, status.due_at) == (SlaTarget.RESOLUTION, paris(2026, 11, 23, 18))


def test_first_response_breached_over_a_weekend_is_recorded_once(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    # Friday 17:30: half an hour on Friday, the other half on Monday from 9:00.
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 20, 17, 30), "m-1")
    assert clock_of(conversation_id, SlaTarget.FIRST_RESPONSE).due_at == paris(
        2026, 11, 23, 9, 30
    )

    assert check_sla_clocks(now=paris(2026, 11, 23, 9, 29)).breaches == 0
    assert check_sla_clocks(now=paris(2026, 11, 23, 9, 31)).breaches == 1
    assert check_sla_clocks(now=paris(2026, 11, 23, 9, 45)).breaches == 0

    [breach] = sla_events("sla.breached")
    assert breach == {
        "conversation_id": conversation_id,
        "inbox_id": api_inbox.pk,
        "contact_id": Contact.objects.get().pk,
        "assignee_id": None,
        "status": "open",
        "target": "first_response",
        "due_at": breach["due_at"],
    }
    assert dt.datetime.fromisoformat(breach["due_at"]) == paris(2026, 11, 23, 9, 30)


def test_a_warning_comes_once_at_80_percent_before_the_breach(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 20, 17, 30), "m-1")
    # 80 % of one hour is 48 minutes: 30 on Friday, 18 on Monday.
    assert check_sla_clocks(now=paris(2026, 11, 23, 9, 17)).warnings == 0
    assert check_sla_clocks(now=paris(2026, 11, 23, 9, 19)).warnings == 1
    assert check_sla_clocks(now=paris(2026, 11, 23, 9, 25)).warnings == 0

    warnings = sla_events("sla.warning")
    assert [(w["target"], dt.datetime.fromisoformat(w["due_at"])) for w in warnings] == [
        ("first_response", paris(2026, 11, 23, 9, 30))
    ]
    at_risk = conversations_at_risk(paris(2026, 11, 23, 9, 20))
    assert [(row.conversation.pk, row.status.is_warning) for row in at_risk] == [
        (conversation_id, True)
    ]


def test_a_reply_after_the_deadline_records_the_breach_the_check_missed(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 11, 5),
               lambda: actions.reply(agent, conversation_id, "Désolé du délai."))

    assert [e["target"] for e in sla_events("sla.breached")] == ["first_response"]
    assert check_sla_clocks(now=paris(2026, 11, 23, 11, 10)).breaches == 0
    assert len(sla_events("sla.breached")) == 1


def test_pending_pauses_the_resolution_until_the_customer_answers(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    # Friday 10:00; eight business hours would end Friday 18:00.
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 20, 10), "m-1")
    agent_does(clock, paris(2026, 11, 20, 11), lambda: (
        actions.reply(agent, conversation_id, "Pouvez-vous m'envoyer la facture ?"),
        actions.set_status(agent, conversation_id, Status.PENDING),
    ))
    resolution = clock_of(conversation_id, SlaTarget.RESOLUTION)
    assert resolution.running_since is None and resolution.due_at is None
    assert resolution.elapsed_seconds == 3600
    # Paused, nothing comes due on Friday evening nor through Monday.
    assert check_sla_clocks(now=paris(2026, 11, 23, 18)).breaches == 0

    # Tuesday 10:00 the customer answers: 7 hours left, due Tuesday 17:00.
    customer_writes(clock, api_inbox, paris(2026, 11, 24, 10), "m-2", text="Voici la facture.")

    resolution.refresh_from_db()
    assert resolution.due_at == paris(2026, 11, 24, 17)
    # And the customer now waits for a next response: two hours, by noon.
    assert clock_of(conversation_id, SlaTarget.NEXT_RESPONSE).due_at == paris(2026, 11, 24, 12)


def test_next_response_runs_from_the_customers_message_after_a_reply(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 10, 15),
               lambda: actions.reply(agent, conversation_id, "Pouvez-vous préciser ?"))
    assert not SlaClock.objects.filter(target=SlaTarget.NEXT_RESPONSE).exists()

    customer_writes(clock, api_inbox, paris(2026, 11, 23, 11), "m-2", text="Commande 42.")
    # A second message while waiting does not restart the clock.
    customer_writes(clock, api_inbox, paris(2026, 11, 23, 11, 30), "m-3", text="Vous êtes là ?")
    next_response = clock_of(conversation_id, SlaTarget.NEXT_RESPONSE)
    assert (next_response.started_at, next_response.due_at) == (
        paris(2026, 11, 23, 11), paris(2026, 11, 23, 13)
    )

    agent_does(clock, paris(2026, 11, 23, 12),
               lambda: actions.reply(agent, conversation_id, "Elle part demain."))
    next_response.refresh_from_db()
    assert next_response.stopped_at == paris(2026, 11, 23, 12)
    assert next_response.breached_at is None
    assert SlaClock.objects.filter(target=SlaTarget.NEXT_RESPONSE).count() == 1


def test_a_holiday_in_the_middle_is_not_counted(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    # Monday 13 July 2026 17:00: one hour that day, Tuesday 14 July closed, seven on
    # Wednesday: the resolution is due Wednesday 16:00.
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 7, 13, 17), "m-1")
    assert clock_of(conversation_id, SlaTarget.RESOLUTION).due_at == paris(2026, 7, 15, 16)
    check_sla_clocks(now=paris(2026, 7, 15, 15, 59))
    # The first response (one hour) was due Monday 18:00; the resolution not yet.
    assert [e["target"] for e in sla_events("sla.breached")] == ["first_response"]
    check_sla_clocks(now=paris(2026, 7, 15, 16, 1))
    assert [e["target"] for e in sla_events("sla.breached")] == ["first_response", "resolution"]


def test_a_deadline_across_the_spring_clock_change(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    # Friday 27 March 2026 17:30 (UTC+1): due Monday 30 March 9:30 (UTC+2), 07:30 UTC.
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 3, 27, 17, 30), "m-1")
    due = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE).due_at
    assert due == dt.datetime(2026, 3, 30, 7, 30, tzinfo=dt.UTC)


def test_snoozed_until_the_customer_replies_pauses_but_a_timed_snooze_does_not(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 10, 30),
               lambda: actions.snooze(agent, conversation_id, until=None))
    assert clock_of(conversation_id, SlaTarget.FIRST_RESPONSE).is_paused

    agent_does(clock, paris(2026, 11, 23, 11), lambda: actions.snooze(
        agent, conversation_id, until=paris(2026, 11, 24, 9)))
    first = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE)
    # Half an hour used before the pause: the other half runs from 11:00.
    assert first.due_at == paris(2026, 11, 23, 11, 30)


def test_reopening_starts_a_new_resolution_and_next_response(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 10, 20), lambda: (
        actions.reply(agent, conversation_id, "C'est fait."),
        actions.set_status(agent, conversation_id, Status.RESOLVED),
    ))
    assert not SlaClock.objects.filter(stopped_at__isnull=True).exists()

    customer_writes(clock, api_inbox, paris(2026, 11, 23, 14), "m-2", text="Toujours rien.")

    active = SlaClock.objects.filter(conversation_id=conversation_id, stopped_at__isnull=True)
    assert {(c.target, c.due_at) for c in active} == {
        (SlaTarget.NEXT_RESPONSE, paris(2026, 11, 23, 16)),
        # 4 hours on Monday, 4 on Tuesday.
        (SlaTarget.RESOLUTION, paris(2026, 11, 24, 13)),
    }
    # The first resolution stays as history, met.
    assert SlaClock.objects.filter(target=SlaTarget.RESOLUTION).count() == 2


def test_a_more_urgent_policy_applies_when_the_priority_is_raised(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    SlaPolicy.objects.create(name="Urgent", position=1, priority=1,
                             first_response_time=HOUR / 4, resolution_time=2 * HOUR)
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 10, 10),
               lambda: actions.set_priority(agent, conversation_id, 1))

    first = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE)
    assert first.policy is not None and first.policy.name == "Urgent"
    assert first.due_at == paris(2026, 11, 23, 10, 15)


def test_a_gold_customer_on_a_team_with_its_own_calendar(
    clock: Clock, api_inbox: Inbox, agent: User, team: Team, policy: SlaPolicy
) -> None:
    saturday = BusinessCalendar.objects.create(name="Week-end", time_zone="Europe/Paris")
    OpeningHours.objects.create(calendar=saturday, weekday=5, opens_at=dt.time(10),
                                closes_at=dt.time(16))
    TeamCalendar.objects.create(team=team, calendar=saturday)
    SlaPolicy.objects.create(name="Gold", position=1, value_tier=ValueTier.GOLD,
                             first_response_time=HOUR / 2)
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 20, 17), "m-1")
    Contact.objects.update(value_tier=ValueTier.GOLD)
    agent_does(clock, paris(2026, 11, 20, 17, 5),
               lambda: actions.assign(agent, conversation_id, team_id=team.pk))

    first = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE)
    # Five minutes used on the office calendar; 25 left from Saturday 10:00.
    assert first.policy is not None and first.policy.name == "Gold"
    assert first.due_at == paris(2026, 11, 21, 10, 25)


def test_no_calendar_and_no_policy_still_measures_without_a_deadline(
    clock: Clock, api_inbox: Inbox, agent: User
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 21, 10), "m-1")
    agent_does(clock, paris(2026, 11, 21, 12),
               lambda: actions.reply(agent, conversation_id, "Bonjour !"))

    first = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE)
    assert (first.elapsed_seconds, first.due_at) == (7200, None)
    assert sla_status(actions.access_conversation(agent, conversation_id)) is None


def test_an_automatic_acknowledgement_is_not_the_first_response(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 10, 1), lambda: actions.reply(
        automation_user(), conversation_id, "Bien reçu, nous revenons vers vous.",
        automatic=True,
    ))

    first = clock_of(conversation_id, SlaTarget.FIRST_RESPONSE)
    assert first.stopped_at is None
    assert check_sla_clocks(now=paris(2026, 11, 23, 11, 1)).breaches == 1

    agent_does(clock, paris(2026, 11, 23, 11, 30),
               lambda: actions.reply(agent, conversation_id, "Voici la réponse."))
    first.refresh_from_db()
    assert first.stopped_at == paris(2026, 11, 23, 11, 30)


def test_an_auto_reply_from_the_customer_starts_nothing(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1", is_auto_reply=True)
    assert not SlaClock.objects.exists()


def test_clocks_follow_events_handled_right_after_commit(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy, django_capture_on_commit_callbacks: Any
) -> None:
    clock.set(paris(2026, 11, 23, 10))
    with django_capture_on_commit_callbacks(execute=True):
        conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id

    assert clock_of(conversation_id, SlaTarget.FIRST_RESPONSE).due_at == paris(2026, 11, 23, 11)


def test_a_customer_answering_a_message_we_sent_first_is_owed_a_next_response(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    # Sent from the provider's own app (WhatsApp Business): an echo, written by a person.
    clock.set(paris(2026, 11, 23, 9, 30))
    ingest_echo(api_inbox, inbound("echo-1", "Votre colis est prêt."))
    outbox.process_pending_events()
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")

    targets = set(SlaClock.objects.filter(conversation_id=conversation_id)
                  .values_list("target", flat=True))
    assert targets == {SlaTarget.NEXT_RESPONSE, SlaTarget.RESOLUTION}


def test_breached_conversations_come_before_those_merely_at_risk(
    clock: Clock, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    late = customer_writes(clock, api_inbox, paris(2026, 11, 23, 9), "m-1", email="a@example.fr")
    soon = customer_writes(clock, api_inbox, paris(2026, 11, 23, 9, 40), "m-2",
                           email="b@example.fr")
    customer_writes(clock, api_inbox, paris(2026, 11, 23, 10, 15), "m-3", email="c@example.fr")
    check_sla_clocks(now=paris(2026, 11, 23, 10, 30))

    at_risk = conversations_at_risk(paris(2026, 11, 23, 10, 30))
    # The third conversation has used 15 of its 60 minutes: not at risk yet.
    assert [(row.conversation.pk, row.status.is_breached) for row in at_risk] == [
        (late, True), (soon, False)
    ]


def test_an_agent_reopening_restarts_the_resolution_only(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    agent_does(clock, paris(2026, 11, 23, 10, 20), lambda: (
        actions.reply(agent, conversation_id, "C'est fait."),
        actions.set_status(agent, conversation_id, Status.RESOLVED),
    ))
    agent_does(clock, paris(2026, 11, 23, 15),
               lambda: actions.set_status(agent, conversation_id, Status.OPEN))

    active = SlaClock.objects.filter(conversation_id=conversation_id, stopped_at__isnull=True)
    # Nobody wrote: no response is owed; the resolution restarts, 3 hours Monday, 5 Tuesday.
    assert [(c.target, c.due_at) for c in active] == [
        (SlaTarget.RESOLUTION, paris(2026, 11, 24, 14))
    ]


def test_the_conversation_carries_its_next_deadline_for_the_lists_sla_order(
    clock: Clock, api_inbox: Inbox, agent: User, policy: SlaPolicy
) -> None:
    def next_due() -> dt.datetime | None:
        return actions.access_conversation(agent, conversation_id).sla_due_at

    # Monday 10:00: first response due 11:00, resolution 18:00.
    conversation_id = customer_writes(clock, api_inbox, paris(2026, 11, 23, 10), "m-1")
    assert next_due() == paris(2026, 11, 23, 11)

    agent_does(clock, paris(2026, 11, 23, 10, 30),
               lambda: actions.reply(agent, conversation_id, "Je regarde."))
    assert next_due() == paris(2026, 11, 23, 18)

    # Pending pauses every clock: nothing is due, the conversation sorts last.
    agent_does(clock, paris(2026, 11, 23, 11),
               lambda: actions.set_status(agent, conversation_id, Status.PENDING))
    assert next_due() is None

    # Tuesday 10:00 the customer answers: next response by noon comes before the resolution.
    customer_writes(clock, api_inbox, paris(2026, 11, 24, 10), "m-2", text="Voici.")
    assert next_due() == paris(2026, 11, 24, 12)

    agent_does(clock, paris(2026, 11, 24, 10, 15),
               lambda: actions.set_status(agent, conversation_id, Status.RESOLVED))
    assert next_due() is None
