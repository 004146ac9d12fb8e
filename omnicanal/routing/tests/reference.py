"""The routing rules as a plain, slow, obviously-correct model, to check the real dispatcher
against: no database, no pages, no caches; after each event every waiting conversation is
looked at in queue order and every agent is considered."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from omnicanal.routing.simulation import natural_order


@dataclass
class Agent:
    id: Any
    skills: dict[str, float]
    capacity: dict[str, int]
    status: str
    teams: set[str]
    idle_since: float
    load: dict[str, int] = field(default_factory=dict)

    def free(self, channel: str) -> int:
        return self.capacity.get(channel, 0) - self.load.get(channel, 0)


@dataclass
class Conversation:
    id: Any
    channel: str
    skills: dict[str, float]
    priority: int
    value: str
    team: str | None
    arrived_at: float
    sequence: int
    agent: Any = None
    is_resolved: bool = False


def is_eligible(agent: Agent, conversation: Conversation) -> bool:
    return (
        agent.status == "online"
        and agent.free(conversation.channel) > 0
        and (conversation.team is None or conversation.team in agent.teams)
        and all(name in agent.skills and agent.skills[name] >= level
                for name, level in conversation.skills.items())
    )


def simulate(scenario: dict[str, Any]) -> dict[str, Any]:
    events = sorted(scenario.get("events", []), key=lambda event: event["t"])
    start = min([0, *(event["t"] for event in events)])
    agents = [
        Agent(spec["id"], dict(spec.get("skills", {})), dict(spec.get("capacity", {})),
              spec.get("status", "online"), set(spec.get("teams", [])), start)
        for spec in scenario.get("agents", [])
    ]
    agents.sort(key=lambda agent: natural_order(agent.id))
    rank = {agent.id: index for index, agent in enumerate(agents)}
    by_id = {agent.id: agent for agent in agents}
    policy = scenario.get("policy", {})
    mode = policy.get("mode", "longest_idle")
    value_first = policy.get("value_priority", True)
    conversations: dict[Any, Conversation] = {}
    last_served: Any = None
    assignments = []
    peak = {agent.id: dict.fromkeys(agent.capacity, 0) for agent in agents}

    def queue_key(conversation: Conversation) -> tuple[Any, ...]:
        gold_first = 0 if value_first and conversation.value == "gold" else 1
        return (conversation.priority, gold_first, conversation.arrived_at,
                conversation.sequence)

    def choose(candidates: list[Agent], channel: str) -> Agent:
        if mode == "least_busy":
            return min(candidates, key=lambda a: (
                Fraction(a.load.get(channel, 0), a.capacity[channel]), a.idle_since,
                rank[a.id]))
        if mode == "round_robin":
            ordered = sorted(candidates, key=lambda a: rank[a.id])
            if last_served is not None:
                after = [a for a in ordered if rank[a.id] > rank[last_served]]
                if after:
                    return after[0]
            return ordered[0]
        return min(candidates, key=lambda a: (a.idle_since, rank[a.id]))

    for event in events:
        t = event["t"]
        if event["type"] == "arrive":
            conversations[event["id"]] = Conversation(
                event["id"], event["channel"], dict(event.get("skills", {})),
                event.get("priority", 3), event.get("value", "standard"), event.get("team"),
                t, len(conversations))
        elif event["type"] == "resolve":
            conversation = conversations[event["id"]]
            if not conversation.is_resolved and conversation.agent is not None:
                by_id[conversation.agent].load[conversation.channel] -= 1
            conversation.is_resolved = True
        else:
            agent = by_id[event["agent"]]
            if agent.status != "online" and event["status"] == "online":
                agent.idle_since = t
            agent.status = event["status"]
        if mode == "manual":
            continue
        waiting = sorted((c for c in conversations.values()
                          if c.agent is None and not c.is_resolved), key=queue_key)
        for conversation in waiting:
            channel = conversation.channel
            candidates = [a for a in agents if is_eligible(a, conversation)]
            if not candidates:
                continue
            agent = choose(candidates, channel)
            conversation.agent = agent.id
            agent.load[channel] = agent.load.get(channel, 0) + 1
            peak[agent.id][channel] = max(peak[agent.id].get(channel, 0), agent.load[channel])
            agent.idle_since = t
            last_served = agent.id
            assignments.append({"t": t, "conversation": conversation.id, "agent": agent.id})

    still_waiting = sorted((c for c in conversations.values()
                            if c.agent is None and not c.is_resolved), key=queue_key)
    lengths: dict[tuple[str, Any], int] = {}
    positions = []
    for conversation in still_waiting:
        queue = (conversation.channel, conversation.team)
        lengths[queue] = lengths.get(queue, 0) + 1
        positions.append({"conversation": conversation.id, "position": lengths[queue]})
    return {
        "assignments": assignments,
        "waiting": positions,
        "max_load": {str(agent_id): loads for agent_id, loads in peak.items()},
    }
