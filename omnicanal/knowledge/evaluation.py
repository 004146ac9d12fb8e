"""`assistant_eval faq`: the product's retrieval over a corpus loaded into a throw-away
index, scored against relevance judgements."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def evaluate_faq(corpus: Path, queries: Path, qrels: Path) -> dict[str, Any]:
    raise NotImplementedError
