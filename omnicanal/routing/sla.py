"""SLA clocks: each conversation's first response, next response and resolution, measured in
its calendar's business time against the policy that matches it.

Driven by domain events through the outbox (subscribed in `RoutingConfig.ready`), each applied
at the moment it was recorded, so an event caught up after a crash counts when it happened:

- a customer's message (not an auto-reply) starts the first response clock of a conversation
  the customer opened, the resolution clock, and a next response clock when the customer was
  not already waiting (our reply came last) or when the message reopens a resolved
  conversation. A customer answering a conversation we started is owed a next response;
- a human reply (an agent's, or one sent from the provider's own app and echoed to us; not an
  auto-reply, not a bot) stops the running response clock;
- resolving stops every clock; reopening (by the customer or an agent) starts a new
  resolution clock, as Zendesk restarts next reply and resolution on reopen. Earlier clocks
  stay as history;
- pending (waiting on the customer) and "snoozed until the customer replies" pause every
  clock; a snooze with a wake-up time does not: the team chose to put the customer off, the
  customer still waits, and a snooze must not hide a late answer;
- a change of priority or team re-matches the policy and the calendar (the value tier and a
  supervisor's edits of the policies are picked up then too): a clock whose target changes
  keeps the business time it has used and gets a new deadline. A new clock always starts
  under the policy in force.

`check_sla_clocks` (a periodic task) records `sla.warning` and `sla.breached` once per clock;
a clock stopped or paused after its deadline records its breach then, if the task had not.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from omnicanal.conversations.events import record_event
from omnicanal.conversations.models import (
    Conversation,
    Direction,
    Message,
    OutboxEvent,
    Status,
)
from omnicanal.routing.business_hours import (
    NeverOpen,
    Schedule,
    add_business_time,
    business_seconds_between,
)
from omnicanal.routing.models import (
    ACTIVE_CLOCK,
    RUNNING_CLOCK,
    BusinessCalendar,
    OpeningHours,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    TeamCalendar,
    routing_channel,
)

RESPONSE_TARGETS = (SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE)

# Outbox event kinds the clocks follow.
SUBSCRIBED_KINDS = (
    "message.created",
    "conversation.status_changed",
    "conversation.updated",
    "conversation.assigned",
)

# What can change a conversation's policy or calendar (priority, team). Messages and status
# changes cannot, and re-reading the policies on each of them would cost three queries.
TERMS_KINDS = ("conversation.updated", "conversation.assigned")

# Written by a person: an agent's reply, or one sent from the provider's own app (an echo).
# The same rule as `_is_human_reply`, for queries.
HUMAN_REPLY = Q(direction=Direction.OUTGOING, is_auto_reply=False) & (
    Q(author__isnull=False) | Q(metadata__echo=True)
)


# Policies and calendars.


def policy_for(conversation: Conversation) -> SlaPolicy | None:
    """The first active policy, by position, whose every set condition matches."""
    conditions = (
        (Q(priority__isnull=True) | Q(priority=conversation.priority))
        & (Q(value_tier="") | Q(value_tier=conversation.contact.value_tier))
        & (Q(channel="") | Q(channel=routing_channel(conversation.inbox.channel)))
        & (Q(inbox__isnull=True) | Q(inbox_id=conversation.inbox_id))
    )
    if conversation.team_id is None:
        conditions &= Q(team__isnull=True)
    else:
        conditions &= Q(team__isnull=True) | Q(team_id=conversation.team_id)
    return SlaPolicy.objects.filter(conditions, is_active=True).order_by("position", "pk").first()


def calendar_for(conversation: Conversation) -> BusinessCalendar | None:
    """The team's calendar, else the default one; None: around the clock."""
    if conversation.team_id is not None:
        link = (
            TeamCalendar.objects.filter(team_id=conversation.team_id)
            .select_related("calendar").first()
        )
        if link is not None:
            return link.calendar
    return BusinessCalendar.objects.filter(is_default=True).first()


