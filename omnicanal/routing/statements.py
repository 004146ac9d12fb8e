"""The routing hot path, one SQL statement per function.

Why SQL and not the ORM here: the dispatcher runs after every arrival, resolution and
presence change, and a replay of a day (500 agents, 20,000 arrivals) runs it 40,000 times.
On this machine class the ORM spends ~0.35 ms building the simplest UPDATE that SQLite
executes in ~0.03 ms, which made the replay take minutes. The statements stay standard SQL
(with row values and a recursive CTE), so SQLite and PostgreSQL run the same text, except
for the row locks and for reading a JSON object's entries (`_fits_one_of`).

Locks: on PostgreSQL `lock_*` take row locks (SKIP LOCKED for the dispatcher, which must never
wait); on SQLite they are skipped, because the IMMEDIATE transaction already holds the
database's write lock and nothing can change under it.

Values cross the boundary through the models' fields (`_db_value`), so datetimes and JSON are
stored exactly as the ORM stores them.
"""

# Only table and column names from the models and fixed fragments are interpolated into these
# statements; every value goes as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Conversation
from omnicanal.routing.models import (
    AgentCapacity,
    AgentProfile,
    ConversationRouting,
    Mode,
    Presence,
    RoutingPolicy,
)

ROUTING = ConversationRouting._meta.db_table
PROFILE = AgentProfile._meta.db_table
CAPACITY = AgentCapacity._meta.db_table
POLICY = RoutingPolicy._meta.db_table
USER = User._meta.db_table
MEMBERSHIP = Team.members.through._meta.db_table
CONVERSATION = Conversation._meta.db_table

IS_WAITING = "r.agent_id IS NULL AND r.resolved_at IS NULL"
QUEUE_ORDER = "r.priority, r.value_rank, r.queued_at, r.conversation_id"


