"""`assistant_eval faq`: the product's retrieval over a corpus loaded into a throw-away
index, scored against relevance judgements.

The corpus rows become articles cut by `chunks.chunk_article`, embedded by the product's
encoder and ranked by `vectors.ChunkIndex.search` — the code `retrieval.retrieve` runs over
the database's chunks — but the index lives in memory only: nothing is written to any
database. Nothing is random, so two runs give the same figures.
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omnicanal.core.embeddings import encode
from omnicanal.knowledge.chunks import chunk_article
from omnicanal.knowledge.models import BodyFormat, Locale
from omnicanal.knowledge.search import stop_words, words
from omnicanal.knowledge.vectors import ChunkIndex, IndexedChunk, build_index

CUTOFF = 10


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    body: str


def read_corpus(path: Path) -> list[Document]:
    """BEIR rows (`_id`, `title`, `text`) or StackFAQ rows (`_id`, `question`, `answers`):
    the title (or question) as the article's title, the text (or each answer as its own
    paragraph) as its body."""
    documents = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            if "answers" in row:
                title = str(row.get("question") or row.get("title") or "")
                body = "\n\n".join(str(answer) for answer in row["answers"])
            else:
                title, body = str(row.get("title") or ""), str(row.get("text") or "")
            documents.append(Document(str(row["_id"]), title, body))
    return documents


def read_queries(path: Path) -> dict[str, str]:
    queries = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                queries[str(row["_id"])] = str(row["text"])
    return queries


def read_qrels(path: Path) -> dict[str, set[str]]:
    """Query id → relevant document ids (score > 0), from a TSV with a header line."""
    relevant: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as lines:
        rows = csv.reader(lines, delimiter="\t")
        header = [name.strip().lower().replace("-", "_") for name in next(rows, [])]
        query_at = header.index("query_id") if "query_id" in header else 0
        corpus_at = header.index("corpus_id") if "corpus_id" in header else 1
        score_at = header.index("score") if "score" in header else 2
        for row in rows:
            if len(row) <= max(query_at, corpus_at):
                continue
            score = float(row[score_at]) if len(row) > score_at and row[score_at].strip() else 1
            if score > 0:
                relevant.setdefault(row[query_at].strip(), set()).add(row[corpus_at].strip())
    return relevant


def guess_locale(text: str) -> str:
    """French or English, by which language's stop words the text uses more."""
    found = words(text[:4000])
    french = sum(word in stop_words(Locale.FR) for word in found)
    english = sum(word in stop_words(Locale.EN) for word in found)
    return Locale.FR if french > english else Locale.EN


def build_corpus_index(documents: list[Document]) -> ChunkIndex:
    """The documents as published public articles, chunked, embedded and indexed as the
    database path does (`vectors_store.index_article`)."""
    chunks: list[IndexedChunk] = []
    texts: list[str] = []
    for number, document in enumerate(documents):
        locale = guess_locale(f"{document.title}\n{document.body}")
        for chunk in chunk_article(document.title, document.body, BodyFormat.MARKDOWN):
            chunks.append(IndexedChunk(
                document=f"a{number}", article_id=number, conversation_id=None, locale=locale,
                visibility="public", position=chunk.position, title=document.title,
                text=chunk.text,
            ))
            texts.append(chunk.indexed_text)
    return build_index(chunks, texts, encode)


def rank(index: ChunkIndex, queries: list[str], limit: int = CUTOFF) -> list[list[int]]:
    """Each query's article numbers, best first."""
    vectors = encode(queries)
    return [
        [int(hit.document[1:]) for hit in index.search(query, vector, limit=limit)]
        for query, vector in zip(queries, vectors, strict=True)
    ]


def scores(ranked: list[list[str]], relevant: list[set[str]]) -> dict[str, float]:
    hit1 = hit5 = mrr = ndcg = 0.0
    for found, wanted in zip(ranked, relevant, strict=True):
        found = found[:CUTOFF]
        flags = [document in wanted for document in found]
        hit1 += any(flags[:1])
        hit5 += any(flags[:5])
        first = next((index for index, flag in enumerate(flags) if flag), None)
        mrr += 1 / (first + 1) if first is not None else 0
        dcg = sum(1 / math.log2(index + 2) for index, flag in enumerate(flags) if flag)
        ideal = sum(1 / math.log2(index + 2) for index in range(min(len(wanted), CUTOFF)))
        ndcg += dcg / ideal if ideal else 0
    count = max(len(ranked), 1)
    return {
        "hit_at_1": round(hit1 / count, 4), "hit_at_5": round(hit5 / count, 4),
        "mrr_at_10": round(mrr / count, 4), "ndcg_at_10": round(ndcg / count, 4),
    }


def evaluate_faq(corpus: Path, queries: Path, qrels: Path) -> dict[str, Any]:
    started = time.monotonic()
    documents = read_corpus(corpus)
    questions = read_queries(queries)
    relevant = read_qrels(qrels)
    asked = [query_id for query_id in questions if relevant.get(query_id)]
    index = build_corpus_index(documents)
    ranked = rank(index, [questions[query_id] for query_id in asked])
    result: dict[str, Any] = scores(
        [[documents[number].id for number in found] for found in ranked],
        [relevant[query_id] for query_id in asked],
    )
    result["n_queries"] = len(asked)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result
