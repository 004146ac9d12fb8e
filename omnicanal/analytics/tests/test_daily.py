"""The daily facts: what a day's conversations sum to, kept up to date from events, and
rebuilt from the conversation facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from omnicanal.accounts.models import Team, User
from omnicanal.analytics import daily
from omnicanal.analytics.models import DailyFact, DirtyDay
from omnicanal.analytics.tests.reports_factory import at, make_conversation
from omnicanal.conversations.events import record_event
from omnicanal.conversations.models import Inbox
from omnicanal.routing.models import SlaClock, SlaTarget
from omnicanal.surveys.models import AnswerSource, SurveyKind, SurveyResponse

DAY = dt.date(2026, 3, 2)


def test_a_days_conversations_sum_to_one_row_per_inbox_agent_and_topic(
    api_inbox: Inbox, agent: User, team: Team
) -> None:
    make_conversation(api_inbox, at(DAY, 9), agent=agent, team=team, topic="Livraison",
                      first_response_s=45, resolution_s=3000, handle_s=300,
                      customer_messages=3, agent_messages=2)
    make_conversation(api_inbox, at(DAY, 9), agent=agent, team=team, topic="Livraison",
                      first_response_s=700, customer_messages=1, agent_messages=1)
    make_conversation(api_inbox, at(DAY, 14), agent=agent, team=team, topic="Facture",
                      is_abandoned=True, agent_messages=0)

    assert daily.sum_days(DAY, DAY) == 2

    delivery = DailyFact.objects.get(day=DAY, topic="Livraison")
    assert (delivery.opened, delivery.closed, delivery.resolved) == (2, 1, 1)
    assert (delivery.customer_messages, delivery.agent_messages) == (4, 3)
    assert delivery.hour_09 == 2 and delivery.hour_14 == 0
    # 45 s falls in the 30 to 60 s bucket, 700 s in the 600 to 900 s one.
    assert delivery.first_response_b1 == 1 and delivery.first_response_b5 == 1
    assert delivery.first_response_sum == 745 and delivery.handle_sum == 300
    invoice = DailyFact.objects.get(day=DAY, topic="Facture")
    assert (invoice.opened, invoice.abandoned, invoice.answered, invoice.hour_14) == (1, 1, 0, 1)


def test_a_conversation_resolved_days_later_closes_on_that_day(api_inbox: Inbox) -> None:
    make_conversation(api_inbox, at(DAY, 23), resolution_s=2 * 86400)

    daily.sum_days(DAY, DAY + dt.timedelta(days=3))

    rows = {row.day: (row.opened, row.closed) for row in DailyFact.objects.all()}
    assert rows == {DAY: (1, 0), DAY + dt.timedelta(days=2): (0, 1)}


def test_survey_answers_and_sla_clocks_count_on_the_conversations_day(
    api_inbox: Inbox
) -> None:
    fact = make_conversation(api_inbox, at(DAY))
    for kind, score in ((SurveyKind.CSAT, 5), (SurveyKind.NPS, 3), (SurveyKind.CES, 6)):
        SurveyResponse.objects.create(
            kind=kind, conversation=fact.conversation, contact=fact.contact, inbox=api_inbox,
            score=score, source=AnswerSource.REPLY, answered_at=at(DAY, 12),
        )
    # An unparseable answer has no score: it does not count.
    SurveyResponse.objects.create(
        kind=SurveyKind.CSAT, conversation=fact.conversation, contact=fact.contact,
        inbox=api_inbox, score=None, comment="bof", source=AnswerSource.REPLY,
        answered_at=at(DAY, 12),
    )
    SlaClock.objects.create(conversation=fact.conversation, target=SlaTarget.FIRST_RESPONSE,
                            target_seconds=600, started_at=at(DAY), stopped_at=at(DAY, 11))
    SlaClock.objects.create(conversation=fact.conversation, target=SlaTarget.RESOLUTION,
                            target_seconds=3600, started_at=at(DAY), breached_at=at(DAY, 11))
    # Still running and not breached: not decided yet.
    SlaClock.objects.create(conversation=fact.conversation, target=SlaTarget.NEXT_RESPONSE,
                            target_seconds=600, started_at=at(DAY), running_since=at(DAY))

    daily.sum_days(DAY, DAY)

    row = DailyFact.objects.get()
    assert (row.csat_count, row.csat_satisfied) == (1, 1)
    assert (row.nps_count, row.nps_promoters, row.nps_detractors) == (1, 0, 1)
    assert (row.ces_count, row.ces_sum) == (1, 6)
    assert (row.sla_total, row.sla_met) == (2, 1)


def test_an_event_marks_the_conversations_day_and_the_refresh_sums_it(
    api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    fact = make_conversation(api_inbox, at(DAY), customer_messages=2)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_event("conversation.status_changed", fact.conversation)

    assert DAY in set(DirtyDay.objects.values_list("day", flat=True))
    daily.refresh_dirty()

    assert not DirtyDay.objects.exists()
    assert DailyFact.objects.get(day=DAY).customer_messages == 2


def test_rebuild_replaces_every_day_from_the_facts(api_inbox: Inbox) -> None:
    make_conversation(api_inbox, at(DAY))
    make_conversation(api_inbox, at(DAY + dt.timedelta(days=40)))
    DailyFact.objects.create(day=DAY - dt.timedelta(days=5), inbox=api_inbox, channel="api",
                             opened=99)

    daily.rebuild()

    assert sorted(DailyFact.objects.values_list("day", "opened")) == [
        (DAY, 1), (DAY + dt.timedelta(days=40), 1)
    ]
    # From a day on: earlier days are kept as they are.
    DailyFact.objects.filter(day=DAY).update(opened=7)
    daily.rebuild(since=DAY + dt.timedelta(days=1))
    assert DailyFact.objects.get(day=DAY).opened == 7
