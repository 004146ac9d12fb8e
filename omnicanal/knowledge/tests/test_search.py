"""The help center's search as a customer types it: other forms of a word, no accents,
synonyms, the same hits on SQLite and PostgreSQL (the suite runs on both), clean snippets."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from omnicanal.knowledge import search
from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.models import Article, ArticleStatus, BodyFormat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo(db: Any) -> None:
    load_help_center_demo()


def slugs(locale: str, query: str) -> set[str]:
    return {hit.article.slug for hit in search.search(locale, query)}


@pytest.mark.parametrize(("locale", "query", "expected"), [
    # Stemming: the verb finds the noun, the plural and the past finds the base form.
    ("fr", "rembourser", {"quand-suis-je-rembourse"}),
    ("en", "refunds", {"when-will-i-be-refunded"}),
    ("en", "refunded", {"when-will-i-be-refunded"}),
    # Accents ignored, and the verb finds the noun.
    ("fr", "resilier", {"resiliation-de-mon-abonnement"}),
    ("fr", "RÉSILIATION", {"resiliation-de-mon-abonnement"}),
    # Synonyms from search_words.json.
    # ("livraison" in one, "expédition" in the other).
    ("fr", "livrer", {"delais-et-modes-de-livraison", "suivre-ma-commande"}),
    ("en", "shipping", {"delivery-times-and-options", "track-my-order"}),
    ("fr", "annuler abonnement", {"resiliation-de-mon-abonnement"}),
    ("fr", "paquet retard", {"suivre-ma-commande"}),
    ("en", "terminate subscription", {"cancel-my-subscription"}),
    ("en", "package late", {"track-my-order"}),
    # Every word must be found; stop words do not count.
    ("fr", "le remboursement partiel", {"quand-suis-je-rembourse"}),
    ("fr", "remboursement abonnement", set()),
    # The other language's articles are not searched.
    ("en", "remboursement", set()),
])
def test_a_query_finds_other_forms_accents_and_synonyms(
    locale: str, query: str, expected: set[str]
) -> None:
    assert slugs(locale, query) == expected


def test_both_databases_take_the_same_road_when_they_can() -> None:
    # PostgreSQL with unaccent uses its own full-text search: the table above then checks it
    # against the same expectations as SQLite's stored index.
    if connection.vendor == "postgresql":
        assert search.has_unaccent()


def test_the_stored_index_follows_the_article() -> None:
    article = Article.objects.get(slug="track-my-order")
    article.body = "<p>Nothing about parcels any more; only pineapples.</p>"
    save_article(article)

    assert slugs("en", "pineapple") == {"track-my-order"}
    assert "track-my-order" not in slugs("en", "warehouse")


def test_a_draft_is_never_found() -> None:
    save_article(Article(locale="fr", title="Remboursement secret", body="rembourser",
                         status=ArticleStatus.DRAFT))

    assert "remboursement-secret" not in slugs("fr", "rembourser")


def test_the_snippet_highlights_the_words_escapes_and_keeps_paragraphs_apart() -> None:
    save_article(Article(
        locale="en", title="Vouchers", status=ArticleStatus.PUBLISHED,
        body_format=BodyFormat.HTML,
        body="<h2>Short</h2><p>A voucher is <b>not</b> a refund &lt;script&gt;.</p>"
             "<h2>Heading</h2><p>Second paragraph, where a refund is mentioned again.</p>",
    ))
    [hit] = search.search("en", "refunding vouchers")

    html = str(hit.snippet)
    assert "<mark>refund</mark>" in html and "<mark>voucher</mark>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html and "<b>" not in html
    # A short passage is followed by the next matching one (not the heading between them)
    # after a separator, never glued to it.
    assert '</mark> &lt;script&gt;. <span class="snippet-sep" aria-hidden="true">·</span> ' \
        "Second paragraph, where a <mark>refund</mark>" in html


def test_a_long_block_is_cut_around_the_match_with_ellipses() -> None:
    filler = " ".join(["lorem"] * 80)
    save_article(Article(
        locale="en", title="Long", status=ArticleStatus.PUBLISHED,
        body=f"{filler} the courier leaves the parcel at the door {filler}",
    ))
    [hit] = search.search("en", "courier")

    text = str(hit.snippet)
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>courier</mark>" in text
    assert len(text) < search.SNIPPET_LENGTH + 40


def test_the_search_page_shows_snippets_and_counts(client: Client) -> None:
    page = client.get("/help/fr/search/", {"q": "rembourser"}).content.decode()

    assert "Quand suis-je remboursé ?" in page
    assert "<mark>remboursement</mark>" in page.lower() or "<mark>Remboursement</mark>" in page
    assert client.get("/help/fr/search/", {"q": "<script>"}).status_code == 200
