"""`assistant_eval intents`: train the product's triage classifier on a file, evaluate it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def evaluate_intents(train: Path, test: Path, *, split: str = "test") -> dict[str, Any]:
    raise NotImplementedError
