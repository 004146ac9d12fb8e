"""Regenerate intents.csv from templates.json (hand-written requests per intent and language,
combined with greetings, closings, an order word and a number). Seeded: the same file every
time. Run: python omnicanal/assistant/baseline/generate.py"""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
PER_INTENT_AND_LANGUAGE = 110
OUT_OF_SCOPE_PER_LANGUAGE = 90


def generate() -> list[tuple[str, str, str]]:
    data = json.loads((HERE / "templates.json").read_text(encoding="utf-8"))
    rng = random.Random(15)
    rows: list[tuple[str, str, str]] = []
    for intent, by_language in data["intents"].items():
        for language, requests in by_language.items():
            openers, closings = data["openers"][language], data["closings"][language]
            things = data["things"][language]
            wanted = OUT_OF_SCOPE_PER_LANGUAGE if intent == "oos" else PER_INTENT_AND_LANGUAGE
            combinations = list(itertools.product(requests, openers, closings))
            rng.shuffle(combinations)
            seen: set[str] = set()
            for request, opener, closing in combinations:
                if len(seen) >= wanted:
                    break
                thing, number = rng.choice(things), str(rng.randint(10000, 99999))
                text = request.format(t=thing, n=number)
                text = opener + text if opener else text[0].upper() + text[1:]
                if intent != "oos":
                    if closing and text[-1] not in "?!.":
                        text += "."
                    text += closing
                if text not in seen:
                    seen.add(text)
                    rows.append((text, intent, language))
    rng.shuffle(rows)
    return rows


if __name__ == "__main__":
    with (HERE / "intents.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "intent", "language"])
        writer.writerows(generate())