class _Schedules:
    """Each calendar's schedule, read once per event."""

    def __init__(self) -> None:
        self._by_id: dict[int, Schedule] = {}

    def remember(self, calendar: BusinessCalendar) -> None:
        if calendar.pk not in self._by_id:
            self._by_id[calendar.pk] = calendar.schedule()

    def get(self, calendar_id: int | None) -> Schedule | None:
        if calendar_id is None:
            return None
        if calendar_id not in self._by_id:
            calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
            if calendar is None:
                return None
            self._by_id[calendar_id] = calendar.schedule()
        return self._by_id[calendar_id]


# One clock's arithmetic. The caller holds the conversation's row lock.


def _plan(clock: SlaClock, schedule: Schedule | None) -> None:
    """Deadline and warning time of a running clock, from what it has left."""
    assert clock.running_since is not None
    clock.due_at = clock.warn_at = None
    try:
        if clock.target_seconds is not None:
            left = max(clock.target_seconds - clock.elapsed_seconds, 0)
            clock.due_at = add_business_time(schedule, clock.running_since, left)
        if (
            clock.warning_seconds is not None and clock.warned_at is None
            and clock.elapsed_seconds < clock.warning_seconds
        ):
            left = clock.warning_seconds - clock.elapsed_seconds
            clock.warn_at = add_business_time(schedule, clock.running_since, left)
    except NeverOpen:
        # A calendar closed for years: the clock measures but is never due.
        clock.due_at = clock.warn_at = None


def _checkpoint(clock: SlaClock, schedules: _Schedules, at: dt.datetime) -> None:
    """Close the running segment at `at`; a deadline passed by then is a breach."""
    if clock.running_since is None:
        return
    if clock.due_at is not None and clock.due_at < at and clock.breached_at is None:
        _record_breach(clock)
    schedule = schedules.get(clock.calendar_id)
    clock.elapsed_seconds += business_seconds_between(schedule, clock.running_since, at)
    clock.running_since = max(at, clock.running_since)


def _record_breach(clock: SlaClock) -> None:
    assert clock.due_at is not None
    clock.breached_at = clock.due_at
    record_event("sla.breached", clock.conversation, target=clock.target,
                 due_at=clock.due_at.isoformat())


def _record_warning(clock: SlaClock, now: dt.datetime) -> None:
    assert clock.due_at is not None
    clock.warned_at = now
    record_event("sla.warning", clock.conversation, target=clock.target,
                 due_at=clock.due_at.isoformat())


@dataclass
class _Terms:
    policy: SlaPolicy | None
    calendar_id: int | None

    def target_seconds(self, target: str) -> int | None:
        return self.policy.target_seconds(target) if self.policy else None

    def warning_seconds(self, target: str) -> int | None:
        seconds = self.target_seconds(target)
        if self.policy is None or seconds is None:
            return None
        return self.policy.warning_seconds(seconds)


