"""The in-memory side of hybrid retrieval: chunk vectors in one NumPy matrix, a BM25 index of
the chunks' stems, and the fusion of both into one ranking of documents (an article or a
resolved conversation), with a confidence.

Built from the chunk table by `vectors_store` (cached in the process, rebuilt when the table
changes) and from a corpus file by the FAQ evaluation: the same code ranks both.

How it ranks, measured on StackFAQ's dev queries (docs/benchmarks.md):
- dense: the cosine of the query with each chunk (title alone, or title + a group of
  paragraphs); a document takes its best chunk;
- keywords: BM25 over the chunks' stems (Snowball, accents folded, stop words dropped: the
  help center's stemming), a document takes its best chunk too;
- fused: `DENSE_WEIGHT * cosine + (1 - DENSE_WEIGHT) * bm25 / best bm25 of the query
  + TITLE_WEIGHT * cosine of the title chunk`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from omnicanal.knowledge.search import stems

# BM25's usual parameters.
BM25_K1 = 1.2
BM25_B = 0.75
# Share of the dense score in the fused one (tuned on half of StackFAQ's dev queries).
DENSE_WEIGHT = 0.6
# Added: this share of the cosine of the document's title chunk (the question an FAQ entry
# answers, the title of an article): a question that rephrases the title wins ties.
TITLE_WEIGHT = 0.2
# Confidence: a logistic of the best chunk's cosine, fitted on StackFAQ's dev queries mixed
# half and half with the same queries asked after their FAQ was removed (the question the
# knowledge base cannot answer): in each band of confidence, about that share of the top
# passages was the right answer (0-0.2: 8 %, 0.4-0.6: 50 %, 0.8-1: 89 %).
CONFIDENCE_SLOPE = 10.8
CONFIDENCE_MIDPOINT = 0.65


@dataclass(frozen=True)
class IndexedChunk:
    # "a<article id>" or "c<conversation id>": what results are grouped by.
    document: str
    article_id: int | None
    conversation_id: int | None
    locale: str
    # "public", "internal" (agents only) or "hidden" (draft, archived: never retrieved).
    visibility: str
    position: int
    title: str
    text: str


@dataclass(frozen=True)
class Hit:
    document: str
    chunk: IndexedChunk
    score: float
    confidence: float
    cosine: float
    keywords: float


class ChunkIndex:
    def __init__(
        self, chunks: Sequence[IndexedChunk], vectors: np.ndarray, chunk_stems: Sequence[list[str]]
    ) -> None:
        if len(chunks) != len(vectors) or len(chunks) != len(chunk_stems):
            raise ValueError("One vector and one list of stems per chunk.")
        self.chunks = list(chunks)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        documents = sorted({chunk.document for chunk in chunks})
        self.documents = documents
        position = {document: index for index, document in enumerate(documents)}
        self.chunk_document = np.array(
            [position[chunk.document] for chunk in chunks], dtype=np.int64
        )
        self.locales = sorted({chunk.locale for chunk in chunks})
        self.chunk_locale = np.array([chunk.locale for chunk in chunks], dtype=object)
        self.visibility = np.array([chunk.visibility for chunk in chunks], dtype=object)
        self.is_title = np.array([chunk.position == 0 for chunk in chunks], dtype=bool)
        self.is_article = np.array([chunk.article_id is not None for chunk in chunks], dtype=bool)
        self._masks: dict[tuple[object, ...], np.ndarray] = {}
        self._build_bm25(chunk_stems)

    def __len__(self) -> int:
        return len(self.chunks)

    def _build_bm25(self, chunk_stems: Sequence[list[str]]) -> None:
        lengths = np.array([len(found) for found in chunk_stems], dtype=np.float32)
        self.average_length = float(lengths.mean()) if len(lengths) else 0.0
        self.length_norm = (
            BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(self.average_length, 1e-9))
        ).astype(np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for index, (chunk, found) in enumerate(zip(self.chunks, chunk_stems, strict=True)):
            for term, count in Counter(found).items():
                rows, counts = postings[f"{chunk.locale}:{term}"]
                rows.append(index)
                counts.append(count)
        count = len(self.chunks)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        for key, (rows, counts) in postings.items():
            idf = math.log(1 + (count - len(rows) + 0.5) / (len(rows) + 0.5))
            self.postings[key] = (
                np.array(rows, dtype=np.int64), np.array(counts, dtype=np.float32), idf
            )

    def mask(self, *, visibilities: Iterable[str], locale: str | None = None,
             kinds: Iterable[str] = ("a", "c")) -> np.ndarray:
        """Which chunks a search may return: of these visibilities, this language (None:
        any), articles ("a") and/or conversations ("c"). Cached: the index never changes."""
        key = (tuple(sorted(visibilities)), locale, tuple(sorted(kinds)))
        if key not in self._masks:
            wanted = np.isin(self.visibility, list(key[0]))
            if locale:
                wanted &= self.chunk_locale == locale
            if "a" not in key[2]:
                wanted &= ~self.is_article
            if "c" not in key[2]:
                wanted &= self.is_article
            wanted.setflags(write=False)
            self._masks[key] = wanted
        return self._masks[key]

    def bm25(self, query: str) -> np.ndarray:
        """Each chunk's BM25 score for the query, the query stemmed in each chunk's language."""
        scores = np.zeros(len(self.chunks), dtype=np.float32)
        for locale in self.locales:
            for term in set(stems(locale, query)):
                posting = self.postings.get(f"{locale}:{term}")
                if posting is None:
                    continue
                rows, counts, idf = posting
                scores[rows] += idf * counts * (BM25_K1 + 1) / (counts + self.length_norm[rows])
        return scores

    def search(
        self, query: str, query_vector: np.ndarray, *, mask: np.ndarray | None = None,
        limit: int = 5,
    ) -> list[Hit]:
        """The best documents for the query (one hit each, through its best chunk)."""
        if not self.chunks:
            return []
        cosines = self.vectors @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
        keywords = self.bm25(query)
        if mask is not None:
            cosines = np.where(mask, cosines, -2.0)
            keywords = np.where(mask, keywords, 0.0)
        count = len(self.documents)
        best_cosine = np.full(count, -2.0, dtype=np.float32)
        np.maximum.at(best_cosine, self.chunk_document, cosines)
        best_keywords = np.zeros(count, dtype=np.float32)
        np.maximum.at(best_keywords, self.chunk_document, keywords)
        top_keywords = float(best_keywords.max()) if count else 0.0
        scaled = best_keywords / top_keywords if top_keywords > 0 else best_keywords
        title_cosine = np.zeros(count, dtype=np.float32)
        np.maximum.at(title_cosine, self.chunk_document[self.is_title],
                      np.maximum(cosines[self.is_title], 0.0))
        fused = (DENSE_WEIGHT * np.maximum(best_cosine, 0.0) + (1 - DENSE_WEIGHT) * scaled
                 + TITLE_WEIGHT * title_cosine)
        fused = np.where(best_cosine > -2.0, fused, -np.inf)
        order = np.argsort(-fused, kind="stable")[:limit]
        hits = []
        # The chunk shown for a document: its best by the same fusion.
        chunk_scores = DENSE_WEIGHT * np.maximum(cosines, 0.0) + (1 - DENSE_WEIGHT) * (
            keywords / top_keywords if top_keywords > 0 else keywords
        )
        for document in order:
            if not np.isfinite(fused[document]):
                break
            rows = np.flatnonzero(self.chunk_document == document)
            if mask is not None:
                rows = rows[mask[rows]]
            best = int(rows[np.argmax(chunk_scores[rows])])
            hits.append(Hit(
                document=self.documents[document], chunk=self.chunks[best],
                score=float(fused[document]),
                confidence=confidence(float(best_cosine[document]), float(scaled[document])),
                cosine=float(best_cosine[document]), keywords=float(scaled[document]),
            ))
        return hits


def confidence(cosine: float, keywords: float) -> float:
    """How likely the passage answers the question, 0..1, from its best chunk's cosine (the
    keyword score is relative to the query's best hit, so it says nothing on its own: an
    unanswerable question still has a best keyword match)."""
    return float(1 / (1 + math.exp(-CONFIDENCE_SLOPE * (cosine - CONFIDENCE_MIDPOINT))))


def build_index(
    chunks: Sequence[IndexedChunk], texts: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
) -> ChunkIndex:
    """An index of chunks whose vectors are computed now (the evaluation's path; the database
    path reads stored vectors)."""
    vectors = encode(list(texts)) if texts else np.zeros((0, 1), dtype=np.float32)
    return ChunkIndex(chunks, vectors, [stems(chunk.locale, text)
                                        for chunk, text in zip(chunks, texts, strict=True)])
