"""Reading the queues: positions and wait estimates.

A queue is one channel kind for one team (or for no team): "chat for Support", "e-mail without
a team". Positions count from 1 in the queue order (priority, then gold first under a
value-priority policy, then arrival).

Wait estimate for the conversation at position p:

    estimated_wait_seconds = p * average handle time / slots

- average handle time: the mean of (resolved - assigned) over the last
  `HANDLE_TIME_SAMPLE` conversations of that channel kind that an agent handled, or
  `DEFAULT_HANDLE_SECONDS` before there are any;
- slots: the summed capacity on that channel kind of the online agents eligible for the
  conversation (skills and team). While it waits they are all busy, so a slot frees up every
  handle time ÷ slots on average and the p-th in line gets the p-th.
No online agent can take it: no estimate (None).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Case, F, Q, When, Window
from django.db.models.functions import RowNumber

from omnicanal.accounts.models import Team
from omnicanal.conversations.models import Conversation
from omnicanal.routing.models import (
    WAITING,
    AgentCapacity,
    ConversationRouting,
    has_required_skills,
)

DEFAULT_HANDLE_SECONDS = 300
HANDLE_TIME_SAMPLE = 50


@dataclass(frozen=True)
class QueuePosition:
    conversation_id: int
    channel: str
    team_id: int | None
    position: int
    estimated_wait_seconds: int | None


def average_handle_seconds(channel: str) -> float:
    """Mean handling time of the channel kind's latest handled conversations."""
    handled = (
        ConversationRouting.objects.filter(
            channel=channel, assigned_at__isnull=False, resolved_at__isnull=False
        )
        .order_by("-resolved_at")
        .values_list("assigned_at", "resolved_at")[:HANDLE_TIME_SAMPLE]
    )
    durations = [
        (resolved - assigned).total_seconds()
        for assigned, resolved in handled
        if assigned is not None and resolved is not None
    ]
    if not durations:
        return float(DEFAULT_HANDLE_SECONDS)
    return sum(durations) / len(durations)


@dataclass(frozen=True)
class _OnlineSlot:
    agent_id: int
    capacity: int
    skills: dict[str, float]
    team_ids: frozenset[int]


def queue_positions() -> list[QueuePosition]:
    """Every waiting conversation, in queue order, with its position in its queue and an
    estimated wait (see the module docstring for the formula)."""
    waiting = list(
        ConversationRouting.objects.filter(WAITING)
        .order_by("priority", "value_rank", "queued_at", "pk")
        .values_list("pk", "channel", "team_id", "required_skills", "skills_key")
    )
    if not waiting:
        return []
    slots_by_channel = _online_slots({channel for _, channel, _, _, _ in waiting})
    handle_seconds: dict[str, float] = {}
    eligible_slots: dict[tuple[str, int | None, str], int] = {}
    lengths: dict[tuple[str, int | None], int] = defaultdict(int)
    positions = []
    for conversation_id, channel, team_id, required, key in waiting:
        lengths[(channel, team_id)] += 1
        position = lengths[(channel, team_id)]
        group = (channel, team_id, key)
        if group not in eligible_slots:
            eligible_slots[group] = sum(
                slot.capacity
                for slot in slots_by_channel.get(channel, [])
                if (team_id is None or team_id in slot.team_ids)
                and has_required_skills(slot.skills, required)
            )
        slots = eligible_slots[group]
        estimate = None
        if slots:
            if channel not in handle_seconds:
                handle_seconds[channel] = average_handle_seconds(channel)
            estimate = _wait_estimate(position, handle_seconds[channel], slots)
        positions.append(QueuePosition(conversation_id, channel, team_id, position, estimate))
    return positions


def _wait_estimate(position: int, handle_seconds: float, slots: int) -> int:
    # Half up, not Python's half-to-even.
    return math.floor(position * handle_seconds / slots + 0.5)


