"""Training the triage intent classifier: the shipped baseline plus the team's own labelled
conversations, a fifth held back for evaluation, activated only if not worse than the model
in use.

- Team data: the first customer message of each resolved conversation that has labels (joined
  with the second when the first is a bare greeting), one example per label: the labels
  agents already put on conversations are the intents.
- Held-back fifth: chosen by a hash of the text, so the same example is on the same side at
  every run, and the active model is compared with the candidate on items neither trained on
  (its evaluation is recomputed on the candidate's held-back items).
- Weight: the team's examples count three times in training (repeated), so that a few dozen
  labelled conversations outweigh the baseline's generic phrasing of a neighbouring intent
  (their "warranty" against the baseline's product questions).
- Activation: the candidate replaces the active model when its macro-F1 on those items is at
  least the active model's (or when none is active). The run is kept either way with its
  figures, for the settings page.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from omnicanal.assistant.classifier import IntentClassifier
from omnicanal.assistant.models import TriageModel, TriageModelStatus
from omnicanal.conversations.models import Direction, Message, Status

logger = logging.getLogger(__name__)

BASELINE = Path(__file__).parent / "baseline" / "intents.csv"
SEED = 15
HELD_BACK_PERCENT = 20
# A team label needs this many conversations to become an intent.
MIN_EXAMPLES_PER_LABEL = 3
GREETING_LENGTH = 25
TEAM_WEIGHT = 3


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    source: str  # "baseline" or "team"


def baseline_examples() -> list[Example]:
    with BASELINE.open(encoding="utf-8", newline="") as f:
        return [Example(row["text"], row["intent"], "baseline") for row in csv.DictReader(f)]


def team_examples() -> list[Example]:
    """One example per label of each resolved, labelled conversation: its first customer
    message (and the second, when the first is only a greeting)."""
    from omnicanal.conversations.models import Conversation

    conversations = (
        Conversation.objects.filter(status=Status.RESOLVED, labels__isnull=False)
        .distinct().prefetch_related("labels")
    )
    examples: list[Example] = []
    counts: Counter[str] = Counter()
    for conversation in conversations.iterator(chunk_size=500):
        first = list(
            Message.objects.filter(conversation=conversation, direction=Direction.INCOMING)
            .exclude(text="").order_by("pk").values_list("text", flat=True)[:2]
        )
        if not first:
            continue
        text = first[0] if len(first[0]) >= GREETING_LENGTH else " ".join(first)
        for label in conversation.labels.all():
            examples.append(Example(text[:2000], label.name, "team"))
            counts[label.name] += 1
    return [e for e in examples if counts[e.intent] >= MIN_EXAMPLES_PER_LABEL]


def is_held_back(text: str) -> bool:
    digest = hashlib.sha256(text.strip().lower().encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_BACK_PERCENT


@lru_cache(maxsize=1)
def baseline_classifier() -> IntentClassifier:
    """The shipped baseline alone, for triage before any training ran (once per process)."""
    examples = baseline_examples()
    return IntentClassifier(seed=SEED).fit(
        [e.text for e in examples], [e.intent for e in examples]
    )


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """accuracy, macro_f1 (over the true labels), per-intent precision/recall/support and the
    most confused pairs."""
    n = len(truth)
    labels = sorted(set(truth))
    per_intent: dict[str, dict[str, float]] = {}
    f1s = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
        predicted_n = sum(1 for p in predicted if p == label)
        support = sum(1 for t in truth if t == label)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_intent[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                             "f1": round(f1, 4), "support": support}
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    return {
        "accuracy": round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / n, 4)
        if n else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "per_intent": per_intent,
        "worst_pairs": [
            {"true": t, "predicted": p, "count": c} for (t, p), c in confusions.most_common(5)
        ],
        "n_test": n,
    }


def train(requested_by: str = "task", *, examples: list[Example] | None = None) -> TriageModel:
    """One training run, recorded as a TriageModel (active, kept out, or failed)."""
    run = TriageModel.objects.create(requested_by=requested_by[:40])
    started = time.monotonic()
    try:
        _train(run, baseline_examples() + team_examples() if examples is None else examples)
    except Exception as exc:
        logger.exception("triage training %s failed", run.pk)
        run.status = TriageModelStatus.FAILED
        run.note = f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    run.evaluation = {**run.evaluation, "seconds": round(time.monotonic() - started, 2)}
    run.save()
    return run


def _train(run: TriageModel, examples: list[Example]) -> None:
    train_set = [e for e in examples if not is_held_back(e.text)]
    test_set = [e for e in examples if is_held_back(e.text)]
    if len({e.intent for e in train_set}) < 2 or not test_set:
        raise ValueError("Too little data: at least two intents and some held-back examples.")
    weighted = [
        e for e in train_set for _ in range(TEAM_WEIGHT if e.source == "team" else 1)
    ]
    classifier = IntentClassifier(seed=SEED).fit(
        [e.text for e in weighted], [e.intent for e in weighted]
    )
    texts, truth = [e.text for e in test_set], [e.intent for e in test_set]
    evaluation = evaluate(truth, [p.label for p in classifier.predict(texts)])
    evaluation.update(
        n_train=len(train_set),
        n_team=sum(e.source == "team" for e in examples),
        n_baseline=sum(e.source == "baseline" for e in examples),
    )
    team_test = [(e.text, e.intent) for e in test_set if e.source == "team"]
    if team_test:
        predicted = classifier.predict([t for t, _ in team_test])
        team = evaluate([i for _, i in team_test], [p.label for p in predicted])
        evaluation["team"] = {k: team[k] for k in ("accuracy", "macro_f1", "n_test")}
    run.data = classifier.to_bytes()
    run.labels = classifier.labels
    with transaction.atomic():
        active = (
            TriageModel.objects.select_for_update()
            .filter(status=TriageModelStatus.ACTIVE).first()
        )
        if active is not None and active.data:
            try:
                old = IntentClassifier.from_bytes(bytes(active.data))
                old_figures = evaluate(truth, [p.label for p in old.predict(texts)])
                evaluation["compared_with"] = {
                    "model": active.pk, "accuracy": old_figures["accuracy"],
                    "macro_f1": old_figures["macro_f1"],
                }
            except Exception as exc:  # an unreadable old model never blocks a new one
                logger.warning("active triage model %s unreadable: %s", active.pk, exc)
                evaluation["compared_with"] = {"model": active.pk, "macro_f1": None}
        run.evaluation = evaluation
        compared = evaluation.get("compared_with", {}).get("macro_f1")
        if active is None or compared is None or evaluation["macro_f1"] >= compared:
            if active is not None:
                active.status = TriageModelStatus.RETIRED
                active.save(update_fields=["status"])
            run.status = TriageModelStatus.ACTIVE
        else:
            run.status = TriageModelStatus.KEPT_OUT
            run.note = "Worse than the active model on the same held-back items."
        run.save()
