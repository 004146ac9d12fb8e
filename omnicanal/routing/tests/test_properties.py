"""Properties of the dispatcher over random scenarios, replayed through the real actions by the
simulation (the same entry point as `omnicanal routing_simulate`).

Each invariant is checked from the scenario and the output alone, by replaying the events
beside the assignments: none of these checks trusts the dispatcher's own bookkeeping.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicanal.routing import actions
from omnicanal.routing.simulation import parse_scenario, simulate_in_memory
from omnicanal.routing.tests import reference

pytestmark = pytest.mark.usefixtures("memory_database")

SKILLS = ["french", "german", "billing"]
TEAMS = ["sales", "support"]
CHANNELS = ["chat", "email"]

fast = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def scenarios(draw: st.DrawFn, *, distinct_times: bool = False) -> dict[str, Any]:
    # Ids mix numbers and strings, as the contract allows.
    agent_ids = draw(st.lists(st.one_of(st.integers(1, 30), st.sampled_from(["a1", "a2", "b10"])),
                              min_size=1, max_size=5, unique=True))
    agents = []
    for agent_id in agent_ids:
        agent: dict[str, Any] = {
            "id": agent_id,
            "skills": draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3),
                                           max_size=3)),
            # A channel kind left out means 0; mostly present, so that work gets assigned.
            "capacity": {channel: draw(st.integers(0, 3)) for channel in CHANNELS
                         if draw(st.integers(0, 4))},
            "status": draw(st.sampled_from(["online", "online", "online", "away", "offline"])),
        }
        if draw(st.booleans()):
            agent["teams"] = draw(st.lists(st.sampled_from(TEAMS), unique=True, max_size=2))
        agents.append(agent)
    events: list[dict[str, Any]] = []
    arrived: list[int] = []
    for number_of_events in range(draw(st.integers(0, 40))):
        # Few distinct times: many events share a t and must apply in file order. With
        # distinct times, each assignment's t names the event it followed.
        t = number_of_events * 10 if distinct_times else draw(st.integers(0, 12))
        kind = draw(st.sampled_from(["arrive"] * 5 + ["resolve"] * 3 + ["status"] * 2))
        if kind == "resolve" and arrived:
            events.append({"t": t, "type": "resolve", "id": draw(st.sampled_from(arrived))})
        elif kind == "status":
            events.append({"t": t, "type": "status", "agent": draw(st.sampled_from(agent_ids)),
                           "status": draw(st.sampled_from(["online", "away", "offline"]))})
        else:
            number = len(arrived) + 1
            event: dict[str, Any] = {"t": t, "type": "arrive", "id": number,
                                     "channel": draw(st.sampled_from(CHANNELS))}
            for key, values in (("priority", st.integers(1, 4)),
                                ("value", st.sampled_from(["standard", "gold"])),
                                ("team", st.sampled_from(TEAMS)),
                                ("skills", st.dictionaries(st.sampled_from(SKILLS),
                                                           st.integers(1, 3), max_size=2))):
                if draw(st.booleans()):
                    event[key] = draw(values)
            events.append(event)
            arrived.append(number)
    # A resolution drawn with an earlier t than its arrival comes at the arrival's t.
    arrived_at = {event["id"]: event["t"] for event in events if event["type"] == "arrive"}
    for event in events:
        if event["type"] == "resolve":
            event["t"] = max(event["t"], arrived_at[event["id"]])
    mode = draw(st.sampled_from(["longest_idle", "least_busy", "round_robin"]))
    return {"agents": agents, "events": events,
            "policy": {"mode": mode, "value_priority": draw(st.booleans())}}


def run(scenario: dict[str, Any]) -> dict[str, Any]:
    return simulate_in_memory(parse_scenario(scenario))


class Replay:
    """The scenario's state moment by moment, rebuilt from its events and the output."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.agents = {agent["id"]: agent for agent in scenario["agents"]}
        self.status = {agent["id"]: agent.get("status", "online")
                       for agent in scenario["agents"]}
        self.load: Counter[tuple[Any, str]] = Counter()
        self.arrivals: dict[Any, dict[str, Any]] = {}
        self.order: dict[Any, int] = {}
        self.holder: dict[Any, Any] = {}
        self.resolved: set[Any] = set()
        self.value_first = scenario["policy"]["value_priority"]

    def apply(self, event: dict[str, Any]) -> None:
        if event["type"] == "arrive":
            self.arrivals[event["id"]] = event
            self.order[event["id"]] = len(self.order)
        elif event["type"] == "resolve":
            if event["id"] not in self.resolved and event["id"] in self.holder:
                arrival = self.arrivals[event["id"]]
                self.load[(self.holder[event["id"]], arrival["channel"])] -= 1
            self.resolved.add(event["id"])
        else:
            self.status[event["agent"]] = event["status"]

    def is_waiting(self, conversation: Any) -> bool:
        return conversation not in self.holder and conversation not in self.resolved

    def fits(self, agent_id: Any, conversation: Any) -> bool:
        """Skills and team: what makes an agent eligible whatever their load."""
        agent, arrival = self.agents[agent_id], self.arrivals[conversation]
        skills = agent.get("skills", {})
        team = arrival.get("team")
        return (all(name in skills and skills[name] >= level
                    for name, level in arrival.get("skills", {}).items())
                and (team is None or team in agent.get("teams", [])))

    def queue_key(self, conversation: Any) -> tuple[Any, ...]:
        arrival = self.arrivals[conversation]
        gold = 0 if self.value_first and arrival.get("value") == "gold" else 1
        return (arrival.get("priority", 3), gold, arrival["t"], self.order[conversation])

    def assign(self, conversation: Any, agent_id: Any) -> None:
        self.holder[conversation] = agent_id
        self.load[(agent_id, self.arrivals[conversation]["channel"])] += 1


