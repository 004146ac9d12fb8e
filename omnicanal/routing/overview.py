"""What a supervisor watches: the queues as they stand and every agent's presence and load.

Read-only; the page (`views.supervisor`) re-reads it on every routing event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Conversation
from omnicanal.routing.models import AgentProfile, ConversationRouting, Presence
from omnicanal.routing.queries import queue_positions
from omnicanal.routing.sla import AtRisk, attach_sla_statuses, conversations_at_risk

# A surge can queue thousands: the page shows the head of each queue and counts the rest.
ROWS_PER_QUEUE = 50
AT_RISK_ROWS = 20

CHANNEL_KIND_LABELS = {"chat": _("Chat"), "email": _("E-mail"), "voice": _("Voice")}
_CHANNEL_ORDER = {"chat": 0, "email": 1, "voice": 2}
_PRESENCE_ORDER = {Presence.ONLINE: 0, Presence.AWAY: 1, Presence.OFFLINE: 2}


def channel_kind_label(channel: str) -> str:
    return str(CHANNEL_KIND_LABELS.get(channel, channel))


@dataclass(frozen=True)
class WaitingConversation:
    conversation: Conversation
    position: int
    queued_at: dt.datetime
    estimated_wait_seconds: int | None
    priority: int
    value_tier: str


@dataclass
class Queue:
    team: Team | None
    channel: str
    length: int = 0
    head: list[WaitingConversation] = field(default_factory=list)

    @property
    def channel_label(self) -> str:
        return channel_kind_label(self.channel)

    @property
    def hidden(self) -> int:
        return self.length - len(self.head)


@dataclass(frozen=True)
class Load:
    channel: str
    load: int
    capacity: int

    @property
    def channel_label(self) -> str:
        return channel_kind_label(self.channel)

    @property
    def is_full(self) -> bool:
        return self.load >= self.capacity


@dataclass
class AgentLoad:
    agent: User
    presence: str
    is_away_for_inactivity: bool
    presence_changed_at: dt.datetime | None
    loads: list[Load]
    teams: list[str]
    held: list[Conversation] = field(default_factory=list)


@dataclass(frozen=True)
class Overview:
    queues: list[Queue]
    agents: list[AgentLoad]
    at_risk: list[AtRisk]

    @property
    def waiting(self) -> int:
        return sum(queue.length for queue in self.queues)


def overview() -> Overview:
    return Overview(
        queues=_queues(), agents=_agents(), at_risk=conversations_at_risk(limit=AT_RISK_ROWS)
    )


def _queues() -> list[Queue]:
    queues: dict[tuple[int | None, str], Queue] = {}
    shown: list[tuple[Queue, int, int | None, int]] = []
    for entry in queue_positions():
        key = (entry.team_id, entry.channel)
        queue = queues.setdefault(key, Queue(team=None, channel=entry.channel))
        queue.length += 1
        if entry.position <= ROWS_PER_QUEUE:
            shown.append((queue, entry.conversation_id, entry.estimated_wait_seconds,
                          entry.position))
    ids = [conversation_id for _, conversation_id, _, _ in shown]
    conversations = (
        Conversation.objects.select_related("contact", "inbox")
        .prefetch_related("contact__identities")  # the contact's display name
        .in_bulk(ids)
    )
    attach_sla_statuses(list(conversations.values()))
    routing = ConversationRouting.objects.in_bulk(ids)
    teams = Team.objects.in_bulk([team_id for team_id, _ in queues if team_id is not None])
    for (team_id, _channel), queue in queues.items():
        queue.team = teams.get(team_id) if team_id is not None else None
    for queue, conversation_id, estimate, position in shown:
        row = routing[conversation_id]
        queue.head.append(WaitingConversation(
            conversation=conversations[conversation_id], position=position,
            queued_at=row.queued_at, estimated_wait_seconds=estimate,
            priority=row.priority, value_tier=row.value_tier,
        ))
    # Teams by name, then the conversations of no team; chat, e-mail, voice within each.
    return sorted(
        queues.values(),
        key=lambda q: (q.team is None, q.team.name if q.team else "",
                       _CHANNEL_ORDER.get(q.channel, 9), q.channel),
    )


def _agents() -> list[AgentLoad]:
    agents = list(User.objects.filter(is_active=True).prefetch_related("teams"))
    profiles = AgentProfile.objects.prefetch_related("capacities").in_bulk(
        [agent.pk for agent in agents]
    )
    held: dict[int, list[Conversation]] = defaultdict(list)
    holding = Conversation.objects.filter(
        Q(routing__agent__isnull=False, routing__resolved_at__isnull=True)
    ).select_related("contact", "inbox", "routing").prefetch_related(
        "contact__identities"  # the contact's display name
    ).order_by("routing__assigned_at", "pk")
    for conversation in holding:
        held[conversation.routing.agent_id or 0].append(conversation)
    rows = []
    for agent in agents:
        profile = profiles.get(agent.pk)
        loads = sorted(
            (Load(c.channel, c.load, c.capacity) for c in profile.capacities.all()
             if c.capacity or c.load) if profile else [],
            key=lambda load: (_CHANNEL_ORDER.get(load.channel, 9), load.channel),
        )
        rows.append(AgentLoad(
            agent=agent,
            presence=profile.presence if profile else Presence.OFFLINE,
            is_away_for_inactivity=bool(profile and profile.is_away_for_inactivity),
            presence_changed_at=profile.presence_changed_at if profile else None,
            loads=loads,
            teams=sorted(team.name for team in agent.teams.all()),
            held=held.get(agent.pk, []),
        ))
    rows.sort(key=lambda row: (_PRESENCE_ORDER.get(Presence(row.presence), 3),
                               row.agent.display_name.lower()))
    return rows
