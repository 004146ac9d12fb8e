"""What the copilot panel costs an agent opening a conversation: suggestions (retrieval), the
extractive summary of a long conversation (sentence embeddings), the suggested reply without a
language model, and an article draft from a resolved conversation.

Usage (from the repository root; a throw-away SQLite database unless DATABASE_URL is set):
    .venv/bin/python bench/copilot_panel.py [--articles 300] [--messages 40] [--runs 5]

Prints one JSON object: milliseconds (median of the runs, and the first, cold, call for the
summary, which loads the encoder).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOPICS = [
    ("Remboursement d'une commande", "Pour obtenir le remboursement d'une commande, ouvrez "
     "votre espace client et choisissez « Demander un remboursement ». Comptez 5 jours."),
    ("Changer d'adresse de livraison", "Dans votre espace client, ouvrez « Adresses » puis "
     "modifiez l'adresse avant l'expédition de la commande."),
    ("Suivre un colis", "Le numéro de suivi est dans l'e-mail d'expédition ; le transporteur "
     "met à jour le suivi chaque jour."),
    ("Facture introuvable", "Les factures sont dans l'espace client, rubrique « Commandes », "
     "téléchargeables en PDF."),
]
TURNS = [
    "Bonjour, ma commande 4417 est arrivée cassée, je voudrais un remboursement.",
    "Bonjour, je suis désolé. Pouvez-vous envoyer une photo du colis abîmé ?",
    "Voici la photo du carton écrasé et du vase cassé.",
    "Merci. Le transporteur a bien abîmé le colis, je regarde ce qui est possible.",
    "Dois-je renvoyer le vase cassé ? Je n'ai plus le carton d'origine.",
    "Non, vous pouvez le garder, inutile de le renvoyer.",
    "Et pour le remboursement de ma commande ?",
    "Je vérifie avec le service comptable et je reviens vers vous.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="bench-copilot-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from omnicanal.accounts.models import User
    from omnicanal.assistant import copilot
    from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
    from omnicanal.conversations import actions
    from omnicanal.conversations.ingest import ingest
    from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Status
    from omnicanal.knowledge.actions import save_article
    from omnicanal.knowledge.models import Article, ArticleStatus

    for number in range(args.articles):
        title, body = TOPICS[number % len(TOPICS)]
        save_article(Article(locale="fr", title=f"{title} ({number})", body=body,
                             status=ArticleStatus.PUBLISHED))
    agent = User.objects.create_user("bench@example.com", "bench-pass-1", name="Bench Agent")
    inbox = Inbox.objects.create(name="Bench", channel=ChannelKind.API)
    sender = Sender([SenderIdentity(IdentityKind.EMAIL, "client@example.fr", True)], "Client")
    conversation_id = 0
    for number in range(args.messages):
        text = TURNS[number % len(TURNS)]
        if number % 2:
            actions.reply(agent, conversation_id, text)
        else:
            conversation_id = ingest(inbox, InboundMessage(
                external_id=f"bench-{number}", sender=sender, text=text)).conversation_id
    conversation = Conversation.objects.get(pk=conversation_id)

    def timed(call: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        result = call()
        return (time.perf_counter() - started) * 1000, result

    from django.core.cache import cache

    cold_summary, _ = timed(lambda: copilot.summarize(conversation))
    figures: dict[str, list[float]] = {"suggestions": [], "summary": [], "summary_cached": [],
                                    "reply": []}
    found = 0
    for _run in range(args.runs):
        elapsed, suggestions = timed(lambda: copilot.suggestions_for(conversation))
        figures["suggestions"].append(elapsed)
        found = len(suggestions)
        cache.clear()  # the summary's own cost, not the cache's
        figures["summary"].append(timed(lambda: copilot.summarize(conversation))[0])
        figures["summary_cached"].append(timed(lambda: copilot.summarize(conversation))[0])
        figures["reply"].append(timed(lambda: copilot.suggested_reply(conversation))[0])
    actions.set_status(agent, conversation_id, Status.RESOLVED)
    conversation.refresh_from_db()
    draft_ms, _ = timed(lambda: copilot.article_draft_from(conversation, agent))
    print(json.dumps({
        "articles": args.articles, "messages": args.messages, "runs": args.runs,
        "suggestions_found": found,
        "suggestions_ms": round(statistics.median(figures["suggestions"]), 1),
        "summary_cold_ms": round(cold_summary, 1),
        "summary_ms": round(statistics.median(figures["summary"]), 1),
        "summary_cached_ms": round(statistics.median(figures["summary_cached"]), 1),
        "reply_ms": round(statistics.median(figures["reply"]), 1),
        "draft_ms": round(draft_ms, 1),
    }))


if __name__ == "__main__":
    main()