class _ConversationClocks:
    """The clocks of one locked conversation, as one event changes them."""

    def __init__(self, conversation: Conversation, at: dt.datetime) -> None:
        self.conversation = conversation
        self.at = at
        self.schedules = _Schedules()
        self.active = {
            clock.target: clock
            for clock in SlaClock.objects.select_for_update().filter(
                ACTIVE_CLOCK, conversation=conversation
            )
        }
        for clock in self.active.values():
            clock.conversation = conversation

    @functools.cached_property
    def terms(self) -> _Terms:
        # Read only when a clock runs or starts: most events on most conversations need none.
        calendar = calendar_for(self.conversation)
        if calendar is not None:
            self.schedules.remember(calendar)
        return _Terms(policy_for(self.conversation), calendar.pk if calendar else None)

    def has_history(self) -> bool:
        return bool(self.active) or SlaClock.objects.filter(conversation=self.conversation).exists()

    def start(self, target: SlaTarget, *, is_paused: bool) -> None:
        if target in self.active:
            return
        clock = SlaClock(
            conversation=self.conversation,
            target=target,
            policy=self.terms.policy,
            calendar_id=self.terms.calendar_id,
            target_seconds=self.terms.target_seconds(target),
            warning_seconds=self.terms.warning_seconds(target),
            started_at=self.at,
            running_since=None if is_paused else self.at,
        )
        if not is_paused:
            _plan(clock, self.schedules.get(clock.calendar_id))
        clock.save()
        self.active[target] = clock

    def stop(self, target: SlaTarget) -> None:
        clock = self.active.pop(target, None)
        if clock is None:
            return
        _checkpoint(clock, self.schedules, self.at)
        clock.running_since = None
        clock.warn_at = None
        clock.stopped_at = max(self.at, clock.started_at)
        # due_at stays: a stopped clock was met when it stopped by then.
        clock.save()

    def apply_terms(self) -> None:
        """Re-target the active clocks whose policy, calendar or targets changed."""
        for clock in self.active.values():
            target = clock.target
            wanted = (
                self.terms.policy.pk if self.terms.policy else None,
                self.terms.calendar_id,
                self.terms.target_seconds(target),
                self.terms.warning_seconds(target),
            )
            current = (clock.policy_id, clock.calendar_id, clock.target_seconds,
                       clock.warning_seconds)
            if wanted == current:
                continue
            _checkpoint(clock, self.schedules, self.at)
            clock.policy = self.terms.policy
            (_, clock.calendar_id, clock.target_seconds, clock.warning_seconds) = wanted
            if clock.running_since is not None:
                _plan(clock, self.schedules.get(clock.calendar_id))
            clock.save()

    def record_next_due(self) -> None:
        """Copy the next deadline of the running targets onto the conversation (its
        `sla_due_at`, which the list sorts by), when it moved. The conversation is locked."""
        due = [
            clock.due_at for clock in self.active.values()
            if clock.running_since is not None and clock.due_at is not None
            and clock.target_seconds is not None
        ]
        next_due = min(due, default=None)
        if next_due != self.conversation.sla_due_at:
            Conversation.objects.filter(pk=self.conversation.pk).update(sla_due_at=next_due)
            self.conversation.sla_due_at = next_due

    def follow_status(self, status: str) -> None:
        """Pause or resume every active clock as the status says."""
        is_paused = _pauses(status, self.conversation)
        for clock in self.active.values():
            if is_paused and clock.running_since is not None:
                _checkpoint(clock, self.schedules, self.at)
                clock.running_since = clock.due_at = clock.warn_at = None
                clock.save()
            elif not is_paused and clock.running_since is None:
                clock.running_since = max(self.at, clock.started_at)
                _plan(clock, self.schedules.get(clock.calendar_id))
                clock.save()


def _pauses(status: str, conversation: Conversation) -> bool:
    if status == Status.PENDING:
        return True
    # The event says snoozed; whether until a time or until the customer replies is read
    # from the conversation (the event does not carry it).
    return status == Status.SNOOZED and conversation.snoozed_until is None


# Event handlers (outbox subscribers).


def handle_event(event: OutboxEvent) -> None:
    payload: dict[str, Any] = event.payload
    if event.kind == "message.created" and payload.get("direction") not in (
        Direction.INCOMING, Direction.OUTGOING,
    ):
        return  # notes and activity lines change nothing
    if event.conversation_id is None:
        return
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("inbox", "contact")
        .filter(pk=event.conversation_id)
        .first()
    )
    if conversation is None:
        return
    clocks = _ConversationClocks(conversation, event.created_at)
    _follow_event(event, clocks)
    clocks.record_next_due()


def _follow_event(event: OutboxEvent, clocks: _ConversationClocks) -> None:
    payload: dict[str, Any] = event.payload
    conversation = clocks.conversation
    status = str(payload.get("status", conversation.status))
    if event.kind in TERMS_KINDS:
        clocks.apply_terms()
    if event.kind == "message.created":
        message_id = payload.get("message_id")
        message = Message.objects.filter(pk=message_id).first() if message_id else None
        if message is None:
            return
        if message.direction == Direction.INCOMING and not message.is_auto_reply:
            clocks.follow_status(status)
            _customer_wrote(clocks, message, status)
        elif _is_human_reply(message):
            for target in RESPONSE_TARGETS:
                clocks.stop(target)
        return
    if event.kind == "conversation.status_changed":
        if status == Status.RESOLVED:
            for active in list(clocks.active):
                clocks.stop(SlaTarget(active))
            return
        if SlaTarget.RESOLUTION not in clocks.active and clocks.has_history():
            clocks.start(SlaTarget.RESOLUTION, is_paused=_pauses(status, conversation))
        clocks.follow_status(status)


