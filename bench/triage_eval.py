"""Triage intent classification on the visible intent corpora, through the same function as
`omnicanal assistant_eval intents` (`omnicanal.assistant.evaluation.evaluate_intents`).

Usage (from the repository root):
    .venv/bin/python bench/triage_eval.py [--corpora DIR] [--only banking77|clinc150|latency]

DIR is `../shared/corpora/intents` by default. Figures:
- Banking77: a stratified 80/20 split (seed 0) of `banking77/train.csv` written to two
  temporary CSV files (and `banking77/test.csv` against the whole train.csv, when present);
- CLINC150: `clinc150/data_full_train_val.json`, trained on train + oos_train, tested on
  val + oos_val (`--split val`);
- latency: one message at a time through `IntentClassifier.predict`, encoder warm, after
  training on Banking77's train.csv (p50/p95 over 300 messages).
No database is touched.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")


def banking77(corpora: Path) -> None:
    from sklearn.model_selection import train_test_split

    from omnicanal.assistant.evaluation import evaluate_intents

    source = corpora / "banking77" / "train.csv"
    with source.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    train, test = train_test_split(
        rows, test_size=0.2, random_state=0, stratify=[r["category"] for r in rows]
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, part in (("train.csv", train), ("test.csv", test)):
            path = Path(folder) / name
            with path.open("w", encoding="utf-8", newline="") as stream:
                writer = csv.DictWriter(stream, fieldnames=["text", "category"])
                writer.writeheader()
                writer.writerows({"text": r["text"], "category": r["category"]} for r in part)
            paths.append(path)
        print("banking77 train.csv 80/20 (seed 0):",
              json.dumps(evaluate_intents(paths[0], paths[1])), flush=True)
    official = corpora / "banking77" / "test.csv"
    if official.is_file():
        print("banking77 test.csv:", json.dumps(evaluate_intents(source, official)), flush=True)


def clinc150(corpora: Path) -> None:
    from omnicanal.assistant.evaluation import evaluate_intents

    path = corpora / "clinc150" / "data_full_train_val.json"
    print("clinc150 val:", json.dumps(evaluate_intents(path, path, split="val")), flush=True)


def latency(corpora: Path) -> None:
    import numpy as np

    from omnicanal.assistant.classifier import IntentClassifier
    from omnicanal.assistant.evaluation import read_examples

    examples = read_examples(corpora / "banking77" / "train.csv", "train")
    started = time.perf_counter()
    classifier = IntentClassifier(seed=0).fit([t for t, _ in examples], [c for _, c in examples])
    print(f"training on {len(examples)} texts: {time.perf_counter() - started:.1f} s")
    messages = [t for t, _ in examples[::33]][:300]
    classifier.predict(messages[:5])  # warm
    times = []
    for message in messages:
        started = time.perf_counter()
        classifier.predict([message])
        times.append((time.perf_counter() - started) * 1000)
    print(f"predict one message: p50 {np.percentile(times, 50):.1f} ms, "
          f"p95 {np.percentile(times, 95):.1f} ms over {len(times)}; "
          f"model {len(classifier.to_bytes()) / 1e6:.1f} MB pickled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent.parent / "shared" / "corpora"
                        / "intents")
    parser.add_argument("--only", choices=["banking77", "clinc150", "latency"])
    args = parser.parse_args()
    corpora = args.corpora
    if not corpora.is_dir():
        corpora = Path("/work/shared/corpora/intents")
    import django

    django.setup()
    print(f"load average: {os.getloadavg()[0]:.1f}")
    for name, run in (("banking77", banking77), ("clinc150", clinc150), ("latency", latency)):
        if args.only in (None, name):
            run(corpora)


if __name__ == "__main__":
    main()
