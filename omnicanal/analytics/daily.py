"""The reports' daily facts: summed from the conversation facts, the survey answers and the
SLA clocks, one local day at a time.

Event handlers only mark the days a change touches (quick, and indifferent to the order in
which the conversation facts are updated by their own handlers); the periodic refresh sums
those days again, whole. `rebuild` sums every day again, for the `rebuild_analytics` command.

A conversation counts on the day it was created (its messages, durations, surveys and SLA
clocks with it) and, for the backlog, as `closed` on the day it was resolved."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django_tasks import task

from omnicanal.analytics.models import ConversationFact
from omnicanal.analytics.models_reports import (
    BUCKET_COUNT,
    DURATION_BUCKETS,
    DailyFact,
    DirtyDay,
)
from omnicanal.conversations import outbox
from omnicanal.conversations.models import OutboxEvent
from omnicanal.routing.models import SlaClock
from omnicanal.surveys.models import SurveyKind, SurveyResponse

# Events after which some day's figures may have changed.
EVENT_KINDS = (
    "conversation.created",
    "conversation.assigned",
    "conversation.status_changed",
    "conversation.updated",
    "message.created",
    "sla.breached",
    "survey.answered",
)
# Days summed per pass of a rebuild: bounds the conversation ids a query carries.
REBUILD_CHUNK_DAYS = 14

Key = tuple[dt.date, int, int | None, int | None, str, str]


def report_timezone() -> zoneinfo.ZoneInfo:
    """Days are the team's days (settings.TIME_ZONE), whoever asks."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(report_timezone()).date()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=report_timezone())


def bucket_of(seconds: float) -> int:
    for index, bound in enumerate(DURATION_BUCKETS):
        if seconds <= bound:
            return index
    return len(DURATION_BUCKETS)


# --- Marking (event handlers) ---------------------------------------------------------------

def mark_days(days: Iterable[dt.date]) -> None:
    DirtyDay.objects.bulk_create(
        [DirtyDay(day=day) for day in set(days)], ignore_conflicts=True
    )


def handle_event(event: OutboxEvent) -> None:
    """The day the conversation was created (its figures) and the day of the event (a
    resolution counts for the backlog that day)."""
    days = {local_day(event.created_at)}
    if event.conversation_id is not None:
        created_at = (
            ConversationFact.objects.filter(conversation_id=event.conversation_id)
            .values_list("created_at", flat=True).first()
        )
        if created_at is None and event.conversation is not None:
            created_at = event.conversation.created_at
        if created_at is not None:
            days.add(local_day(created_at))
    mark_days(days)


def subscribe_all() -> None:
    """Called by the analytics AppConfig.ready()."""
    for kind in EVENT_KINDS:
        outbox.subscribe(kind, handle_event)


# --- Summing ---------------------------------------------------------------------------------

def _new_row(key: Key) -> DailyFact:
    day, inbox_id, team_id, agent_id, channel, topic = key
    return DailyFact(day=day, inbox_id=inbox_id, team_id=team_id, agent_id=agent_id,
                     channel=channel, topic=topic)


def _add(row: DailyFact, field: str, amount: float = 1) -> None:
    setattr(row, field, getattr(row, field) + amount)