def _is_human_reply(message: Message) -> bool:
    return (
        message.direction == Direction.OUTGOING and not message.is_auto_reply
        and (message.author_id is not None or bool(message.metadata.get("echo")))
    )


def _customer_wrote(clocks: _ConversationClocks, message: Message, status: str) -> None:
    is_paused = _pauses(status, clocks.conversation)
    if not clocks.has_history():
        we_wrote_first = Message.objects.filter(
            HUMAN_REPLY, conversation=clocks.conversation, pk__lt=message.pk
        ).exists()
        first = SlaTarget.NEXT_RESPONSE if we_wrote_first else SlaTarget.FIRST_RESPONSE
        clocks.start(first, is_paused=is_paused)
        clocks.start(SlaTarget.RESOLUTION, is_paused=is_paused)
        return
    # Resolution stopped (the conversation was resolved) or no response clock running (our
    # reply came last): the customer starts waiting now. Already waiting: nothing changes,
    # the clock counts from their first unanswered message.
    if not any(target in clocks.active for target in RESPONSE_TARGETS):
        clocks.start(SlaTarget.NEXT_RESPONSE, is_paused=is_paused)
    clocks.start(SlaTarget.RESOLUTION, is_paused=is_paused)


# The periodic check.


@dataclass(frozen=True)
class CheckOutcome:
    warnings: int
    breaches: int


def check_sla_clocks(*, now: dt.datetime | None = None, limit: int = 500) -> CheckOutcome:
    """Record `sla.breached` for running clocks past their deadline and `sla.warning` for
    those past their warning time, once each. Each clock in its own transaction, re-checked
    under its lock: the conversation may have moved on since the scan, and two checks at
    once must not record an event twice."""
    now = now or timezone.now()
    breaches = 0
    due = SlaClock.objects.filter(RUNNING_CLOCK, breached_at__isnull=True, due_at__lte=now)
    for clock_id in due.order_by("due_at").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            clock = _locked(due.filter(pk=clock_id))
            if clock is not None:
                _record_breach(clock)
                clock.save(update_fields=["breached_at"])
                breaches += 1
    warnings = 0
    warn = SlaClock.objects.filter(
        RUNNING_CLOCK, warned_at__isnull=True, breached_at__isnull=True, warn_at__lte=now,
        due_at__gt=now,
    )
    for clock_id in warn.order_by("warn_at").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            clock = _locked(warn.filter(pk=clock_id))
            if clock is not None:
                _record_warning(clock, now)
                clock.save(update_fields=["warned_at"])
                warnings += 1
    return CheckOutcome(warnings=warnings, breaches=breaches)


def _locked(queryset: Any) -> SlaClock | None:
    result: SlaClock | None = (
        queryset.select_for_update(of=("self",), skip_locked=True)
        .select_related("conversation").first()
    )
    return result


# What the UI shows.


@dataclass(frozen=True)
class SlaStatus:
    target: SlaTarget
    due_at: dt.datetime | None
    is_breached: bool
    is_paused: bool
    is_warning: bool

    @property
    def target_label(self) -> str:
        return str(self.target.label)


def _status(clock: SlaClock, now: dt.datetime) -> SlaStatus:
    is_breached = clock.breached_at is not None or (
        clock.due_at is not None and clock.running_since is not None and clock.due_at <= now
    )
    return SlaStatus(
        target=SlaTarget(clock.target),
        due_at=clock.due_at if clock.running_since is not None else None,
        is_breached=is_breached,
        is_paused=clock.running_since is None,
        is_warning=not is_breached and clock.warn_at is not None and clock.warn_at <= now,
    )


def _pressing_first(status: SlaStatus) -> tuple[int, int, dt.datetime]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (0 if status.is_breached else 1, 1 if status.is_paused else 0, status.due_at or far)


