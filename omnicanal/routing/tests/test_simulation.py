"""`omnicanal routing_simulate`: the contract's JSON, its defaults, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import CommandError, call_command
from django.db import connections

from omnicanal.conversations.events import WORKSPACE_GROUP

pytestmark = pytest.mark.usefixtures("memory_database")


def simulate(tmp_path: Path, scenario: Any) -> dict[str, Any]:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    out = StringIO()
    call_command("routing_simulate", str(path), stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


AGENTS = [
    {"id": "ana", "skills": {"french": 3}, "capacity": {"chat": 1, "email": 2},
     "status": "online", "teams": ["support"]},
    {"id": 7, "skills": {"german": 2}, "capacity": {"chat": 1}, "status": "away", "teams": []},
]


def test_the_result_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    result = simulate(tmp_path, {
        "agents": AGENTS,
        "policy": {"mode": "longest_idle", "value_priority": True},
        "events": [
            {"t": 0, "type": "arrive", "id": "c1", "channel": "chat",
             "skills": {"french": 2}, "priority": 2, "value": "gold", "team": "support"},
            {"t": 1, "type": "arrive", "id": 2, "channel": "chat"},
        ],
    })

    assert list(result) == ["assignments", "waiting", "max_load"]
    assert result["assignments"] == [{"t": 0, "conversation": "c1", "agent": "ana"}]
    [waiting] = result["waiting"]
    assert list(waiting) == ["conversation", "position", "estimated_wait_s"]
    assert (waiting["conversation"], waiting["position"]) == (2, 1)


def test_ids_and_times_are_echoed_as_given(tmp_path: Path) -> None:
    result = simulate(tmp_path, {
        "agents": [{"id": 42, "capacity": {"chat": 1}}],
        "events": [{"t": 1.5, "type": "arrive", "id": "x-1", "channel": "chat"}],
    })

    assert result["assignments"] == [{"t": 1.5, "conversation": "x-1", "agent": 42}]
    # JSON object keys are strings: the agent's id is its string form there.
    assert result["max_load"] == {"42": {"chat": 1}}


def test_max_load_lists_every_agent_and_every_channel_of_its_capacity(tmp_path: Path) -> None:
    result = simulate(tmp_path, {
        "agents": [*AGENTS, {"id": "idle", "capacity": {}}],
        "events": [{"t": 0, "type": "arrive", "id": 1, "channel": "email"},
                   {"t": 1, "type": "arrive", "id": 2, "channel": "email"},
                   {"t": 2, "type": "resolve", "id": 1}],
    })

    assert result["max_load"] == {"ana": {"chat": 0, "email": 2}, "7": {"chat": 0},
                                  "idle": {}}


def test_omitted_fields_take_their_defaults(tmp_path: Path) -> None:
    """Agents are online, arrivals priority 3, standard, without skills or team."""
    result = simulate(tmp_path, {
        "agents": [{"id": "a", "capacity": {"chat": 1}}],
        "events": [
            {"t": 0, "type": "arrive", "id": "busy", "channel": "chat"},
            {"t": 1, "type": "arrive", "id": "p4", "channel": "chat", "priority": 4},
            {"t": 2, "type": "arrive", "id": "default", "channel": "chat"},
            {"t": 3, "type": "arrive", "id": "p2", "channel": "chat", "priority": 2},
        ],
    })

    assert result["assignments"] == [{"t": 0, "conversation": "busy", "agent": "a"}]
    assert [w["conversation"] for w in result["waiting"]] == ["p2", "default", "p4"]


def test_events_at_the_same_time_apply_in_file_order(tmp_path: Path) -> None:
    result = simulate(tmp_path, {
        "agents": [{"id": "a", "capacity": {"chat": 1}, "status": "offline"}],
        "events": [
            {"t": 5, "type": "arrive", "id": "second", "channel": "chat"},
            {"t": 0, "type": "arrive", "id": "first", "channel": "chat"},
            {"t": 5, "type": "status", "agent": "a", "status": "online"},
            {"t": 5, "type": "resolve", "id": "first"},
        ],
    })

    # At t=5 the agent comes online before "first" is resolved, so "first" is served (and
    # resolved right after), then "second".
    assert result["assignments"] == [{"t": 5, "conversation": "first", "agent": "a"},
                                     {"t": 5, "conversation": "second", "agent": "a"}]


def test_the_waiting_list_covers_conversations_nobody_can_take(tmp_path: Path) -> None:
    result = simulate(tmp_path, {
        "agents": [{"id": "a", "capacity": {"chat": 1}, "teams": ["sales"]}],
        "events": [
            {"t": 0, "type": "arrive", "id": 1, "channel": "chat", "team": "sales"},
            {"t": 1, "type": "arrive", "id": 2, "channel": "chat", "team": "sales"},
            {"t": 2, "type": "arrive", "id": 3, "channel": "chat", "team": "vip"},
            {"t": 3, "type": "arrive", "id": 4, "channel": "chat"},
            {"t": 4, "type": "arrive", "id": 5, "channel": "chat", "skills": {"polish": 1}},
        ],
    })

    # Queues are a channel kind for one team or for no team; positions count within each.
    assert result["waiting"] == [
        {"conversation": 2, "position": 1, "estimated_wait_s": 300},
        {"conversation": 3, "position": 1, "estimated_wait_s": None},
        {"conversation": 4, "position": 1, "estimated_wait_s": 300},
        {"conversation": 5, "position": 2, "estimated_wait_s": None},
    ]


def test_the_configured_database_is_never_opened(tmp_path: Path) -> None:
    default = connections["default"]
    default.close()

    simulate(tmp_path, {"agents": AGENTS,
                        "events": [{"t": 0, "type": "arrive", "id": 1, "channel": "chat"}]})

    assert connections["default"] is default
    assert default.connection is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"agents": [{"capacity": {}}]}', "needs an id"),
        ('{"agents": [], "events": [{"t": 0, "type": "leave", "id": 1}]}', "type must be"),
        ('{"agents": [], "events": [{"t": 0, "type": "arrive", "id": 1}]}', "needs a channel"),
        ('{"agents": [], "events": [{"t": 0, "type": "resolve", "id": 1}]}',
         "resolved before it arrives"),
        ('{"agents": [], "events": [{"t": 0, "type": "arrive", "id": 1, "channel": "chat",'
         ' "priority": 0}]}', "priority goes from 1"),
        ('{"agents": [{"id": 1, "capacity": {"chat": -1}}]}', "whole number"),
        ('{"agents": [{"id": 1}], "policy": {"mode": "fastest"}}', "policy.mode"),
    ],
)
def test_an_invalid_scenario_is_refused_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(content)

    with pytest.raises(CommandError, match=message):
        call_command("routing_simulate", str(path))


def test_a_missing_file_fails_on_stderr_with_a_non_zero_status(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "omnicanal.manage", "routing_simulate",
         str(tmp_path / "missing.json")],
        capture_output=True, text=True, check=False,
    )

    assert completed.returncode != 0
    assert "Cannot read the scenario" in completed.stderr
    assert completed.stdout == ""


def test_simulated_assignments_never_reach_the_agents_screens(tmp_path: Path) -> None:
    # Listen where the workspaces listen, rather than on one of the functions that push.
    layer = get_channel_layer()
    screen = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(WORKSPACE_GROUP, screen)

    result = simulate(tmp_path, {
        "agents": AGENTS, "events": [{"t": 0, "type": "arrive", "id": 1, "channel": "chat"}],
    })

    assert result["assignments"]
    # Pushes are sent before simulate() returns; a marker sent now comes after any of them.
    async_to_sync(layer.group_send)(WORKSPACE_GROUP, {"type": "test.marker"})
    assert async_to_sync(layer.receive)(screen) == {"type": "test.marker"}
