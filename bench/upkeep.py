"""Knowledge upkeep timings: content gaps over 2,000 unanswered questions and duplicates
over 1,000 articles, in a throw-away SQLite test database (the real one is not touched).

Usage (from the repository root):
    PYTHONPATH=. .venv/bin/python bench/upkeep.py [--corpus DIR]

The texts come from StackFAQ (`shared/corpora/faq/stackfaq`): its paraphrased questions,
each asked with one of six openings, and its FAQ entries as articles (question + one of the
answers). Each step runs twice: cold (no embedding memoised: what the first page load pays)
and warm (the texts' embeddings memoised: a reload).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = next(
    (base / "shared/corpora/faq/stackfaq" for base in (ROOT.parent, ROOT.parent.parent)
     if (base / "shared/corpora/faq/stackfaq").exists()),
    ROOT.parent / "shared/corpora/faq/stackfaq",
)
OPENINGS = ["", "Hi, ", "Hello! ", "Bonjour, ", "Quick question: ", "Please help: "]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    os.environ["DATABASE_URL"] = "sqlite:////tmp/upkeep-bench-unused.sqlite3"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from django.utils import timezone

    from omnicanal.core.embeddings import get_encoder
    from omnicanal.knowledge import upkeep
    from omnicanal.knowledge.models import Article, ArticleStatus, UnansweredQuestion

    corpus = [json.loads(line) for line in (args.corpus / "corpus.jsonl").open()]
    queries = [json.loads(line)["text"] for line in (args.corpus / "queries_dev.jsonl").open()]
    texts = [opening + query for opening in OPENINGS for query in queries][:args.questions]
    UnansweredQuestion.objects.bulk_create(
        UnansweredQuestion(question=text, locale="en") for text in texts
    )
    articles = []
    for index in range(args.articles):
        entry = corpus[index % len(corpus)]
        round_ = index // len(corpus)
        answer = entry["answers"][round_ % len(entry["answers"])]
        articles.append(Article(
            locale="en", title=f"{entry['question']} ({round_})"[:200],
            slug=f"a-{index}", body=answer, status=ArticleStatus.PUBLISHED,
        ))
    Article.objects.bulk_create(articles)
    get_encoder()  # loading the weights is not part of a computation
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    since = timezone.now() - datetime.timedelta(days=1)

    def timed(step: Any) -> tuple[Any, float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        result = step()
        return result, time.perf_counter() - start, time.process_time() - cpu

    for name, size, step in (
        ("gaps", len(texts), lambda: upkeep.content_gaps(since)),
        ("duplicates", len(articles), upkeep.duplicate_articles),
    ):
        upkeep.forget_embeddings()
        for label in ("cold", "warm"):
            found, wall, cpu = timed(step)
            print(json.dumps({
                "step": name, "run": label, "items": size, "found": len(found),
                "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
                "load_average": round(os.getloadavg()[0], 1),
            }), flush=True)

if __name__ == "__main__":
    main()
