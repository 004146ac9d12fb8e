"""The language of a customer's message: "fr", "en" or "other" (or "" when there is no text
to judge).

py3langid (a fork of langid.py: a naive Bayes over byte n-grams trained on 97 languages,
bundled in the package, numpy only, ~1 ms a message) ranks every language it knows. The team
writes French and English, so the decision leans on them: the better of the two wins unless
a third language is clearly more likely (short messages such as "ok merci" are often taken
for Catalan or Latin by a 97-language model). Measured in docs/benchmarks.md
(bench/triage_signals.py).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

FRENCH = "fr"
ENGLISH = "en"
OTHER = "other"
LANGUAGES = (FRENCH, ENGLISH, OTHER)

# A third language wins when it is this likely, and this many times more likely than French
# and English together.
OTHER_PROBABILITY = 0.5
OTHER_RATIO = 20
# Short messages ("ok merci", "thanks!") are decided by their everyday words first.
SHORT_WORDS = 3
_FRENCH_WORDS = frozenset([
    "merci", "bonjour", "bonsoir", "salut", "oui", "non", "je", "vous", "nous", "mon", "ma",
    "mes", "est", "pas", "svp", "stp", "avec", "pour", "aide", "colis", "commande", "au",
    "revoir",
])
_ENGLISH_WORDS = frozenset([
    "thanks", "thank", "you", "hello", "hi", "yes", "no", "please", "my", "is", "not", "the",
    "with", "for", "help", "order", "parcel", "bye",
])
# Under this many letters there is nothing to judge.
MIN_LETTERS = 2

_WORD = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _lock:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str:
    """"fr", "en", "other", or "" for a text without words (an emoji, a number)."""
    words = _WORD.findall(text[:2000])
    if sum(len(w) for w in words) < MIN_LETTERS:
        return ""
    lowered = [w.lower() for w in words]
    if len(lowered) <= SHORT_WORDS:
        french_hits = sum(w in _FRENCH_WORDS for w in lowered)
        english_hits = sum(w in _ENGLISH_WORDS for w in lowered)
        if french_hits != english_hits:
            return FRENCH if french_hits > english_hits else ENGLISH
    scores = dict(_identifier().rank(" ".join(lowered)))
    french, english = scores.get(FRENCH, 0.0), scores.get(ENGLISH, 0.0)
    best, best_score = max(scores.items(), key=lambda item: item[1])
    if best not in (FRENCH, ENGLISH) and best_score >= OTHER_PROBABILITY and (
        best_score > OTHER_RATIO * (french + english)
    ):
        return OTHER
    return FRENCH if french >= english else ENGLISH