def _surveys(conversation_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    scores: dict[int, list[tuple[str, int]]] = defaultdict(list)
    answers = SurveyResponse.objects.filter(
        conversation_id__in=conversation_ids, score__isnull=False
    ).values_list("conversation_id", "kind", "score")
    for conversation_id, kind, score in answers:
        if score is not None:
            scores[conversation_id].append((kind, score))
    return scores


def _sla(conversation_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(ended clocks with a target, those met) per conversation. A clock is breached when its
    `breached_at` is set; met when it stopped without that."""
    outcome: dict[int, tuple[int, int]] = {}
    clocks = SlaClock.objects.filter(
        Q(stopped_at__isnull=False) | Q(breached_at__isnull=False),
        conversation_id__in=conversation_ids, target_seconds__isnull=False,
    ).values_list("conversation_id", "breached_at")
    for conversation_id, breached_at in clocks:
        total, met = outcome.get(conversation_id, (0, 0))
        outcome[conversation_id] = (total + 1, met + (breached_at is None))
    return outcome


def _sum_days(first: dt.date, last: dt.date) -> list[DailyFact]:
    """The daily facts of the days first..last (inclusive), computed afresh."""
    start, end = day_start(first), day_start(last + dt.timedelta(days=1))
    rows: dict[Key, DailyFact] = {}
    tz = report_timezone()

    def row_for(fact: Any, day: dt.date) -> DailyFact:
        key = (day, fact.inbox_id, fact.team_id, fact.agent_id, fact.channel, fact.topic)
        if key not in rows:
            rows[key] = _new_row(key)
        return rows[key]

    columns = ("conversation", "inbox", "team", "agent", "channel", "topic",
               "created_at", "resolved_at", "is_resolved", "is_abandoned", "first_response_s",
               "resolution_s", "handle_s", "customer_messages", "agent_messages",
               "bot_messages")
    created = list(ConversationFact.objects.filter(created_at__gte=start, created_at__lt=end)
                   .only(*columns))
    ids = [fact.conversation_id for fact in created]
    surveys = _surveys(ids)
    sla = _sla(ids)
    for fact in created:
        local = fact.created_at.astimezone(tz)
        row = row_for(fact, local.date())
        row.opened += 1
        _add(row, f"hour_{local.hour:02d}")
        row.resolved += fact.is_resolved
        row.abandoned += fact.is_abandoned
        row.answered += fact.first_response_s is not None
        row.customer_messages += fact.customer_messages
        row.agent_messages += fact.agent_messages
        row.bot_messages += fact.bot_messages
        for name, seconds in (("first_response", fact.first_response_s),
                              ("resolution", fact.resolution_s)):
            if seconds is not None:
                _add(row, f"{name}_count")
                _add(row, f"{name}_sum", seconds)
                _add(row, f"{name}_b{bucket_of(seconds)}")
        if fact.handle_s is not None:
            row.handle_count += 1
            row.handle_sum += fact.handle_s
        for kind, score in surveys.get(fact.conversation_id, ()):
            if kind == SurveyKind.CSAT:
                row.csat_count += 1
                row.csat_satisfied += score >= 4
            elif kind == SurveyKind.NPS:
                row.nps_count += 1
                row.nps_promoters += score >= 9
                row.nps_detractors += score <= 6
            elif kind == SurveyKind.CES:
                row.ces_count += 1
                row.ces_sum += score
        total, met = sla.get(fact.conversation_id, (0, 0))
        row.sla_total += total
        row.sla_met += met
    closed = ConversationFact.objects.filter(
        is_resolved=True, resolved_at__gte=start, resolved_at__lt=end
    ).only("inbox", "team", "agent", "channel", "topic", "resolved_at")
    for fact in closed:
        assert fact.resolved_at is not None
        row_for(fact, local_day(fact.resolved_at)).closed += 1
    return list(rows.values())


def sum_days(first: dt.date, last: dt.date) -> int:
    """Replace the daily facts of first..last (inclusive); returns the rows written."""
    rows = _sum_days(first, last)
    with transaction.atomic():
        DailyFact.objects.filter(day__gte=first, day__lte=last).delete()
        DailyFact.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def refresh_dirty() -> int:
    """Sum again the days marked since the last refresh. A day marked while this runs is
    marked anew (its mark was taken before summing) and summed at the next refresh."""
    with transaction.atomic():
        days = sorted(DirtyDay.objects.values_list("day", flat=True))
        DirtyDay.objects.filter(day__in=days).delete()
    return sum(sum_days(day, day) for day in days)


@task()
def refresh_daily_facts() -> int:
    """To schedule every minute (settings.PERIODIC_TASKS)."""
    return refresh_dirty()


def rebuild(since: dt.date | None = None) -> int:
    """Sum every day again from `since` (default: the first conversation), through today;
    returns the rows written."""
    bounds = ConversationFact.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    if bounds["first"] is None:
        DailyFact.objects.filter(day__gte=since or dt.date.min).delete()
        return 0
    first = max(since, local_day(bounds["first"])) if since else local_day(bounds["first"])
    last = max(local_day(timezone.now()), local_day(bounds["last"]))
    DailyFact.objects.filter(day__gte=since or dt.date.min, day__lt=first).delete()
    written = 0
    day = first
    while day <= last:
        chunk_end = min(day + dt.timedelta(days=REBUILD_CHUNK_DAYS - 1), last)
        written += sum_days(day, chunk_end)
        day = chunk_end + dt.timedelta(days=1)
    DailyFact.objects.filter(day__gt=last).delete()
    return written


__all__ = ["BUCKET_COUNT", "handle_event", "rebuild", "refresh_dirty", "subscribe_all"]
