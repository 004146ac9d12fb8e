"""How right triage's language detection, sentiment and urgency are.

Usage (from the repository root):
    .venv/bin/python bench/triage_signals.py

- Language: the French and English sides of the product's own translation catalogue
  (omnicanal/locale/fr/LC_MESSAGES/django.po: msgid English, msgstr French; strings of three
  words or more, placeholders removed; 400 pairs), plus the hand-labelled set's messages.
- Sentiment and urgency: the hand-labelled FR/EN set
  (omnicanal/assistant/baseline/signals_labelled.csv, written for this, 64 messages; the
  lexicons were then adjusted on it) and a second one written after that adjustment
  (signals_heldout.csv, 32 messages): its figures are the ones not tuned on.
No database needed.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omnicanal.assistant.language import detect  # noqa: E402
from omnicanal.assistant.sentiment import analyse  # noqa: E402

PO = ROOT / "omnicanal/locale/fr/LC_MESSAGES/django.po"
LABELLED = ROOT / "omnicanal/assistant/baseline/signals_labelled.csv"
# Written after the lexicons were adjusted on LABELLED: the figures not tuned on.
HELD_OUT = ROOT / "omnicanal/assistant/baseline/signals_heldout.csv"


def catalogue_pairs(limit: int = 400) -> list[tuple[str, str]]:
    po = PO.read_text(encoding="utf-8")
    pairs = re.findall(r'\nmsgid "(.+)"\nmsgstr "(.+)"\n', po)
    clean = []
    for english, french in pairs:
        english = re.sub(r"%\(\w+\)s|\{\w+\}|%s", "", english)
        french = re.sub(r"%\(\w+\)s|\{\w+\}|%s", "", french)
        if len(english.split()) >= 3 and english != french:
            clean.append((english, french))
    return clean[:limit]


def main() -> None:
    pairs = catalogue_pairs()
    items = [(e, "en") for e, _ in pairs] + [(f, "fr") for _, f in pairs]
    detect("warm up")
    started = time.perf_counter()
    right = sum(detect(text) == language for text, language in items)
    per_message = (time.perf_counter() - started) / len(items) * 1000
    print(f"language, catalogue: {right}/{len(items)} = {right / len(items):.3f} "
          f"({per_message:.2f} ms a string)")

    for path in (LABELLED, HELD_OUT):
        print(f"--- {path.name}")
        with path.open(encoding="utf-8", newline="") as f:
            signals(list(csv.DictReader(f)))


def signals(rows: list[dict[str, str]]) -> None:
    right = sum(detect(r["text"]) == r["language"] for r in rows)
    print(f"language, labelled set: {right}/{len(rows)} = {right / len(rows):.3f}")

    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        confusion[(row["sentiment"], analyse(row["text"]).sentiment)] += 1
    right = sum(c for (t, p), c in confusion.items() if t == p)
    print(f"sentiment: {right}/{len(rows)} = {right / len(rows):.3f}")
    for (truth, predicted), count in sorted(confusion.items()):
        if truth != predicted:
            print(f"  {truth} taken for {predicted}: {count}")

    truth = [r["urgent"] == "1" for r in rows]
    predicted = [analyse(r["text"]).urgent for r in rows]
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    precision = tp / max(1, sum(predicted))
    recall = tp / max(1, sum(truth))
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(rows)
    print(f"urgent: accuracy {accuracy:.3f}, precision {precision:.3f}, recall {recall:.3f} "
          f"({sum(truth)} urgent of {len(rows)})")
    for row, p in zip(rows, predicted, strict=True):
        if p != (row["urgent"] == "1"):
            print(f"  urgent={row['urgent']} predicted={int(p)}: {row['text']}")


if __name__ == "__main__":
    main()
