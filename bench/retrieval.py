"""Knowledge retrieval at scale: embedding throughput, index build time, retrieval latency
(p50/p95) at N published articles, and the resident memory of a process with the encoder
loaded and the index cached.

Usage (from the repository root):
    .venv/bin/python bench/retrieval.py [--articles 10000] [--queries 200] [--corpus DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_retrieval \
        .venv/bin/python bench/retrieval.py

The articles are made from StackFAQ (`../shared/corpora/faq/stackfaq/corpus.jsonl`, else the
test sample): article i is thread i mod 125, its question numbered as the title and its
answers as the body. They are saved through `knowledge.actions.save_article` and indexed
through `vectors_store.index_article` (the task's code), in a throw-away SQLite database in a
temporary directory, or the PostgreSQL database named in DATABASE_URL (dropped and created).
The index build embeds each distinct passage once and reuses its vector for the copies
(embedding 35,000 chunks of long answers is the chunk count divided by the throughput
measured first). Queries are StackFAQ's dev rephrasings, asked through `retrieval.retrieve`
(public audience, every language), after one warm-up query that loads the cached matrix.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import prepare_database  # noqa: E402 (after the path is set)

_SHARED = next(
    (base / "shared" / "corpora" / "faq" / "stackfaq"
     for base in (ROOT.parent, ROOT.parent.parent)
     if (base / "shared" / "corpora").exists()),
    ROOT / "omnicanal" / "knowledge" / "tests" / "fixtures" / "stackfaq_sample",
)


NUMBER = re.compile(r" \(\d+\)(?=\n|$)")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class MemoEncoder:
    """The encoder, once per distinct passage (the article's number left out of its title)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dimensions = inner, inner.name, inner.dimensions
        self.known: dict[str, Any] = {}
        self.embedded = 0

    def encode(self, texts: list[str]) -> Any:
        import numpy as np

        keys = [NUMBER.sub("", text) for text in texts]
        missing = sorted({key for key in keys if key not in self.known})
        for start in range(0, len(missing), 256):
            batch = missing[start:start + 256]
            self.known.update(zip(batch, self.inner.encode(batch), strict=True))
        self.embedded += len(missing)
        return np.stack([self.known[key] for key in keys]) if keys else self.inner.encode([])



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=_SHARED)
    arguments = parser.parse_args()
    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from omnicanal.core.embeddings import get_encoder
    from omnicanal.knowledge import vectors_store
    from omnicanal.knowledge.actions import save_article
    from omnicanal.knowledge.evaluation import read_corpus, read_queries
    from omnicanal.knowledge.models import Article, ArticleStatus, BodyFormat, KnowledgeChunk
    from omnicanal.knowledge.retrieval import retrieve
    from omnicanal.knowledge.vectors_store import current_index, index_article

    call_command("migrate", verbosity=0)
    rss_start = rss_mb()
    started = time.perf_counter()
    encoder = get_encoder()
    encoder.encode(["The weights load on first use."])
    load_seconds = time.perf_counter() - started
    rss_encoder = rss_mb()

    corpus_file = arguments.corpus / "corpus.jsonl"
    documents = read_corpus(corpus_file)
    answers = [answer for document in documents for answer in document.body.split("\n\n")]
    queries_file = next(arguments.corpus.glob("queries*.jsonl"))
    queries = list(read_queries(queries_file).values())[: arguments.queries]

    # Embedding throughput on the answers themselves (one batch per 256).
    sample = (answers * 4)[:1024]
    started = time.perf_counter()
    for start in range(0, len(sample), 256):
        encoder.encode(sample[start:start + 256])
    throughput = len(sample) / (time.perf_counter() - started)
    short = (queries * 10)[:1024]
    started = time.perf_counter()
    for start in range(0, len(short), 256):
        encoder.encode(short[start:start + 256])
    query_throughput = len(short) / (time.perf_counter() - started)

    print(f"{connection.vendor}: saving {arguments.articles} articles…", flush=True)
    started = time.perf_counter()
    ids = []
    for number in range(arguments.articles):
        source = documents[number % len(documents)]
        body = source.body
        article = save_article(Article(
            locale="en", title=f"{source.title} ({number})", body=body,
            body_format=BodyFormat.MARKDOWN, status=ArticleStatus.PUBLISHED,
        ))
        ids.append(article.pk)
    save_seconds = time.perf_counter() - started
    # The articles share their answers: each distinct passage is embedded once and its
    # vector reused by the others (the encoder's own cost is the throughput above).
    memo = MemoEncoder(encoder)
    vectors_store.get_encoder = lambda: memo  # type: ignore[assignment]
    started = time.perf_counter()
    embedded = sum(index_article(pk) for pk in ids)
    build_seconds = time.perf_counter() - started
    chunks = KnowledgeChunk.objects.count()
    started = time.perf_counter()
    again = sum(index_article(pk) for pk in ids[:500])
    unchanged_seconds = (time.perf_counter() - started) / 500

    started = time.perf_counter()
    current_index()
    matrix_seconds = time.perf_counter() - started
    retrieve("warm up")
    latencies = []
    for query in queries:
        started = time.perf_counter()
        retrieve(query, limit=5)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    result = {
        "database": connection.vendor,
        "articles": arguments.articles,
        "chunks": chunks,
        "encoder": encoder.name,
        "encoder_load_s": round(load_seconds, 2),
        "embed_sentences_per_s_answers": round(throughput),
        "embed_sentences_per_s_queries": round(query_throughput),
        "save_articles_s": round(save_seconds, 1),
        "index_build_s": round(build_seconds, 1),
        "chunks_written": embedded,
        "distinct_texts_embedded": memo.embedded,
        "reindex_unchanged_article_ms": round(unchanged_seconds * 1000, 2),
        "reembedded_when_unchanged": again,
        "matrix_load_s": round(matrix_seconds, 2),
        "retrieve_p50_ms": round(statistics.median(latencies), 1),
        "retrieve_p95_ms": round(p95, 1),
        "queries": len(latencies),
        "rss_mb_start": round(rss_start),
        "rss_mb_encoder_loaded": round(rss_encoder),
        "rss_mb_with_index": round(rss_mb()),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
