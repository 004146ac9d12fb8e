"""Hybrid retrieval as the bot and the copilot meet it: the right article in the asker's
language, never an article the audience may not read, kept up to date as articles change
(without embedding again what did not change), and resolved conversations for agents only.
Runs on SQLite and PostgreSQL (the suite runs on both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.actions import reply, set_status
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Status
from omnicanal.core import embeddings
from omnicanal.knowledge import vectors_store
from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    KnowledgeChunk,
    Visibility,
)
from omnicanal.knowledge.retrieval import retrieve
from omnicanal.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

REFUND_FR = """Nous remboursons une commande retournée sous 14 jours.

## Délai

Le remboursement arrive sur votre carte bancaire cinq jours ouvrés après la réception du
colis dans notre entrepôt.
"""
REFUND_EN = """We refund a returned order within 14 days.

## How long it takes

The money reaches your bank card five working days after the parcel arrives at our
warehouse.
"""
PASSWORD_EN = """Open Settings, then Security, and choose "Reset my password". We send a link
to your e-mail address; it works for one hour."""
DELIVERY_FR = """Nous livrons en France métropolitaine en 48 heures. Le suivi du colis est
envoyé par SMS dès l'expédition."""


class CountingEncoder:
    """The real encoder, counting the texts it embeds."""

    def __init__(self, inner: embeddings.Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> CountingEncoder:
    counting = CountingEncoder(embeddings.get_encoder())
    monkeypatch.setattr(vectors_store, "get_encoder", lambda: counting)
    return counting


@pytest.fixture
def publish(django_capture_on_commit_callbacks: Any) -> Callable[..., Article]:
    """Save an article through the one writer, then run the re-indexing task it queued."""

    def save(article: Article) -> Article:
        with django_capture_on_commit_callbacks(execute=True):
            save_article(article)
        run_queued_tasks()
        return article

    def make(title: str, body: str, *, locale: str = "en", **fields: Any) -> Article:
        fields.setdefault("status", ArticleStatus.PUBLISHED)
        return save(Article(locale=locale, title=title, body=body,
                            body_format=BodyFormat.MARKDOWN, **fields))

    make.save = save  # type: ignore[attr-defined]
    return make


@pytest.fixture
def articles(publish: Callable[..., Article]) -> dict[str, Article]:
    return {
        "refund_fr": publish("Quand suis-je remboursé ?", REFUND_FR, locale="fr"),
        "refund_en": publish("When will I be refunded?", REFUND_EN),
        "password_en": publish("Reset your password", PASSWORD_EN),
        "delivery_fr": publish("Délais de livraison", DELIVERY_FR, locale="fr"),
    }


def titles(query: str, **options: Any) -> list[str]:
    return [passage.title for passage in retrieve(query, **options)]


def test_a_french_question_finds_the_french_article(articles: dict[str, Article]) -> None:
    found = retrieve("Combien de temps pour recevoir mon remboursement ?", limit=3)
    assert found[0].article_id == articles["refund_fr"].pk
    assert found[0].locale == "fr"
    assert found[0].url == articles["refund_fr"].get_absolute_url()
    assert "remboursement" in found[0].text.lower() or "rembours" in found[0].text.lower()
    english = retrieve("How long until my money comes back?", limit=3)
    assert english[0].article_id == articles["refund_en"].pk


def test_a_locale_keeps_to_its_language(articles: dict[str, Article]) -> None:
    found = retrieve("refund", locale="fr", limit=5)
    assert found and {passage.locale for passage in found} == {"fr"}
    assert titles("Je ne reçois pas mon colis", locale="fr")[0] == "Délais de livraison"


def test_confidence_says_how_well_the_best_passage_answers(
    articles: dict[str, Article],
) -> None:
    answered = retrieve("How do I reset my password?", limit=1)[0]
    unrelated = retrieve("What is the boiling point of mercury on Mars?", limit=1)[0]
    assert answered.title == "Reset your password"
    assert 0 <= unrelated.confidence < answered.confidence <= 1


def test_internal_articles_reach_agents_never_the_public(
    publish: Callable[..., Article], articles: dict[str, Article],
) -> None:
    internal = publish("Refund exceptions for agents", "Agents may refund a parcel lost by the "
                       "carrier without waiting for its return.", visibility=Visibility.INTERNAL)
    question = "refund a lost parcel without its return"
    assert internal.pk not in [p.article_id for p in retrieve(question, limit=10)]
    for_agents = retrieve(question, audience="agents", limit=3)
    assert for_agents[0].article_id == internal.pk


def test_drafts_and_archived_articles_are_never_retrieved(
    publish: Callable[..., Article], articles: dict[str, Article],
) -> None:
    draft = publish("Gift cards", "Gift cards are valid for one year.", status=ArticleStatus.DRAFT)
    assert "Gift cards" not in titles("gift card validity", audience="agents", limit=10)
    archived = articles["password_en"]
    archived.status = ArticleStatus.ARCHIVED
    publish.save(archived)  # type: ignore[attr-defined]
    for audience in ("public", "agents"):
        assert "Reset your password" not in titles("reset my password", audience=audience,
                                                    limit=10)
    draft.status = ArticleStatus.PUBLISHED
    publish.save(draft)  # type: ignore[attr-defined]
    assert titles("gift card validity", limit=1) == ["Gift cards"]


def test_an_edited_article_is_reindexed_and_an_unchanged_one_is_not_embedded_again(
    publish: Callable[..., Article], articles: dict[str, Article], encoder: CountingEncoder,
) -> None:
    article = articles["password_en"]
    article.body = PASSWORD_EN + "\n\nIf the link expired, ask for a new one from the login page."
    publish.save(article)  # type: ignore[attr-defined]
    # Only the changed paragraph group is embedded; the title's chunk keeps its vector.
    assert encoder.texts and all("expired" in text for text in encoder.texts)
    assert "link expired" in retrieve("the reset link has expired", limit=1)[0].text
    encoder.texts.clear()
    unchanged = articles["refund_en"]
    publish.save(unchanged)  # type: ignore[attr-defined]
    assert encoder.texts == []
    assert KnowledgeChunk.objects.filter(article=unchanged).exists()


def test_a_deleted_article_leaves_the_index(articles: dict[str, Article]) -> None:
    articles["refund_en"].delete()
    assert "When will I be refunded?" not in titles("refund", limit=10)


def test_resolved_conversations_are_found_by_agents_only(
    api_inbox: Inbox, agent: User, articles: dict[str, Article],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        found = ingest(api_inbox, inbound(
            "m-1", "My invoice shows the wrong company name, can you fix the VAT number?"))
    Conversation.objects.filter(pk=found.conversation_id).update(assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        reply(agent, found.conversation_id,
              "I issued a corrected invoice with your company's VAT number; it is in your account.")
    with django_capture_on_commit_callbacks(execute=True):
        set_status(agent, found.conversation_id, Status.RESOLVED)
    run_queued_tasks()
    question = "customer needs invoice with corrected VAT number"
    for_agents = retrieve(question, audience="agents", include_conversations=True, limit=3)
    assert for_agents[0].conversation_id == found.conversation_id
    assert "corrected invoice" in for_agents[0].text
    assert all(p.conversation_id is None for p in retrieve(question, audience="agents", limit=10))
    assert all(p.conversation_id is None
               for p in retrieve(question, include_conversations=True, limit=10))
    # Reopened: no longer a resolved answer.
    with django_capture_on_commit_callbacks(execute=True):
        set_status(agent, found.conversation_id, Status.OPEN)
    run_queued_tasks()
    assert all(p.conversation_id is None for p in retrieve(
        question, audience="agents", include_conversations=True, limit=10))


def test_reindex_knowledge_rebuilds_everything(articles: dict[str, Article]) -> None:
    from django.core.management import call_command

    KnowledgeChunk.objects.all().delete()
    assert retrieve("refund") == []
    call_command("reindex_knowledge")
    assert titles("When will I be refunded?", limit=1) == ["When will I be refunded?"]
