"""Parsing is total: any JSON shape gives events, never an exception (fuzzed from fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicanal.connectors.tests.fuzzing import assert_parses_whatever_the_values, fixture_bodies

BODIES = fixture_bodies(Path(__file__).parent / "fixtures", "*/*.json")


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[name for name, _ in BODIES])
def test_every_node_replaced_by_an_odd_value_still_parses(name: str, body: Any) -> None:
    assert_parses_whatever_the_values("telegram", name, body)
