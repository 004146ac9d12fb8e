"""Replay a routing scenario through the real actions, in a throw-away in-memory database.

Scenario (JSON)::

    {"agents": [{"id", "skills": {name: level}, "capacity": {channel: n},
                 "status": "online"|"away"|"offline", "teams": [name, ...]}],
     "policy": {"mode": "longest_idle"|"least_busy"|"round_robin"|"manual",
                "value_priority": true},
     "events": [{"t", "type": "arrive", "id", "channel", "skills": {name: min_level},
                 "priority": 1-4, "value": "standard"|"gold", "team": name},
                {"t", "type": "resolve", "id"},
                {"t", "type": "status", "agent", "status"}]}

Defaults: an agent's skills {}, capacity {} (a channel kind left out is 0), status "online",
teams []; policy mode "longest_idle", value_priority true; an arrival's skills {}, priority 3,
value "standard", team null (any agent). `channel` is required.

`t` is the clock, in seconds: events are applied in order of t, those with the same t in file
order, and the dispatcher runs after each one (on what the event changed: the conversation
that arrived, the agent who freed a slot or came online). Ids (agents, conversations) may be
strings or numbers and are echoed as given. Agents are "stable-ordered" (round robin, ties)
by id: numbers by value, strings naturally ("a2" before "a10"), numbers before strings.

Result::

    {"assignments": [{"t", "conversation", "agent"}],    # in the order they were made
     "waiting": [{"conversation", "position", "estimated_wait_s"}],
     "max_load": {agent: {channel: peak}}}

`waiting` lists the conversations still waiting at the end in queue order; `position` is within
the conversation's queue (its channel kind and team, or no team), and `estimated_wait_s` is
explained in `omnicanal.routing.queries` (null when no online agent can take it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Contact, ValueTier
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.core.exceptions import InvalidInput
from omnicanal.routing import actions
from omnicanal.routing.models import Mode, Presence
from omnicanal.routing.queries import queue_positions

# Scenario time 0. Any fixed instant works: only differences matter.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

ScenarioId = str | int | float


class ScenarioError(Exception):
    """The scenario cannot be read or is not valid; the message says where and why."""


@dataclass(frozen=True)
class AgentSpec:
    id: ScenarioId
    skills: dict[str, float]
    capacity: dict[str, int]
    status: str
    teams: tuple[str, ...]


@dataclass(frozen=True)
class Arrival:
    t: float
    id: ScenarioId
    channel: str
    skills: dict[str, float]
    priority: int
    value: str
    team: str | None


@dataclass(frozen=True)
class Resolution:
    t: float
    id: ScenarioId


@dataclass(frozen=True)
class StatusChange:
    t: float
    agent: ScenarioId
    status: str


Event = Arrival | Resolution | StatusChange


@dataclass(frozen=True)
class Scenario:
    agents: tuple[AgentSpec, ...]
    mode: str = Mode.LONGEST_IDLE
    has_value_priority: bool = True
    events: tuple[Event, ...] = field(default_factory=tuple)


# Reading and checking a scenario.


def load_scenario(path: str | Path) -> Scenario:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or error
        raise ScenarioError(f"Cannot read the scenario {path}: {reason}") from error
    except UnicodeDecodeError as error:
        raise ScenarioError(f"The scenario {path} is not UTF-8 text.") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"The scenario {path} is not valid JSON: {error}") from error
    return parse_scenario(data)


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}")


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, "must be a JSON object")
    return value


def _identifier(value: object, where: str) -> ScenarioId:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(where, f"an id is a string or a number, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, "an id must be finite")
    return value


def _time(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, f"t must be a number of seconds, not {value!r}")
    if abs(value) > 1e9:
        raise _fail(where, "t must stay within ±1e9 seconds")
    return value


def _name(value: object, where: str, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _fail(where, f"{what} must be a string, not {value!r}")
    return str(value)


def _checked(where: str, check: Any, *args: Any) -> Any:
    """Run an action's own input check, reporting its message at the scenario's place."""
    try:
        return check(*args)
    except InvalidInput as error:
        raise _fail(where, error.message) from error


def parse_scenario(data: object) -> Scenario:
    root = _object(data, "scenario")
    agents_data = root.get("agents", [])
    if not isinstance(agents_data, list):
        raise _fail("agents", "must be a list")
    agents = tuple(_agent(item, f"agents[{index}]") for index, item in enumerate(agents_data))
    agent_ids = [agent.id for agent in agents]
    if len(set(agent_ids)) != len(agent_ids):
        raise _fail("agents", "two agents have the same id")

    policy = _object(root.get("policy", {}), "policy")
    mode = policy.get("mode", Mode.LONGEST_IDLE)
    if mode not in Mode.values:
        raise _fail("policy.mode", f"must be one of {', '.join(Mode.values)}, not {mode!r}")
    has_value_priority = policy.get("value_priority", True)
    if not isinstance(has_value_priority, bool):
        raise _fail("policy.value_priority", "must be true or false")

    events_data = root.get("events", [])
    if not isinstance(events_data, list):
        raise _fail("events", "must be a list")
    events = [_event(item, f"events[{index}]") for index, item in enumerate(events_data)]
    # Python's sort is stable: events with the same t keep their file order.
    events.sort(key=lambda event: event.t)
    _check_references(events, set(agent_ids))
    return Scenario(agents, mode, has_value_priority, tuple(events))


def _agent(item: object, where: str) -> AgentSpec:
    data = _object(item, where)
    if "id" not in data:
        raise _fail(where, "an agent needs an id")
    status = data.get("status", Presence.ONLINE)
    if status not in Presence.values:
        raise _fail(where, f"status must be one of {', '.join(Presence.values)}")
    teams = data.get("teams", [])
    if not isinstance(teams, list):
        raise _fail(where, "teams must be a list")
    return AgentSpec(
        id=_identifier(data["id"], f"{where}.id"),
        skills=_checked(f"{where}.skills", actions.validate_skills, data.get("skills", {}),
                        "skills"),
        capacity=_checked(f"{where}.capacity", actions.validate_capacity,
                          data.get("capacity", {})),
        status=status,
        teams=tuple(_name(team, f"{where}.teams", "a team") for team in teams),
    )


def _event(item: object, where: str) -> Event:
    data = _object(item, where)
    t = _time(data.get("t"), where)
    kind = data.get("type")
    if kind == "arrive":
        if "id" not in data:
            raise _fail(where, "an arrival needs an id")
        if "channel" not in data:
            raise _fail(where, "an arrival needs a channel")
        priority = data.get("priority", 3)
        if isinstance(priority, bool) or priority not in (1, 2, 3, 4):
            raise _fail(where, f"priority goes from 1 (most urgent) to 4, not {priority!r}")
        value = data.get("value", ValueTier.STANDARD)
        if value not in ValueTier.values:
            raise _fail(where, f"value must be one of {', '.join(ValueTier.values)}")
        team = data.get("team")
        return Arrival(
            t=t,
            id=_identifier(data["id"], where),
            channel=_checked(where, actions.validate_channel, data["channel"]),
            skills=_checked(where, actions.validate_skills, data.get("skills", {}), "skills"),
            priority=int(priority),
            value=value,
            team=None if team is None else _name(team, where, "team"),
        )
    if kind == "resolve":
        if "id" not in data:
            raise _fail(where, "a resolution needs the conversation's id")
        return Resolution(t=t, id=_identifier(data["id"], where))
    if kind == "status":
        if "agent" not in data:
            raise _fail(where, "a status change needs an agent")
        status = data.get("status")
        if status not in Presence.values:
            raise _fail(where, f"status must be one of {', '.join(Presence.values)}")
        return StatusChange(t=t, agent=_identifier(data["agent"], where), status=status)
    raise _fail(where, f"type must be arrive, resolve or status, not {kind!r}")


def _check_references(events: list[Event], agent_ids: set[ScenarioId]) -> None:
    arrived: set[ScenarioId] = set()
    for event in events:
        if isinstance(event, Arrival):
            if event.id in arrived:
                raise ScenarioError(f"conversation {event.id!r} arrives twice")
            arrived.add(event.id)
        elif isinstance(event, Resolution) and event.id not in arrived:
            raise ScenarioError(f"conversation {event.id!r} is resolved before it arrives")
        elif isinstance(event, StatusChange) and event.agent not in agent_ids:
            raise ScenarioError(f"status change for an unknown agent {event.agent!r}")


def natural_order(value: ScenarioId) -> tuple[int, tuple[tuple[int, float, str], ...]]:
    """Numbers by value, then strings with their digit runs compared as numbers."""
    if not isinstance(value, str):
        return (0, ((0, float(value), ""),))
    parts = re.split(r"(\d+)", value)
    return (1, tuple((0, float(p), "") if p.isdigit() else (1, 0.0, p) for p in parts if p))


# The throw-away database.

_template_lock = threading.Lock()
_template: BaseDatabaseWrapper | None = None


def _memory_database() -> BaseDatabaseWrapper:
    settings_dict = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict.update(
        ENGINE="django.db.backends.sqlite3",
        NAME=":memory:",
        USER="",
        PASSWORD="",
        HOST="",
        PORT="",
        OPTIONS={},
        CONN_MAX_AGE=0,
        CONN_HEALTH_CHECKS=False,
        ATOMIC_REQUESTS=False,
        AUTOCOMMIT=True,
    )
    backend = load_backend(settings_dict["ENGINE"])
    wrapper: BaseDatabaseWrapper = backend.DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    return wrapper


@contextlib.contextmanager
def _as_default(wrapper: BaseDatabaseWrapper) -> Iterator[None]:
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = original


def _schema_template() -> sqlite3.Connection:
    """An in-memory database migrated once per process; each run starts from a copy of it
    (SQLite's backup takes a millisecond, migrating takes a second)."""
    global _template
    if _template is None:
        template = _memory_database()
        with _as_default(template):
            call_command("migrate", verbosity=0, interactive=False)
        _template = template
    connection: sqlite3.Connection = _template.connection
    return connection


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """Point this thread's default database at a fresh, migrated in-memory SQLite database;
    the configured database is never opened."""
    with _template_lock:
        template = _schema_template()
        wrapper = _memory_database()
        wrapper.ensure_connection()
        template.backup(wrapper.connection)
    try:
        with _as_default(wrapper):
            yield
    finally:
        # Django ignores close() on an in-memory database, to protect its data; here losing
        # the data is the point.
        wrapper.connection.close()
        wrapper.connection = None


def simulate_in_memory(scenario: Scenario, *, is_sweeping_all: bool = False) -> dict[str, Any]:
    with throwaway_database():
        return simulate(scenario, is_sweeping_all=is_sweeping_all)


# The replay.


def _at(t: float) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=t)


