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

    for label in ("cold", "warm"):
        if label == "cold":
            upkeep.forget_embeddings()
        start, cpu = time.perf_counter(), time.process_time()
        gaps = upkeep.content_gaps(since)
        gap_seconds = time.perf_counter() - start
        gap_cpu = time.process_time() - cpu
        if label == "cold":
            upkeep.forget_embeddings()
        start, cpu = time.perf_counter(), time.process_time()
        pairs = upkeep.duplicate_articles()
        duplicate_seconds = time.perf_counter() - start
        duplicate_cpu = time.process_time() - cpu
        print(json.dumps({
            "run": label, "questions": len(texts), "gaps": len(gaps),
            "gap_seconds": round(gap_seconds, 2), "gap_cpu_seconds": round(gap_cpu, 2),
            "articles": len(articles), "duplicate_pairs": len(pairs),
            "duplicate_seconds": round(duplicate_seconds, 2),
            "duplicate_cpu_seconds": round(duplicate_cpu, 2),
        }), flush=True)


if __name__ == "__main__":
    main()
