"""Parsing is total: any JSON shape gives events, never an exception (fuzzed from fixtures)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicanal.connectors.webhooks import event_lines, get_provider, to_parsed

FIXTURES = Path(__file__).parent / "fixtures"
# Wrong types, empties, and a number too big for any timestamp or count.
ODD_VALUES = [None, "", "x", [], {}, True, 10**20, [None]]


def bodies() -> list[tuple[str, Any]]:
    found = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        data = json.loads(path.read_text())
        if path.name.startswith("signature_vector"):
            continue
        items = data.items() if False else [("", data)]
        found += [(f"{path.name}:{key}", body) for key, body in items]
    return found


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in children:
        yield from node_paths(child, (*prefix, key))


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(body)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return changed


@pytest.mark.parametrize(("name", "body"), bodies(), ids=[name for name, _ in bodies()])
def test_every_node_replaced_by_an_odd_value_still_parses(name: str, body: Any) -> None:
    events = get_provider("telegram").events
    for path in node_paths(body):
        for value in ODD_VALUES:
            parsed_events = events(replaced(body, path, value))
            assert event_lines(name, parsed_events), (path, value)
            to_parsed(parsed_events)