def queue_status(conversation_id: int) -> QueuePosition | None:
    """One conversation's position in its queue and its estimated wait, as `queue_positions`
    gives them, without reading the whole queue: the conversations ahead are counted in one
    query on the queue index. None when the conversation is not waiting (assigned, resolved,
    or never queued)."""
    routing = (
        ConversationRouting.objects.filter(WAITING, pk=conversation_id)
        .values_list("channel", "team_id", "priority", "value_rank", "queued_at",
                     "required_skills")
        .first()
    )
    if routing is None:
        return None
    channel, team_id, priority, value_rank, queued_at, required = routing
    # Strictly before in (priority, value_rank, queued_at, id): the queue order.
    ahead = (
        Q(priority__lt=priority)
        | Q(priority=priority, value_rank__lt=value_rank)
        | Q(priority=priority, value_rank=value_rank, queued_at__lt=queued_at)
        | Q(priority=priority, value_rank=value_rank, queued_at=queued_at,
            pk__lt=conversation_id)
    )
    position = 1 + ConversationRouting.objects.filter(
        WAITING, ahead, channel=channel, team_id=team_id
    ).count()
    slots = sum(
        slot.capacity
        for slot in _online_slots({channel}).get(channel, [])
        if (team_id is None or team_id in slot.team_ids)
        and has_required_skills(slot.skills, required)
    )
    estimate = None
    if slots:
        estimate = _wait_estimate(position, average_handle_seconds(channel), slots)
    return QueuePosition(conversation_id, channel, team_id, position, estimate)


def queue_places(conversation_ids: Collection[int]) -> dict[int, int]:
    """The place in its queue of each of these conversations that waits (a list page), in one
    query whatever their number: the waiting conversations of their channel kinds ranked in
    the queue order, read as (id, place) pairs. No estimate: that costs the slots and handle
    times, which the conversation page shows."""
    if not conversation_ids:
        return {}
    wanted = set(conversation_ids)
    page_channels = ConversationRouting.objects.filter(WAITING, pk__in=wanted).values("channel")
    place = Window(
        RowNumber(),
        partition_by=[F("channel"), F("team_id")],
        order_by=[F("priority").asc(), F("value_rank").asc(), F("queued_at").asc(),
                  F("pk").asc()],
    )
    # Ranked whole, then picked: a filter on the id alone would rank the picked ones only;
    # one that names the window is applied to the ranked rows (Django's QUALIFY), so only
    # the page's come back.
    ranked = (
        ConversationRouting.objects.filter(WAITING, channel__in=page_channels)
        .annotate(place=place, page_place=Case(When(pk__in=wanted, then=place)))
        .filter(page_place__isnull=False)
        .values_list("pk", "place")
    )
    return dict(ranked)


def attach_queue_places(conversations: Sequence[Conversation]) -> None:
    """Set `queue_place` (None unless waiting) on each conversation of a list page."""
    places = queue_places([conversation.pk for conversation in conversations])
    for conversation in conversations:
        # Like the page's annotations (preview_text…): read by the row template.
        setattr(conversation, "queue_place", places.get(conversation.pk))  # noqa: B010


def _online_slots(channels: set[str]) -> dict[str, list[_OnlineSlot]]:
    rows = list(
        AgentCapacity.objects.filter(
            channel__in=channels,
            capacity__gt=0,
            is_available=True,
            profile__agent__is_active=True,
        ).values_list("channel", "profile_id", "capacity", "profile__skills")
    )
    teams: dict[int, set[int]] = defaultdict(set)
    memberships = Team.members.through.objects.filter(
        user_id__in={agent_id for _, agent_id, _, _ in rows}
    ).values_list("user_id", "team_id")
    for agent_id, team_id in memberships:
        teams[agent_id].add(team_id)
    by_channel: dict[str, list[_OnlineSlot]] = defaultdict(list)
    for channel, agent_id, capacity, skills in rows:
        by_channel[channel].append(
            _OnlineSlot(agent_id, capacity, skills, frozenset(teams[agent_id]))
        )
    return by_channel
