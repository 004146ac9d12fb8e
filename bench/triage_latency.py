"""Triage per customer message, end to end of its outbox handler: language, sentiment and
urgency, the active model's intent, the MessageTriage row, record_triage (the conversation's
columns and its event), the priority raise and the skill (one intent mapped to a skill).

Usage (from the repository root):
    .venv/bin/python bench/triage_latency.py [--messages 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_triage \
        .venv/bin/python bench/triage_latency.py

Throw-away data directory (SQLite) or database (PostgreSQL: dropped and created). A model is
trained first (`train_triage`'s action on the shipped baseline) and activated; messages are
drawn from the hand-labelled FR/EN set and the baseline, ingested one by one; the handler is
timed where the outbox calls it (the first call, which loads the model, is reported apart).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import prepare_database  # noqa: E402 (after the path is set)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()

    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from omnicanal.assistant import triage
    from omnicanal.assistant.models import IntentSkill, MessageTriage
    from omnicanal.assistant.training import train
    from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
    from omnicanal.conversations import outbox
    from omnicanal.conversations.ingest import ingest
    from omnicanal.conversations.models import Inbox

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    model = train("bench")
    print(f"training on the baseline: {time.perf_counter() - started:.1f} s, "
          f"held-back accuracy {model.evaluation.get('accuracy')}, "
          f"macro-F1 {model.evaluation.get('macro_f1')}, n_test {model.evaluation.get('n_test')}")
    IntentSkill.objects.create(intent="billing", skill="billing")
    inbox = Inbox.objects.create(name="bench", channel="api")

    texts = []
    for name in ("signals_labelled.csv", "signals_heldout.csv", "intents.csv"):
        with (ROOT / "omnicanal/assistant/baseline" / name).open(encoding="utf-8") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    rng = random.Random(15)

    timings: list[float] = []
    name = outbox.subscriber_name(triage.handle_message_created)
    handler = outbox._subscribers["message.created"][name]

    def timed(event: object) -> None:
        begin = time.perf_counter()
        handler(event)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - begin)

    outbox._subscribers["message.created"][name] = timed
    for n in range(args.messages + 1):
        sender = Sender([SenderIdentity(IdentityKind.EMAIL, f"c{n % 200}@example.com", True)],
                        f"Client {n % 200}")
        ingest(inbox, InboundMessage(external_id=f"b-{n}", sender=sender,
                                     text=rng.choice(texts)))
    first, rest = timings[0], [t * 1000 for t in timings[1:]]
    assert MessageTriage.objects.count() == len(timings)
    print(f"first message (loads the model): {first * 1000:.0f} ms")
    print(f"triage handler, {len(rest)} messages: p50 {statistics.median(rest):.1f} ms, "
          f"p95 {percentile(rest, 0.95):.1f} ms, max {max(rest):.1f} ms")

    parts = {"language": [], "sentiment/urgency": [], "intent": []}
    _model_id, classifier = triage.active_model()
    from omnicanal.assistant.language import detect
    from omnicanal.assistant.sentiment import analyse

    for text in rng.sample(texts, 300):
        for part, call in (("language", lambda t: detect(t)), ("sentiment/urgency", analyse),
                           ("intent", lambda t: classifier.predict([t]))):
            begin = time.perf_counter()
            call(text)
            parts[part].append((time.perf_counter() - begin) * 1000)
    for part, values in parts.items():
        print(f"  {part}: p50 {statistics.median(values):.2f} ms, "
              f"p95 {percentile(values, 0.95):.2f} ms")


if __name__ == "__main__":
    main()