def _rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _db_value(model: type[Any], field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_value(value, connection)


def _json(value: Any) -> dict[str, Any]:
    # PostgreSQL's driver is told by Django to hand jsonb over as text, SQLite stores text.
    loaded = json.loads(value) if isinstance(value, str | bytes) else value
    return loaded if isinstance(loaded, dict) else {}


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _lock_clause(*, skip_locked: bool) -> str:
    if not connection.features.has_select_for_update:
        return ""
    if skip_locked:
        return " FOR UPDATE SKIP LOCKED"
    return " FOR UPDATE"


def uses_row_locks() -> bool:
    return bool(connection.features.has_select_for_update)


# Policies.


@dataclass
class Policy:
    id: int | None
    team_id: int | None
    inbox_id: int | None
    mode: str
    has_value_priority: bool
    last_assigned_agent_id: int | None


DEFAULT_POLICY = Policy(None, None, None, Mode.LONGEST_IDLE, True, None)
_POLICY_COLUMNS = "id, team_id, inbox_id, mode, has_value_priority, last_assigned_agent_id"


def policies(*, lock_round_robin: bool = False) -> list[Policy]:
    if not lock_round_robin or not uses_row_locks():
        rows = _rows(f"SELECT {_POLICY_COLUMNS} FROM {POLICY}")
    else:
        # Round robin keeps its rotation in the policy row: concurrent sweeps take turns on
        # it, locking in id order so that they cannot deadlock.
        rows = _rows(
            f"SELECT {_POLICY_COLUMNS} FROM {POLICY} WHERE mode = %s ORDER BY id FOR UPDATE",
            [Mode.ROUND_ROBIN],
        ) + _rows(f"SELECT {_POLICY_COLUMNS} FROM {POLICY} WHERE mode <> %s",
                  [Mode.ROUND_ROBIN])
    return [Policy(pk, team, inbox, mode, bool(value), last)
            for pk, team, inbox, mode, value, last in rows]


def set_rotation(policy_id: int, agent_id: int) -> None:
    _count(f"UPDATE {POLICY} SET last_assigned_agent_id = %s WHERE id = %s",
           [agent_id, policy_id])


# Conversations' routing rows.


@dataclass(frozen=True)
class RoutingState:
    agent_id: int | None
    channel: str
    is_resolved: bool


def routing_state(conversation_id: int, *, lock: bool) -> RoutingState | None:
    rows = _rows(
        f"SELECT agent_id, channel, resolved_at FROM {ROUTING} WHERE conversation_id = %s"
        + (_lock_clause(skip_locked=False) if lock else ""),
        [conversation_id],
    )
    if not rows:
        return None
    agent_id, channel, resolved_at = rows[0]
    return RoutingState(agent_id, channel, resolved_at is not None)


_QUEUED_FIELDS = ("channel", "required_skills", "skills_key", "priority", "value_tier",
                  "value_rank", "team_id", "queued_at")


def _queued_values(fields: dict[str, Any]) -> list[Any]:
    return [_db_value(ConversationRouting, name, fields[name]) for name in _QUEUED_FIELDS]


def insert_routing(conversation_id: int, fields: dict[str, Any]) -> None:
    columns = ", ".join(("conversation_id", *_QUEUED_FIELDS))
    values = [conversation_id, *_queued_values(fields)]
    _count(f"INSERT INTO {ROUTING} ({columns}) VALUES ({_placeholders(values)})", values)


def requeue_routing(conversation_id: int, fields: dict[str, Any]) -> None:
    assignments = ", ".join(f"{name} = %s" for name in _QUEUED_FIELDS)
    _count(
        f"UPDATE {ROUTING} SET {assignments}, agent_id = NULL, assigned_at = NULL, "
        f"resolved_at = NULL WHERE conversation_id = %s",
        [*_queued_values(fields), conversation_id],
    )


def mark_resolved(conversation_id: int, now: dt.datetime) -> None:
    _count(f"UPDATE {ROUTING} SET resolved_at = %s WHERE conversation_id = %s",
           [_db_value(ConversationRouting, "resolved_at", now), conversation_id])


# Agents.


def lock_profile(agent_id: int) -> None:
    """Wait for the agent's profile lock: every change of their load happens under it."""
    if uses_row_locks():
        _rows(f"SELECT agent_id FROM {PROFILE} WHERE agent_id = %s FOR UPDATE", [agent_id])


def lock_online_profile(agent_id: int) -> bool:
    """The dispatcher's agent lock: False if another transaction holds it or the agent is no
    longer online. Without row locks (SQLite) the candidate query, in this same write
    transaction, already saw them online."""
    if not uses_row_locks():
        return True
    rows = _rows(
        f"SELECT agent_id FROM {PROFILE} WHERE agent_id = %s AND presence = %s"
        f" FOR UPDATE SKIP LOCKED",
        [agent_id, Presence.ONLINE],
    )
    return bool(rows)


def take_slot(agent_id: int, channel: str) -> bool:
    """One more conversation on the agent's channel kind, if below capacity. A statement of
    its own under the profile lock: it sees every committed change of the load."""
    return _count(
        f"UPDATE {CAPACITY} SET load = load + 1"
        f" WHERE profile_id = %s AND channel = %s AND load < capacity",
        [agent_id, channel],
    ) == 1


def add_held(agent_id: int, channel: str) -> None:
    """One more conversation on the agent's channel kind, whatever their capacity."""
    _count(f"UPDATE {CAPACITY} SET load = load + 1 WHERE profile_id = %s AND channel = %s",
           [agent_id, channel])


@dataclass(frozen=True)
class AgentFit:
    """What decides which conversations an agent fits, whatever their load."""

    skills: dict[str, Any]
    team_ids: frozenset[int]


def agents_fit(agent_ids: Sequence[int]) -> list[AgentFit]:
    """Each agent's skills and teams."""
    skills = _rows(
        f"SELECT agent_id, skills FROM {PROFILE}"
        f" WHERE agent_id IN ({_placeholders(agent_ids)})",
        list(agent_ids),
    )
    teams: dict[int, set[int]] = {agent_id: set() for agent_id, _ in skills}
    for user_id, team_id in _rows(
        f"SELECT user_id, team_id FROM {MEMBERSHIP}"
        f" WHERE user_id IN ({_placeholders(agent_ids)})",
        list(agent_ids),
    ):
        teams[user_id].add(team_id)
    return [AgentFit(_json(value), frozenset(teams[agent_id])) for agent_id, value in skills]


def _fits_one_of(agents: Sequence[AgentFit]) -> tuple[str, list[Any]]:
    """SQL true for a conversation one of the agents fits: no team or one of theirs, and no
    required skill they lack or hold below the minimum. Reading a JSON object's entries is
    the one thing spelled differently by SQLite and PostgreSQL."""
    if connection.vendor == "postgresql":
        entries, level = "jsonb_each_text(r.required_skills) j", "CAST(j.value AS DOUBLE PRECISION)"
    else:
        entries, level = "json_each(r.required_skills) j", "j.value"
    alternatives: list[str] = []
    params: list[Any] = []
    for agent in agents:
        teams = sorted(agent.team_ids)
        in_teams = f" OR r.team_id IN ({_placeholders(teams)})" if teams else ""
        met = " OR ".join([f"(j.key = %s AND {level} <= %s)"] * len(agent.skills)) or "FALSE"
        alternatives.append(
            f"((r.team_id IS NULL{in_teams})"
            f" AND NOT EXISTS (SELECT 1 FROM {entries} WHERE NOT ({met})))"
        )
        params.extend(teams)
        for name, value in agent.skills.items():
            params.extend([name, value])
    return "(" + (" OR ".join(alternatives) or "FALSE") + ")", params


def free_slot(agent_id: int, channel: str) -> None:
    _count(
        f"UPDATE {CAPACITY} SET load = load - 1"
        f" WHERE profile_id = %s AND channel = %s AND load > 0",
        [agent_id, channel],
    )


def mark_idle_since(agent_id: int, now: dt.datetime) -> None:
    _count(f"UPDATE {CAPACITY} SET became_idle_at = %s WHERE profile_id = %s",
           [_db_value(AgentCapacity, "became_idle_at", now), agent_id])


# The terms of the partial index `capacity_longest_idle`, spelled the same, so that SQLite
# sees that the index covers the query.
_FREE_SLOT = "c.is_available AND c.load < c.capacity"


def free_slots(*, agent_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Free slots of online agents (all, or these) per channel kind, for channel kinds where
    a conversation waits: the dispatcher's first question, and usually its last."""
    if agent_ids is not None:
        rows = _rows(
            f"SELECT c.channel, SUM(c.capacity - c.load) FROM {CAPACITY} c"
            f" WHERE c.profile_id IN ({_placeholders(agent_ids)}) AND {_FREE_SLOT}"
            f" GROUP BY c.channel",
            list(agent_ids),
        )
        return {channel: int(slots) for channel, slots in rows}
    # The channel kinds with a waiting conversation, by a loose index scan: one index seek per
    # channel kind, however long the queue (a DISTINCT would read every waiting row).
    channels = [channel for (channel,) in _rows(
        f"WITH RECURSIVE waiting(channel) AS ("
        f" SELECT MIN(r.channel) FROM {ROUTING} r WHERE {IS_WAITING}"
        f" UNION ALL SELECT (SELECT MIN(r.channel) FROM {ROUTING} r"
        f"  WHERE {IS_WAITING} AND r.channel > waiting.channel)"
        f" FROM waiting WHERE waiting.channel IS NOT NULL)"
        f" SELECT channel FROM waiting WHERE channel IS NOT NULL"
    )]
    if not channels:
        return {}
    rows = _rows(
        f"SELECT c.channel, SUM(c.capacity - c.load) FROM {CAPACITY} c"
        f" WHERE c.channel IN ({_placeholders(channels)}) AND {_FREE_SLOT}"
        f" GROUP BY c.channel",
        channels,
    )
    return {channel: int(slots) for channel, slots in rows}


def candidate_agents(
    channel: str,
    team_id: int | None,
    policy: Policy,
    *,
    limit: int,
    offset: int,
    agent_ids: Sequence[int] | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """(agent id, skills) of the agents (all, or these) with a free slot on the channel kind,
    online, in the team if there is one, best first under the policy."""
    params: list[Any] = [channel, True]
    filters = ""
    if agent_ids is not None:
        filters += f" AND c.profile_id IN ({_placeholders(agent_ids)})"
        params.extend(agent_ids)
    if team_id is not None:
        filters += (f" AND EXISTS (SELECT 1 FROM {MEMBERSHIP} m"
                        f" WHERE m.user_id = c.profile_id AND m.team_id = %s)")
        params.append(team_id)
    if policy.mode == Mode.LEAST_BUSY:
        # Doubles compare equal loads exactly: 1/3 and 2/6 round to the same double.
        order = ("CAST(c.load AS DOUBLE PRECISION) / c.capacity, c.became_idle_at,"
                 " c.profile_id")
    elif policy.mode == Mode.ROUND_ROBIN and policy.last_assigned_agent_id is not None:
        # The rotation goes on after the last agent served, by id, and wraps around.
        order = "CASE WHEN c.profile_id > %s THEN 0 ELSE 1 END, c.profile_id"
        params.append(policy.last_assigned_agent_id)
    elif policy.mode == Mode.ROUND_ROBIN:
        order = "c.profile_id"
    else:
        # The partial index's order: the walk stops after `limit` rows, nothing is sorted.
        order = "c.became_idle_at, c.profile_id"
    rows = _rows(
        f"SELECT c.profile_id, p.skills FROM {CAPACITY} c"
        f" JOIN {PROFILE} p ON p.agent_id = c.profile_id JOIN {USER} u ON u.id = c.profile_id"
        f" WHERE c.channel = %s AND {_FREE_SLOT} AND u.is_active = %s{filters}"
        f" ORDER BY {order} LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return [(agent_id, _json(skills)) for agent_id, skills in rows]


# The queue.


@dataclass(frozen=True)
class Waiting:
    conversation_id: int
    channel: str
    team_id: int | None
    inbox_id: int
    required_skills: dict[str, Any]
    skills_key: str
    contact_id: int
    status: str
    # The queue position as the database orders it, for keyset pagination.
    sort_key: tuple[Any, ...]

    @property
    def group(self) -> Group:
        # Conversations of one group have the same eligible agents.
        return (self.channel, self.team_id, self.skills_key)


Group = tuple[str, int | None, str]


def queue_page(
    channel: str,
    *,
    after: Waiting | None,
    excluded: Sequence[Group],
    limit: int,
    conversation_ids: Sequence[int] | None = None,
    fitting: Sequence[AgentFit] | None = None,
) -> list[Waiting]:
    """The next waiting conversations (all, or these) of a channel kind in queue order,
    leaving out groups that no free agent fits. One channel kind per query: the partial index
    gives its rows in order, where several would have to be sorted. With `fitting`, only the
    conversations one of these agents fits (skills and team)."""
    params: list[Any] = [channel]
    clauses = [IS_WAITING, "r.channel = %s"]
    if conversation_ids is not None:
        clauses.append(f"r.conversation_id IN ({_placeholders(conversation_ids)})")
        params.extend(conversation_ids)
    if fitting is not None:
        clause, fit_params = _fits_one_of(fitting)
        clauses.append(clause)
        params.extend(fit_params)
    if after is not None:
        clauses.append(f"({QUEUE_ORDER}) > (%s, %s, %s, %s)")
        params.extend(after.sort_key)
    for _, team_id, key in excluded:
        # COALESCE: with a NULL team, NOT (team_id = 5 AND …) would be NULL, and drop the row.
        clauses.append("NOT (COALESCE(r.team_id, 0) = %s AND r.skills_key = %s)")
        params.extend([team_id or 0, key])
    rows = _rows(
        f"SELECT r.conversation_id, r.channel, r.team_id, c.inbox_id, r.required_skills,"
        f" r.skills_key, c.contact_id, c.status, r.priority, r.value_rank, r.queued_at"
        f" FROM {ROUTING} r JOIN {CONVERSATION} c ON c.id = r.conversation_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY {QUEUE_ORDER} LIMIT %s",
        [*params, limit],
    )
    return [
        Waiting(pk, channel, team, inbox, _json(skills), key, contact, status,
                (priority, rank, queued_at, pk))
        for pk, channel, team, inbox, skills, key, contact, status, priority, rank, queued_at
        in rows
    ]


def lock_waiting(conversation_id: int) -> bool:
    """Lock the conversation, then its routing row, skipping them if another transaction
    holds either; False also when it is no longer waiting. The conversation row first, as
    ingest() and the agents' actions take it first too."""
    if not uses_row_locks():
        return True
    conversation = _rows(
        f"SELECT id FROM {CONVERSATION} WHERE id = %s FOR UPDATE SKIP LOCKED",
        [conversation_id],
    )
    if not conversation:
        return False
    routing = _rows(
        f"SELECT conversation_id FROM {ROUTING} r"
        f" WHERE r.conversation_id = %s AND {IS_WAITING} FOR UPDATE SKIP LOCKED",
        [conversation_id],
    )
    return bool(routing)


def mark_assigned(conversation_id: int, agent_id: int, now: dt.datetime) -> bool:
    """Assign if still waiting; the condition is what makes it safe without row locks."""
    return _count(
        f"UPDATE {ROUTING} SET agent_id = %s, assigned_at = %s"
        f" WHERE conversation_id = %s AND agent_id IS NULL AND resolved_at IS NULL",
        [agent_id, _db_value(ConversationRouting, "assigned_at", now), conversation_id],
    ) == 1


def unmark_assigned(conversation_id: int) -> None:
    """Undo `mark_assigned` in the same transaction: the conversation turned out to be held
    already (see `conversations.actions.assign_from_routing`)."""
    _count(f"UPDATE {ROUTING} SET agent_id = NULL, assigned_at = NULL WHERE conversation_id = %s",
           [conversation_id])