class _Replay:
    def __init__(self, scenario: Scenario, *, is_sweeping_all: bool) -> None:
        self.scenario = scenario
        self.is_sweeping_all = is_sweeping_all
        self.agent_pks: dict[ScenarioId, int] = {}
        self.agent_ids: dict[int, ScenarioId] = {}
        self.users: dict[int, User] = {}
        self.conversations: dict[ScenarioId, Conversation] = {}
        self.conversation_ids: dict[int, ScenarioId] = {}
        self.team_pks: dict[str, int] = {}
        self.assigned: dict[int, tuple[int, str]] = {}
        self.load: dict[int, dict[str, int]] = {}
        self.peak: dict[int, dict[str, int]] = {}
        self.assignments: list[dict[str, Any]] = []

    def set_up(self) -> None:
        scenario = self.scenario
        start = _at(min([0.0, *(event.t for event in scenario.events)]))
        team_names = sorted({name for agent in scenario.agents for name in agent.teams}
                            | {e.team for e in scenario.events
                               if isinstance(e, Arrival) and e.team is not None})
        for name in team_names:
            self.team_pks[name] = Team.objects.create(name=name).pk
        for index, spec in enumerate(sorted(scenario.agents, key=lambda a: natural_order(a.id))):
            user = User(email=f"agent-{index}@simulation.invalid", name=str(spec.id)[:150])
            user.set_unusable_password()
            user.save()
            self.agent_pks[spec.id] = user.pk
            self.agent_ids[user.pk] = spec.id
            self.users[user.pk] = user
            Team.members.through.objects.bulk_create(
                Team.members.through(user_id=user.pk, team_id=self.team_pks[name])
                for name in set(spec.teams)
            )
            actions.configure_agent(user, capacity=spec.capacity, skills=spec.skills, now=start,
                                    dispatch=False)
            actions.set_presence(user, spec.status, now=start, dispatch=False)
            self.load[user.pk] = dict.fromkeys(spec.capacity, 0)
            self.peak[user.pk] = dict.fromkeys(spec.capacity, 0)
        actions.set_policy(mode=scenario.mode, has_value_priority=scenario.has_value_priority)
        arrivals = [e for e in scenario.events if isinstance(e, Arrival)]
        inboxes = {
            channel: Inbox.objects.create(name=f"simulated {channel}", channel=channel)
            for channel in sorted({arrival.channel for arrival in arrivals})
        }
        contact = Contact.objects.create(name="simulated customer")
        # Created in arrival order, so that ids break ties between equal arrival times the
        # way the file orders them.
        created = Conversation.objects.bulk_create(
            (
                Conversation(inbox=inboxes[arrival.channel], contact=contact,
                             priority=arrival.priority, last_activity_at=_at(arrival.t))
                for arrival in arrivals
            ),
            batch_size=500,
        )
        for arrival, conversation in zip(arrivals, created, strict=True):
            self.conversations[arrival.id] = conversation
            self.conversation_ids[conversation.pk] = arrival.id

    def apply(self, event: Event) -> None:
        """Apply the event through the actions, then run the dispatcher on what it changed
        (see `assign_waiting`), or on everything when sweeping all."""
        now = _at(event.t)
        conversation_ids: list[int] = []
        agent_ids: list[int] = []
        if isinstance(event, Arrival):
            conversation = self.conversations[event.id]
            actions.enqueue_conversation(
                conversation,
                channel=event.channel,
                required_skills=event.skills,
                priority=event.priority,
                value_tier=event.value,
                team_id=self.team_pks[event.team] if event.team is not None else None,
                now=now,
                dispatch=False,
            )
            conversation_ids.append(conversation.pk)
        elif isinstance(event, Resolution):
            conversation_pk = self.conversations[event.id].pk
            actions.release(conversation_pk, now=now, dispatch=False)
            holder = self.assigned.pop(conversation_pk, None)
            if holder is not None:
                agent_pk, channel = holder
                self.load[agent_pk][channel] -= 1
                agent_ids.append(agent_pk)
        else:
            agent_pk = self.agent_pks[event.agent]
            actions.set_presence(self.users[agent_pk], event.status, now=now, dispatch=False)
            if event.status == Presence.ONLINE:
                agent_ids.append(agent_pk)
        if self.is_sweeping_all:
            assignments = actions.assign_waiting(now=now)
        elif conversation_ids or agent_ids:
            assignments = actions.assign_waiting(
                now=now, conversation_ids=conversation_ids or None, agent_ids=agent_ids or None
            )
        else:
            # A conversation resolved while waiting, an agent going away: nothing can have
            # become assignable.
            assignments = []
        for assignment in assignments:
            self._record(event.t, assignment)

    def _record(self, t: float, assignment: actions.Assignment) -> None:
        agent_pk, channel = assignment.agent_id, assignment.channel
        self.assigned[assignment.conversation_id] = (agent_pk, channel)
        load = self.load[agent_pk].get(channel, 0) + 1
        self.load[agent_pk][channel] = load
        self.peak[agent_pk][channel] = max(self.peak[agent_pk].get(channel, 0), load)
        self.assignments.append({
            "t": t,
            "conversation": self.conversation_ids[assignment.conversation_id],
            "agent": self.agent_ids[agent_pk],
        })

    def result(self) -> dict[str, Any]:
        waiting = [
            {
                "conversation": self.conversation_ids[position.conversation_id],
                "position": position.position,
                "estimated_wait_s": position.estimated_wait_seconds,
            }
            for position in queue_positions()
        ]
        max_load = {
            # JSON object keys are strings: agents' ids are echoed as strings here.
            str(self.agent_ids[agent_pk]): peaks for agent_pk, peaks in self.peak.items()
        }
        return {"assignments": self.assignments, "waiting": waiting, "max_load": max_load}


def simulate(scenario: Scenario, *, is_sweeping_all: bool = False) -> dict[str, Any]:
    """Replay the scenario on the current default database, which must be empty and migrated
    (`simulate_in_memory` provides one). `is_sweeping_all` runs a full sweep after every event
    instead of one limited to what the event changed: slower, same result."""
    replay = _Replay(scenario, is_sweeping_all=is_sweeping_all)
    with transaction.atomic():
        replay.set_up()
        for event in scenario.events:
            replay.apply(event)
        result = replay.result()
        # Nothing of a simulation is committed, so its on-commit effects never run: a
        # simulated assignment must not be pushed to real agents' screens (with Redis
        # configured, the push would reach the live workspaces).
        transaction.set_rollback(True)
    return result
