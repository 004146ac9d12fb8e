"""The chunk table (`KnowledgeChunk`): written when an article is saved or a conversation is
resolved, read into one in-process `ChunkIndex` that is rebuilt when the table changes.

- Incremental: re-indexing an article re-embeds only the chunks whose text changed (same
  digest and encoder: the stored vector is kept); an article whose chunks did not change only
  has its visibility brought up to date.
- Vectors are float32 bytes in the table; similarity is NumPy in the process, the matrix
  cached and checked against the table's signature (row count, last id, last change) before
  each search. PostgreSQL's `vector` extension (pgvector) is detected (`has_pgvector`); the
  NumPy path serves both databases meanwhile, the matrix of 10,000 articles being a few
  dozen megabytes (see docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import threading
from functools import cache

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django_tasks import task

from omnicanal.conversations.models import (
    Conversation,
    Direction,
    Message,
    OutboxEvent,
    Status,
)
from omnicanal.core.embeddings import get_encoder
from omnicanal.knowledge.chunks import Chunk, chunk_article
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    ChunkVisibility,
    KnowledgeChunk,
    Visibility,
)
from omnicanal.knowledge.search import stems
from omnicanal.knowledge.vectors import ChunkIndex, IndexedChunk

logger = logging.getLogger(__name__)

# A resolved conversation's text kept for retrieval (its first question and the answers).
CONVERSATION_CHARS = 4000


def article_visibility(article: Article) -> str:
    if article.status != ArticleStatus.PUBLISHED:
        return ChunkVisibility.HIDDEN
    if article.visibility == Visibility.PUBLIC:
        return ChunkVisibility.PUBLIC
    return ChunkVisibility.INTERNAL


def _write_chunks(
    existing: list[KnowledgeChunk], chunks: list[Chunk], *, locale: str, title: str,
    visibility: str, article: Article | None = None,
    conversation: Conversation | None = None,
) -> int:
    """Replace `existing` by `chunks`, embedding only the texts without a stored vector.
    Returns how many texts were embedded."""
    encoder = get_encoder()
    known = {(row.digest, row.encoder): row for row in existing}
    same = (
        [(row.digest, row.encoder, row.position) for row in existing]
        == [(chunk.digest, encoder.name, chunk.position) for chunk in chunks]
        and all(row.title == title and row.locale == locale for row in existing)
        and [row.text for row in existing] == [chunk.text for chunk in chunks]
    )
    now = timezone.now()
    if same:
        changed = [row.pk for row in existing if row.visibility != visibility]
        if changed:
            KnowledgeChunk.objects.filter(pk__in=changed).update(
                visibility=visibility, updated_at=now
            )
        return 0
    missing = [chunk for chunk in chunks if (chunk.digest, encoder.name) not in known]
    vectors = encoder.encode([chunk.indexed_text for chunk in missing]) if missing else None
    fresh = {chunk.digest: vectors[index].astype(np.float32).tobytes()
             for index, chunk in enumerate(missing)} if vectors is not None else {}
    rows = []
    for chunk in chunks:
        stored = known.get((chunk.digest, encoder.name))
        rows.append(KnowledgeChunk(
            article=article, conversation=conversation, locale=locale, visibility=visibility,
            position=chunk.position, title=title[:300], text=chunk.text, digest=chunk.digest,
            encoder=encoder.name, stems=" ".join(stems(locale, chunk.indexed_text)),
            vector=bytes(stored.vector) if stored is not None else fresh[chunk.digest],
            updated_at=now,
        ))
    with transaction.atomic():
        KnowledgeChunk.objects.filter(pk__in=[row.pk for row in existing]).delete()
        KnowledgeChunk.objects.bulk_create(rows)
    return len(missing)


def index_article(article_id: int) -> int:
    """Bring an article's chunks up to date (none once it is deleted); returns how many
    texts were embedded."""
    article = Article.objects.filter(pk=article_id).first()
    existing = list(KnowledgeChunk.objects.filter(article_id=article_id).order_by("position"))
    if article is None:
        KnowledgeChunk.objects.filter(pk__in=[row.pk for row in existing]).delete()
        return 0
    return _write_chunks(
        existing, chunk_article(article.title, article.body, article.body_format),
        locale=article.locale, title=article.title, visibility=article_visibility(article),
        article=article,
    )


@task()
def reindex_article(article_id: int) -> int:
    return index_article(article_id)


def article_saved(article_id: int) -> None:
    """Called by `actions.save_article`: the chunks follow once the save is committed, in a
    task (embedding loads the encoder: not the web request's job)."""
    transaction.on_commit(lambda: reindex_article.enqueue(article_id))


def conversation_text(conversation: Conversation) -> tuple[str, str]:
    """A resolved conversation as (question, answer): the customer's messages and the
    agents' replies (not notes, not the bot's, not automatic ones)."""
    messages = Message.objects.filter(
        conversation=conversation, direction__in=[Direction.INCOMING, Direction.OUTGOING],
        is_auto_reply=False, is_bot=False,
    ).order_by("created_at", "pk")
    asked: list[str] = []
    answered: list[str] = []
    for message in messages:
        text = " ".join(message.text.split())
        if not text:
            continue
        if message.direction == Direction.INCOMING:
            if not answered:
                asked.append(text)
        else:
            answered.append(text)
    return " ".join(asked)[:CONVERSATION_CHARS], "\n\n".join(answered)[:CONVERSATION_CHARS]


def index_conversation(conversation_id: int) -> int:
    """Index a resolved conversation for agents (question, then answers); a reopened one
    leaves the index. Returns how many texts were embedded."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    existing = list(
        KnowledgeChunk.objects.filter(conversation_id=conversation_id).order_by("position")
    )
    if conversation is None or conversation.status != Status.RESOLVED:
        KnowledgeChunk.objects.filter(pk__in=[row.pk for row in existing]).delete()
        return 0
    question, answer = conversation_text(conversation)
    if not question or not answer:
        KnowledgeChunk.objects.filter(pk__in=[row.pk for row in existing]).delete()
        return 0
    from omnicanal.knowledge.evaluation import guess_locale

    locale = conversation.language or guess_locale(question)
    title = question[:200]
    # The question is the title: its chunk alone, then the answers under it.
    return _write_chunks(
        existing, chunk_article(title, answer, BodyFormat.MARKDOWN), locale=locale[:8],
        title=title, visibility=ChunkVisibility.INTERNAL, conversation=conversation,
    )


@task()
def reindex_conversation(conversation_id: int) -> int:
    return index_conversation(conversation_id)


def conversation_status_changed(event: OutboxEvent) -> None:
    """Outbox subscriber of `conversation.status_changed`: a resolved conversation is
    indexed, a reopened one removed, in a task (embedding is not quick database work). Safe
    to run twice: the task re-reads the conversation and rewrites its chunks to match."""
    conversation_id = event.conversation_id
    if conversation_id is None:
        return
    resolved = event.payload.get("status") == Status.RESOLVED
    if resolved or KnowledgeChunk.objects.filter(conversation_id=conversation_id).exists():
        reindex_conversation.enqueue(int(conversation_id))


def reindex_all() -> dict[str, int]:
    """Every article and resolved conversation (the `reindex_knowledge` command)."""
    embedded = articles = conversations = 0
    for article_id in Article.objects.order_by("pk").values_list("pk", flat=True).iterator():
        embedded += index_article(article_id)
        articles += 1
    resolved = Conversation.objects.filter(status=Status.RESOLVED).order_by("pk")
    for conversation_id in resolved.values_list("pk", flat=True).iterator():
        embedded += index_conversation(conversation_id)
        conversations += 1
    # Chunks of another encoder are of no use to this one.
    stale = KnowledgeChunk.objects.exclude(encoder=get_encoder().name).delete()[0]
    return {"articles": articles, "conversations": conversations, "embedded": embedded,
            "removed": stale}


# --- The in-process index -------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], ChunkIndex] | None = None


def _signature(encoder: str) -> tuple[object, ...]:
    """What changes whenever a chunk is written: cheap on both databases (an index on
    `updated_at`, a count the smallest index answers)."""
    found = KnowledgeChunk.objects.aggregate(
        count=Count("id"), last=Max("id"), changed=Max("updated_at")
    )
    return (connection.alias, str(connection.settings_dict["NAME"]), encoder,
            found["count"], found["last"], found["changed"])


def current_index() -> ChunkIndex:
    """The index of every chunk of the current encoder, rebuilt when the table changed."""
    global _cached
    encoder = get_encoder()
    signature = _signature(encoder.name)
    with _lock:
        if _cached is not None and _cached[0] == signature:
            return _cached[1]
    rows = list(
        KnowledgeChunk.objects.filter(encoder=encoder.name)
        .exclude(visibility=ChunkVisibility.HIDDEN)
        .order_by("pk")
        .values_list("article_id", "conversation_id", "locale", "visibility", "position",
                     "title", "text", "stems", "vector")
    )
    chunks = [
        IndexedChunk(
            document=f"a{article_id}" if article_id else f"c{conversation_id}",
            article_id=article_id, conversation_id=conversation_id, locale=locale,
            visibility=visibility, position=position, title=title, text=text,
        )
        for article_id, conversation_id, locale, visibility, position, title, text, _, _ in rows
    ]
    if rows:
        vectors = np.frombuffer(b"".join(bytes(row[8]) for row in rows), dtype=np.float32)
        vectors = vectors.reshape(len(rows), encoder.dimensions)
    else:
        vectors = np.zeros((0, encoder.dimensions), dtype=np.float32)
    index = ChunkIndex(chunks, vectors, [row[7].split() for row in rows])
    with _lock:
        _cached = (signature, index)
    return index


def forget_index() -> None:
    global _cached
    with _lock:
        _cached = None


@cache
def _pgvector_in(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        return cursor.fetchone() is not None


def has_pgvector() -> bool:
    """Whether PostgreSQL has the `vector` extension installed."""
    return connection.vendor == "postgresql" and _pgvector_in(
        str(connection.settings_dict["NAME"])
    )
