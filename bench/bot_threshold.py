"""The bot's confidence threshold, calibrated on the demo articles: retrieval's confidence for
questions the demo help center answers (and which article should answer them) and for
questions it does not answer, in French and English.

Usage (from the repository root; a throw-away SQLite database in a temporary directory):
    .venv/bin/python bench/bot_threshold.py [--json]

Prints each question's best passage and confidence, then, for each candidate threshold, how
many answerable questions the bot would answer with the right article and how many
unanswerable ones it would (wrongly) answer. The default threshold is the one that answers
no unanswerable question, with a margin of twice the highest confidence an unanswerable one
reached, while answering the most answerable ones.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (language, question, slug of the article that answers it)
ANSWERABLE = [
    ("fr", "Où est mon colis ? Je voudrais suivre ma commande", "suivre-ma-commande"),
    ("fr", "Quels sont les délais de livraison ?", "delais-et-modes-de-livraison"),
    ("fr", "Comment retourner un article qui ne me va pas ?", "retourner-un-article"),
    ("fr", "Quand serai-je remboursé de mon retour ?", "quand-suis-je-rembourse"),
    ("fr", "J'ai oublié mon mot de passe, comment le changer ?", "changer-mon-mot-de-passe"),
    ("fr", "Comment résilier mon abonnement ?", "resiliation-de-mon-abonnement"),
    ("en", "Where is my parcel? I want to track my order", "track-my-order"),
    ("en", "How long does delivery take?", "delivery-times-and-options"),
    ("en", "How do I return an item?", "return-an-item"),
    ("en", "When will I get my refund?", "when-will-i-be-refunded"),
    ("en", "How can I change my password?", "change-my-password"),
    ("en", "How do I cancel my subscription?", "cancel-my-subscription"),
]
UNANSWERABLE = [
    ("fr", "Quelle est la capitale du Pérou ?"),
    ("fr", "Vendez-vous des cartes cadeaux ?"),
    ("fr", "Puis-je payer en bitcoin ?"),
    ("fr", "Avez-vous un magasin à Lyon ?"),
    ("fr", "Ma machine à laver fait du bruit"),
    ("en", "What is the capital of Peru?"),
    ("en", "Do you sell gift cards?"),
    ("en", "Can I pay with bitcoin?"),
    ("en", "Do you have a shop in London?"),
    ("en", "My washing machine is noisy"),
]
CANDIDATES = [round(0.05 * step, 2) for step in range(1, 20)]


def main() -> None:
    as_json = "--json" in sys.argv
    with tempfile.TemporaryDirectory() as directory:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from omnicanal.knowledge.demo import load_help_center_demo
        from omnicanal.knowledge.models import Article
        from omnicanal.knowledge.retrieval import retrieve
        from omnicanal.knowledge.vectors_store import reindex_all

        load_help_center_demo()
        reindex_all()  # what the task worker does after each article is saved
        slugs = dict(Article.objects.values_list("pk", "slug"))

        def best(language: str, question: str) -> tuple[str, float]:
            passages = retrieve(question, locale=language, audience="public", limit=3)
            if not passages:
                return "", 0.0
            return slugs.get(passages[0].article_id or 0, ""), passages[0].confidence

        answerable = [(lang, q, slug, *best(lang, q)) for lang, q, slug in ANSWERABLE]
        unanswerable = [(lang, q, *best(lang, q)) for lang, q in UNANSWERABLE]
    rows = []
    for threshold in CANDIDATES:
        right = sum(conf >= threshold and got == slug for _l, _q, slug, got, conf in answerable)
        wrong = sum(conf >= threshold and got != slug for _l, _q, slug, got, conf in answerable)
        false = sum(conf >= threshold for _l, _q, _got, conf in unanswerable)
        rows.append({"threshold": threshold, "answered_right": right, "answered_wrong": wrong,
                     "unanswerable_answered": false})
    # Safe: answers no unanswerable question, with a margin of twice the highest confidence
    # an unanswerable question reached (the demo's ten are not all the world's).
    highest_false = max((conf for *_rest, conf in unanswerable), default=0.0)
    safe = [row for row in rows if row["threshold"] >= 2 * highest_false]
    chosen = max(safe, key=lambda row: (row["answered_right"], -row["threshold"]))["threshold"] \
        if safe else None
    result = {
        "answerable": [{"language": lang, "question": q, "expected": s, "best": g,
                        "confidence": round(c, 3)} for lang, q, s, g, c in answerable],
        "unanswerable": [{"language": lang, "question": q, "best": g, "confidence": round(c, 3)}
                         for lang, q, g, c in unanswerable],
        "thresholds": rows, "suggested_threshold": chosen,
    }
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for item in result["answerable"]:
        mark = "ok " if item["best"] == item["expected"] else "BAD"
        print(f"{mark} {item['confidence']:.3f} [{item['language']}] {item['question']} -> "
              f"{item['best'] or '(nothing)'}")
    for item in result["unanswerable"]:
        print(f"oos {item['confidence']:.3f} [{item['language']}] {item['question']} -> "
              f"{item['best'] or '(nothing)'}")
    for row in rows:
        print(f"threshold {row['threshold']:.2f}: right {row['answered_right']}/"
              f"{len(answerable)}, wrong {row['answered_wrong']}, unanswerable answered "
              f"{row['unanswerable_answered']}/{len(unanswerable)}")
    print("suggested threshold:", chosen)


if __name__ == "__main__":
    main()
