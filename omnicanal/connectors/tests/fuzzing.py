"""Totality of webhook parsers: every node of every fixture replaced by an odd value must
still parse into events, never raise. Shared by each provider's test_totality.py."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from omnicanal.connectors.webhooks import event_lines, get_provider, to_parsed

# Wrong types, empties, and a number too big for any timestamp or count.
ODD_VALUES = [None, "", "x", [], {}, True, 10**20, [None]]


def fixture_bodies(
    directory: Path, pattern: str, *, is_keyed: bool = False
) -> list[tuple[str, Any]]:
    """(name, body) of each fixture file; `is_keyed` files hold several named bodies."""
    found = []
    for path in sorted(directory.glob(pattern)):
        if path.name.startswith("signature_vector"):
            continue
        data = json.loads(path.read_text())
        items = data.items() if is_keyed else [("", data)]
        found += [(f"{path.name}:{key}", body) for key, body in items]
    return found


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        children: Any = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        children = []
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


def assert_parses_whatever_the_values(provider: str, name: str, body: Any) -> None:
    events = get_provider(provider).events
    for path in node_paths(body):
        for value in ODD_VALUES:
            parsed_events = events(replaced(body, path, value))
            assert event_lines(name, parsed_events), (path, value)
            to_parsed(parsed_events)