def replay(scenario: dict[str, Any], result: dict[str, Any]) -> Any:
    """Yield (state just before the assignment, assignment) for every assignment, in order.
    The scenario's times are distinct, so an assignment's t names the event it followed."""
    state = Replay(scenario)
    assignments = list(result["assignments"])
    for event in sorted(scenario["events"], key=lambda e: e["t"]):
        state.apply(event)
        while assignments and assignments[0]["t"] == event["t"]:
            assignment = assignments.pop(0)
            yield state, assignment
            state.assign(assignment["conversation"], assignment["agent"])
    assert not assignments, f"assignments {assignments} follow no event"


@fast
@given(scenarios())
def test_no_conversation_is_assigned_twice(scenario: dict[str, Any]) -> None:
    result = run(scenario)

    assigned = Counter(a["conversation"] for a in result["assignments"])
    assert all(count == 1 for count in assigned.values())


@fast
@given(scenarios(distinct_times=True))
def test_no_agent_ever_holds_more_than_their_capacity(scenario: dict[str, Any]) -> None:
    result = run(scenario)

    for state, assignment in replay(scenario, result):
        agent = state.agents[assignment["agent"]]
        channel = state.arrivals[assignment["conversation"]]["channel"]
        # A channel missing from capacity means 0.
        assert state.load[(assignment["agent"], channel)] < agent.get("capacity", {}).get(
            channel, 0)
    for agent in scenario["agents"]:
        capacity = agent.get("capacity", {})
        peaks = result["max_load"][str(agent["id"])]
        assert set(peaks) == set(capacity)
        assert all(peaks[channel] <= capacity[channel] for channel in capacity)


@fast
@given(scenarios(distinct_times=True))
def test_only_online_agents_with_the_skills_and_the_team_are_assigned(
    scenario: dict[str, Any],
) -> None:
    result = run(scenario)

    for state, assignment in replay(scenario, result):
        assert state.status[assignment["agent"]] == "online"
        assert state.fits(assignment["agent"], assignment["conversation"])


@fast
@given(scenarios(distinct_times=True))
def test_a_better_placed_conversation_never_waits_while_its_agent_takes_another(
    scenario: dict[str, Any],
) -> None:
    """Higher priority first, then gold (with value priority), then first come first served:
    when B goes to agent X, no conversation ahead of B in the queue order that X could take
    (same channel kind, skills, team) is left waiting."""
    result = run(scenario)

    for state, assignment in replay(scenario, result):
        taken, agent = assignment["conversation"], assignment["agent"]
        channel = state.arrivals[taken]["channel"]
        for other in state.arrivals:
            if (other != taken and state.is_waiting(other)
                    and state.arrivals[other]["channel"] == channel
                    and state.fits(agent, other)):
                assert state.queue_key(other) > state.queue_key(taken), (other, taken)


@fast
@given(scenarios(distinct_times=True))
def test_within_a_priority_and_value_conversations_are_served_in_arrival_order(
    scenario: dict[str, Any],
) -> None:
    result = run(scenario)

    for state, assignment in replay(scenario, result):
        taken = assignment["conversation"]
        key = state.queue_key(taken)
        for other in state.arrivals:
            same_class = state.queue_key(other)[:2] == key[:2]
            if (other != taken and same_class and state.is_waiting(other)
                    and state.arrivals[other]["channel"] == state.arrivals[taken]["channel"]
                    and state.fits(assignment["agent"], other)):
                assert state.order[other] > state.order[taken]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.sampled_from([(1, 1), (2, 1), (50, 32)]), st.booleans())
def test_the_dispatcher_agrees_with_the_reference_model(
    scenario: dict[str, Any], pages: tuple[int, int], is_sweeping_all: bool,
) -> None:
    """The same assignments, waiting positions and peaks as the plain model, which looks at
    everything after every event: whether the dispatcher sweeps everything or only what the
    event changed, and with pages of one row, which send every sweep through pagination and
    the exclusion of groups nobody free fits."""
    conversation_page, agent_page = pages
    with (mock.patch.object(actions, "CONVERSATION_PAGE", conversation_page),
          mock.patch.object(actions, "AGENT_PAGE", agent_page)):
        result = simulate_in_memory(parse_scenario(scenario), is_sweeping_all=is_sweeping_all)

    expected = reference.simulate(scenario)
    assert result["assignments"] == expected["assignments"]
    assert [{"conversation": w["conversation"], "position": w["position"]}
            for w in result["waiting"]] == expected["waiting"]
    assert result["max_load"] == expected["max_load"]