def sla_statuses(
    conversation_ids: list[int], *, now: dt.datetime | None = None
) -> dict[int, SlaStatus]:
    """The most pressing target of each conversation (breached, then the nearest deadline,
    then paused), in one query; conversations with no target running are left out."""
    now = now or timezone.now()
    by_conversation: dict[int, list[SlaStatus]] = {}
    clocks = SlaClock.objects.filter(
        ACTIVE_CLOCK, conversation_id__in=conversation_ids, target_seconds__isnull=False
    )
    for clock in clocks:
        by_conversation.setdefault(clock.conversation_id, []).append(_status(clock, now))
    return {pk: min(statuses, key=_pressing_first) for pk, statuses in by_conversation.items()}


def attach_sla_statuses(
    conversations: Sequence[Conversation], *, now: dt.datetime | None = None
) -> None:
    """Set `sla_status` on each conversation of a list page, in one query for the page."""
    statuses = sla_statuses([conversation.pk for conversation in conversations], now=now)
    for conversation in conversations:
        # Like the page's annotations (preview_text…): read by the row template.
        setattr(conversation, "sla_status", statuses.get(conversation.pk))  # noqa: B010


def sla_status(conversation: Conversation, *, now: dt.datetime | None = None) -> SlaStatus | None:
    """What the conversation page shows: which target, due when, breached or paused."""
    return sla_statuses([conversation.pk], now=now).get(conversation.pk)


@dataclass(frozen=True)
class AtRisk:
    conversation: Conversation
    status: SlaStatus


def conversations_at_risk(now: dt.datetime | None = None, limit: int = 50) -> list[AtRisk]:
    """Open conversations with a target breached or past its warning time, most urgent
    first (breached, then by deadline): the supervisor's view."""
    now = now or timezone.now()
    at_risk = SlaClock.objects.filter(ACTIVE_CLOCK, target_seconds__isnull=False).filter(
        Q(breached_at__isnull=False)
        | Q(running_since__isnull=False, due_at__lte=now)
        | Q(running_since__isnull=False, warn_at__lte=now)
    ).select_related("conversation__inbox", "conversation__contact",
                     "conversation__assignee", "conversation__team").prefetch_related(
        "conversation__contact__identities"  # the contact's display name
    )
    chosen: dict[int, AtRisk] = {}
    # Bounded: every active at-risk clock of a conversation counts once, so a few times the
    # limit covers the page even when conversations have several targets at risk.
    for clock in at_risk.order_by(F("due_at").asc(nulls_first=True))[: limit * 3]:
        status = _status(clock, now)
        current = chosen.get(clock.conversation_id)
        if current is None or _pressing_first(status) < _pressing_first(current.status):
            chosen[clock.conversation_id] = AtRisk(clock.conversation, status)
    return sorted(chosen.values(), key=lambda row: _pressing_first(row.status))[:limit]


# Setup.


def create_default_sla() -> BusinessCalendar:
    """A French office week (Monday to Friday, 9:00-12:30 and 13:30-18:00, French public
    holidays) as the default calendar, and four policies from the most to the least
    specific. Does nothing when a default calendar exists."""
    existing = BusinessCalendar.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    calendar = BusinessCalendar.objects.create(
        name="Bureaux (France)", time_zone="Europe/Paris", holiday_country="FR",
        is_default=True,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(calendar=calendar, weekday=weekday, opens_at=opens, closes_at=closes)
        for weekday in range(5)
        for opens, closes in ((dt.time(9), dt.time(12, 30)), (dt.time(13, 30), dt.time(18)))
    )
    hour = dt.timedelta(hours=1)
    day = 8 * hour  # one business day of this calendar
    SlaPolicy.objects.bulk_create([
        SlaPolicy(name="Urgent", position=10, priority=1, first_response_time=hour / 2,
                  next_response_time=hour, resolution_time=4 * hour),
        SlaPolicy(name="Clients gold", position=20, value_tier="gold",
                  first_response_time=hour, next_response_time=2 * hour,
                  resolution_time=day),
        SlaPolicy(name="Chat", position=30, channel="chat", first_response_time=hour / 4,
                  next_response_time=hour / 2, resolution_time=day),
        SlaPolicy(name="Standard", position=100, first_response_time=4 * hour,
                  next_response_time=day, resolution_time=3 * day),
    ])
    return calendar
