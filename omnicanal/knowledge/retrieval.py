"""Retrieval for the bot, the copilot and upkeep: the passages of the knowledge base (and,
for agents, of resolved conversations) that answer a question, best first.

This is the one entry point the assistant uses. The first version below is the help
center's keyword search; the hybrid version (full text + embeddings over article chunks,
fused) replaces its body and keeps its signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.html import strip_tags

from omnicanal.knowledge import search
from omnicanal.knowledge.models import Locale

Audience = Literal["public", "agents"]


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
    locales = [locale] if locale else [choice.value for choice in Locale]
    passages: list[Passage] = []
    for language in locales:
        for rank, hit in enumerate(search.search(language, query, limit=limit)):
            passages.append(Passage(
                article_id=hit.article.pk, conversation_id=None, locale=language,
                title=hit.article.title, url=hit.article.get_absolute_url(),
                text=strip_tags(hit.snippet), score=1.0 / (rank + 1), confidence=0.5,
            ))
    passages.sort(key=lambda passage: -passage.score)
    return passages[:limit]
