"""Sentiment (negative, neutral, positive) and urgency of a customer's message, French and
English, from a lexicon and the shape of the text.

Why a lexicon: it runs in microseconds on every message, it is the same in both languages,
and an administrator can read why a message was judged urgent (the cues are listed in the
triage row). A learned model would need labelled sentiment data the team does not have.

- Sentiment: each word of the lexicons scores ±1 (±2 for strong words); a negation just before
  ("pas content", "not happy") flips the sign; shouting (a word in capitals, "!!") doubles the
  negative side. The total decides: ≤ -1 negative, ≥ +1 positive, else neutral.
- Urgency: an urgency word ("urgent", "immédiatement", "asap"…), a threat to leave or to take
  it further ("résilier", "avocat", "cancel my account", "lawyer"…), or an angry negative
  message (strong negative words with "!" or capitals). A threat also makes the sentiment
  negative; phrases such as "ne marche plus" / "stopped working" count as negative.

Measured on hand-labelled FR/EN sets (assistant/baseline/signals_*.csv,
bench/triage_signals.py, figures in docs/benchmarks.md): precise on urgency (an urgent flag
is right), missing part of the complaints written without a cue word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"


def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes as spaces: "Remboursez-moi" -> "remboursez
    moi"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub("[\u2019'`-]", " ", plain)


def _words(text: str) -> set[str]:
    return set(text.split())


# Word stems match the start of a word ("rembours" matches "remboursez", "remboursement").
_NEGATIVE_STRONG = _words(
    "inadmissible inacceptable scandal honte honteux lamentable nul nulle nuls arnaque "
    "escroc escroquerie voleur voleurs degoute degoutee furieux furieuse colere inadmissable "
    "pire catastrophe catastrophique insupportable mepris "
    "unacceptable outrageous disgrace disgraceful disgusting scam scammer fraud furious "
    "angry worst terrible awful horrible ridiculous pathetic useless appalling rubbish"
)
_NEGATIVE = _words(
    "probleme problemes panne bug bugs erreur erreurs bloque bloquee impossible decu decue "
    "decevant mecontent mecontente retard retards plainte plaindre "
    "casse cassee endommage abime perdu perdue lent lente marre enerve enervant inquiet "
    "problem problems issue broken error errors stuck fail failed failing failure "
    "disappointed disappointing unhappy late delay delayed lost damaged slow "
    "complaint complain annoyed frustrated frustrating worried wrong missing refused"
)
_POSITIVE = _words(
    "merci bravo super parfait parfaite genial excellent excellente top content contente "
    "satisfait satisfaite ravi ravie formidable efficace rapide sympa aimable adore "
    "thanks thank great perfect excellent awesome amazing happy satisfied pleased love "
    "wonderful helpful fantastic brilliant appreciate appreciated quick kind"
)
# Phrases (folded) that are negative as a whole: something stopped working.
_NEGATIVE_PHRASES = (
    "ne marche plus", "ne fonctionne plus", "ne marche pas", "ne fonctionne pas",
    "n arrive pas", "ne repond", "personne ne", "stopped working", "not working",
    "doesn t work", "does not work", "is down", "been down", "cannot access", "can t access",
    "nobody answers", "no one answers", "no answer",
    # "toujours", "encore", "still" alone are everyday words ("c'est encore moi"): only
    # waiting that goes on is a complaint.
    "toujours pas", "toujours rien", "toujours en attente", "toujours attendre",
    "jamais recu", "jamais arrive", "still waiting", "still not", "still no", "still haven t",
    "never received", "never arrived", "never got", "plus jamais", "jamais plus",
    "jamais venu", "jamais venue", "never again", "never showed", "never came",
)
_NEGATIONS = _words("pas ne plus jamais aucun aucune not no never dont didnt doesnt isnt")

_URGENT = _words(
    "urgent urgente urgence urgemment immediatement immediat immediate "
    "asap immediately emergency critique critical bloquant blocking vite quickly"
)
# Phrases (folded) that make a message urgent on their own: threats to leave, to take it
# further, demands to be paid back, "as soon as possible".
_URGENT_PHRASES = (
    "au plus vite", "des que possible", "le plus rapidement", "sans delai", "tout de suite",
    "rembourse", "je vais resilier", "resilier mon", "resiliation", "changer de fournisseur",
    "changer d operateur", "aller voir ailleurs", "aller ailleurs", "porter plainte",
    "mon avocat", "un avocat", "association de consommateurs", "60 millions",
    "as soon as possible", "right now", "right away", "refund me", "give me my money",
    "money back", "cancel my account", "cancel my subscription", "close my account",
    "switch to", "switching to", "going to leave", "i will leave", "i am leaving",
    "my lawyer", "a lawyer", "legal action", "take this further", "small claims",
)


_THREATS = frozenset(p for p in _URGENT_PHRASES if any(w in p for w in (
    "resili", "fournisseur", "operateur", "ailleurs", "plainte", "avocat", "consommateurs",
    "cancel", "close my", "switch", "leave", "leaving", "lawyer", "legal", "further", "claims",
    "rembourse", "refund", "money",
)))


@dataclass(frozen=True)
class Signals:
    sentiment: str
    urgent: bool
    score: int
    cues: list[str] = field(default_factory=list)


def _matches(word: str, lexicon: set[str]) -> bool:
    if word in lexicon:
        return True
    # Plural and feminine forms: "retards", "decue", "problemes".
    return len(word) > 4 and (word.rstrip("se") in lexicon or word[:-1] in lexicon)


def analyse(text: str) -> Signals:
    """Sentiment and urgency of one message, with the cues that decided them."""
    text = text[:5000]
    folded = fold(text)
    tokens = re.findall(r"[a-z0-9]+", folded)
    raw_words = re.findall(r"[^\W\d_]{3,}", text)
    shouting = any(w.isupper() for w in raw_words) or "!!" in text or "?!" in text
    cues: list[str] = []
    score = 0
    strong_negative = False
    for index, token in enumerate(tokens):
        negated = any(t in _NEGATIONS for t in tokens[max(0, index - 2):index])
        if _matches(token, _NEGATIVE_STRONG):
            value, strong_negative = -2, True
        elif _matches(token, _NEGATIVE):
            value = -1
        elif _matches(token, _POSITIVE):
            value = 1
        else:
            continue
        if negated and token not in _NEGATIONS:
            value = -value if value > 0 else value // 2
        if value < 0 and shouting:
            value *= 2
        score += value
        cues.append(token)
    for phrase in _NEGATIVE_PHRASES:
        if phrase in folded:
            score -= 1
            cues.append(phrase)
    urgent_cues = [t for t in tokens if t in _URGENT]
    urgent_cues += [p for p in _URGENT_PHRASES if p in folded]
    # A threat to leave or to take it further is not neutral, whatever its words.
    if any(p in _THREATS for p in urgent_cues):
        score -= 1
    sentiment = NEGATIVE if score <= -1 else POSITIVE if score >= 1 else NEUTRAL
    angry = strong_negative and (shouting or "!" in text)
    if angry:
        urgent_cues.append("!")
    return Signals(sentiment, bool(urgent_cues), score, cues + urgent_cues)
