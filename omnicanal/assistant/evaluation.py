"""`assistant_eval intents`: train the product's triage classifier on a file, evaluate it.

Files are a CSV with the header `text,category` (the Banking77 layout) or a CLINC150 JSON
object (`{"train": [[text, intent], ...], "oos_train": [...], "test": [...], "oos_test": [...]}`).
Training reads `train` + `oos_train`; testing reads the split NAME + `oos_NAME`. Out-of-scope
items carry the label `oos`. Nothing is written anywhere: the classifier lives in memory.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

from omnicanal.assistant.classifier import OUT_OF_SCOPE, IntentClassifier

Examples = list[tuple[str, str]]


def read_examples(path: Path, split: str) -> Examples:
    """(text, label) pairs of `split` (+ its `oos_` part) in a CLINC150 JSON file, or every
    row of a `text,category` CSV file (which has no splits)."""
    with path.open(encoding="utf-8") as stream:
        head = stream.read(1)
        while head.isspace():
            head = stream.read(1)
        stream.seek(0)
        if head in ("{", "["):
            return _read_json(json.load(stream), split, path)
        return _read_csv(stream, path)


def _read_json(data: Any, split: str, path: Path) -> Examples:
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object with a {split!r} list.")
    if split not in data and f"oos_{split}" not in data:
        raise ValueError(f"{path}: no {split!r} split (it has {', '.join(sorted(data))}).")
    examples: Examples = []
    for key, out_of_scope in ((split, False), (f"oos_{split}", True)):
        for item in data.get(key) or []:
            text, label = str(item[0]), str(item[1])
            examples.append((text, OUT_OF_SCOPE if out_of_scope else label))
    return examples


def _read_csv(stream: Any, path: Path) -> Examples:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
        raise ValueError(f"{path}: expected a CSV file with the header text,category.")
    return [(row["text"], row["category"]) for row in reader if row["text"]]


def score(gold: list[str], predicted: list[str], *, with_oos: bool) -> dict[str, Any]:
    """The contract's figures for `predicted` against `gold` (`with_oos`: whether either file
    had out-of-scope data; otherwise the `oos_*` figures are null)."""
    from sklearn.metrics import f1_score

    pairs = list(zip(gold, predicted, strict=True))
    in_scope = [(g, p) for g, p in pairs if g != OUT_OF_SCOPE]
    out_of_scope = [(g, p) for g, p in pairs if g == OUT_OF_SCOPE]
    predicted_oos = [(g, p) for g, p in pairs if p == OUT_OF_SCOPE]
    labels = sorted({g for g, _ in in_scope})

    def ratio(hits: int, total: int) -> float | None:
        return hits / total if total else None

    return {
        "accuracy": ratio(sum(g == p for g, p in pairs), len(pairs)),
        "in_scope_accuracy": ratio(sum(g == p for g, p in in_scope), len(in_scope)),
        "macro_f1": (
            float(f1_score([g for g, _ in in_scope], [p for _, p in in_scope],
                           labels=labels, average="macro", zero_division=0))
            if in_scope else None
        ),
        "oos_recall": (
            ratio(sum(p == OUT_OF_SCOPE for _, p in out_of_scope), len(out_of_scope))
            if with_oos else None
        ),
        "oos_precision": (
            ratio(sum(g == OUT_OF_SCOPE for g, _ in predicted_oos), len(predicted_oos))
            if with_oos else None
        ),
        "n_test": len(pairs),
    }


def evaluate_intents(
    train: Path, test: Path, *, split: str = "test", seed: int = 0
) -> dict[str, Any]:
    """Train the triage classifier on `train`, predict `test` (split `split` of a JSON file),
    and return {"accuracy", "in_scope_accuracy", "macro_f1", "oos_recall", "oos_precision",
    "n_test", "seconds"}: seconds is the wall time of training and evaluation."""
    started = time.perf_counter()
    training = read_examples(Path(train), "train")
    testing = read_examples(Path(test), split)
    if not training:
        raise ValueError(f"{train}: no training examples.")
    if not testing:
        raise ValueError(f"{test}: no {split!r} examples.")
    classifier = IntentClassifier(seed=seed).fit(
        [text for text, _ in training], [label for _, label in training]
    )
    predictions = classifier.predict([text for text, _ in testing])
    with_oos = any(label == OUT_OF_SCOPE for _, label in training + testing)
    result = score(
        [label for _, label in testing], [p.label for p in predictions], with_oos=with_oos
    )
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result
