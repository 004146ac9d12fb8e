"""The `staffing` contract (issue 17 item 6) through the management command."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

KEYS = {"erlangs", "agents", "Pw", "service_level", "asa_s", "occupancy", "abandon_rate"}
BASE = ["--calls", "100", "--interval-s", "1800", "--aht-s", "180"]


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("staffing", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_erlang_c_figures() -> None:
    result = run(*BASE, "--agents", "11", "--target-s", "20")
    assert set(result) == KEYS
    assert result["erlangs"] == pytest.approx(10.0)
    assert result["agents"] == 11 and isinstance(result["agents"], int)
    assert result["Pw"] == pytest.approx(0.682118, abs=1e-6)
    assert result["service_level"] == pytest.approx(0.389614, abs=1e-6)
    assert result["asa_s"] == pytest.approx(122.7813, rel=1e-6)
    assert result["occupancy"] == pytest.approx(10 / 11)
    assert result["abandon_rate"] is None


def test_outputs_are_not_rounded() -> None:
    out = StringIO()
    call_command("staffing", *BASE, "--agents", "11", "--target-s", "20", "--json", stdout=out)
    assert '"Pw": 0.68211820' in out.getvalue()  # the full float, not 4 places


def test_too_few_agents() -> None:
    result = run(*BASE, "--agents", "10", "--target-s", "20")
    assert result["Pw"] == 1.0
    assert result["service_level"] == 0
    assert result["asa_s"] is None
    assert result["abandon_rate"] is None


def test_target_service_level() -> None:
    result = run(*BASE, "--target-sl", "0.8", "--target-s", "19.8")
    assert result["agents"] == 14
    assert result["service_level"] == pytest.approx(0.887853, abs=1e-6)


def test_erlang_a_with_patience() -> None:
    result = run(*BASE, "--agents", "9", "--target-s", "20", "--patience-s", "120")
    assert set(result) == KEYS
    assert 0 < result["abandon_rate"] < 1
    assert 0 < result["service_level"] < 1
    assert result["asa_s"] > 0
    assert result["occupancy"] == pytest.approx(10 * (1 - result["abandon_rate"]) / 9)
    needed = run(*BASE, "--target-sl", "0.8", "--target-s", "20", "--patience-s", "120")
    assert needed["agents"] == 12


def test_fractional_inputs_and_zero_threshold() -> None:
    result = run("--calls", "100.5", "--interval-s", "1800.25", "--aht-s", "179.5",
                 "--agents", "12", "--target-s", "0")
    assert result["erlangs"] == pytest.approx(100.5 * 179.5 / 1800.25)
    assert result["service_level"] == pytest.approx(1 - result["Pw"])


def test_readable_summary() -> None:
    out = StringIO()
    call_command("staffing", *BASE, "--agents", "12", "--target-s", "20",
                 "--patience-s", "120", stdout=out)
    text = out.getvalue()
    assert "Erlang A" in text and "Agents: 12" in text and "Abandoned:" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calls", "-1", "--interval-s", "1800", "--aht-s", "180", "--agents", "3",
          "--target-s", "20"], "--calls"),
        (["--calls", "10", "--interval-s", "0", "--aht-s", "180", "--agents", "3",
          "--target-s", "20"], "--interval-s"),
        (["--calls", "10", "--interval-s", "1800", "--aht-s", "0", "--agents", "3",
          "--target-s", "20"], "--aht-s"),
        ([*BASE, "--agents", "3", "--target-s", "-1"], "--target-s"),
        ([*BASE, "--agents", "0", "--target-s", "20"], "--agents"),
        ([*BASE, "--agents", "2.5", "--target-s", "20"], "whole number"),
        ([*BASE, "--target-sl", "1", "--target-s", "20"], "--target-sl"),
        ([*BASE, "--target-sl", "0", "--target-s", "20"], "--target-sl"),
        ([*BASE, "--agents", "3", "--target-s", "20", "--patience-s", "0"], "--patience-s"),
        ([*BASE, "--agents", "3", "--target-s", "nan"], "finite"),
        ([*BASE, "--agents", "3", "--target-sl", "0.8", "--target-s", "20"], "not allowed"),
        ([*BASE, "--target-s", "20"], "one of the arguments"),
    ],
)
def test_bad_input_is_a_clear_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("staffing", *args, "--json", stdout=StringIO())
