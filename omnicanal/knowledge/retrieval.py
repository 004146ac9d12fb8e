"""Retrieval for the bot, the copilot and upkeep: the passages of the knowledge base (and,
for agents, of resolved conversations) that answer a question, best first.

This is the one entry point the assistant uses. Hybrid: the chunks of published articles
(`chunks`) are ranked by the cosine of their vectors with the query's (the encoder of
`core.embeddings`) and by BM25 over their stems (the help center's stemming), the two fused
per article (`vectors.ChunkIndex.search`); the chunk table is kept up to date by
`vectors_store` when an article is saved or a conversation resolved. The FAQ evaluation
(`assistant_eval faq`) runs the same ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.urls import reverse

from omnicanal.conversations.models import Conversation, Status
from omnicanal.core.embeddings import encode
from omnicanal.knowledge import vectors_store
from omnicanal.knowledge.models import Article, ChunkVisibility, Visibility

Audience = Literal["public", "agents"]
# Longer questions are cut (the encoder reads a sentence or a paragraph).
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Passage:
    # The article the passage comes from, or None for a resolved conversation's.
    article_id: int | None
    conversation_id: int | None
    locale: str
    title: str
    # The help center's page of the article (public) or the workspace's (internal article,
    # conversation): what the bot links and the copilot opens.
    url: str
    # The chunk itself, plain text: what the bot quotes and the copilot inserts.
    text: str
    # The fused ranking score (only its order matters).
    score: float
    # How sure retrieval is that the passage answers the question, 0 to 1: the bot abstains
    # below its calibrated threshold.
    confidence: float


def retrieve(
    query: str,
    *,
    locale: str | None = None,
    audience: Audience = "public",
    limit: int = 5,
    include_conversations: bool = False,
) -> list[Passage]:
    """Passages answering `query`, best first. `audience="public"` reads only published
    public articles (help center, bot); "agents" adds internal ones (copilot), and resolved
    conversations when `include_conversations`. `locale` None: every language."""
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not query or limit <= 0:
        return []
    index = vectors_store.current_index()
    if not len(index):
        return []
    agents = audience == "agents"
    mask = index.mask(
        visibilities=[ChunkVisibility.PUBLIC, ChunkVisibility.INTERNAL] if agents
        else [ChunkVisibility.PUBLIC],
        locale=locale, kinds=("a", "c") if agents and include_conversations else ("a",),
    )
    if not mask.any():
        return []
    # A few more than asked: the database has the last word on what may be shown (an
    # article unpublished a moment ago, before its task re-indexed it, is left out).
    hits = index.search(query, encode([query])[0], mask=mask, limit=limit + 5)
    readable = Article.objects.for_agents() if agents else Article.objects.published()
    articles = readable.in_bulk([hit.chunk.article_id for hit in hits if hit.chunk.article_id])
    resolved = set(Conversation.objects.filter(
        pk__in=[hit.chunk.conversation_id for hit in hits if hit.chunk.conversation_id],
        status=Status.RESOLVED,
    ).values_list("pk", flat=True)) if agents and include_conversations else set()
    passages: list[Passage] = []
    for hit in hits:
        chunk = hit.chunk
        if chunk.article_id is not None:
            article = articles.get(chunk.article_id)
            if article is None:
                continue
            passages.append(Passage(
                article_id=article.pk, conversation_id=None, locale=article.locale,
                title=article.title, url=article_url(article), text=chunk.text,
                score=hit.score, confidence=hit.confidence,
            ))
        elif chunk.conversation_id in resolved:
            passages.append(Passage(
                article_id=None, conversation_id=chunk.conversation_id, locale=chunk.locale,
                title=chunk.title,
                url=reverse("web:conversation", args=[chunk.conversation_id]),
                text=chunk.text, score=hit.score, confidence=hit.confidence,
            ))
        if len(passages) == limit:
            break
    return passages


def article_url(article: Article) -> str:
    """The help center's page of a public article; the workspace's for an internal one."""
    if article.visibility == Visibility.PUBLIC:
        return article.get_absolute_url()
    return reverse("kb:edit", args=[article.pk])
