"""The public help center: languages, search, feedback, the contact form."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from omnicanal.contacts.models import Identity
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.knowledge.actions import save_article, search_articles
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.models import Article, ArticleFeedback, ArticleStatus, BodyFormat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo(db: Any) -> None:
    cache.clear()
    load_help_center_demo()


def test_the_demo_loader_is_idempotent() -> None:
    assert load_help_center_demo() == 0
    assert Article.objects.published().filter(locale="fr").count() == 6
    assert Article.objects.published().filter(locale="en").count() == 6


def test_help_redirects_to_the_visitors_language(client: Client) -> None:
    response = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 302
    assert response["Location"] == "/help/en/"


def test_the_index_lists_articles_by_category_in_each_language(client: Client) -> None:
    french = client.get("/help/fr/")
    english = client.get("/help/en/")

    assert "Commandes et livraison" in french.text and "Suivre ma commande" in french.text
    assert "Track my order" not in french.text
    assert "Orders and delivery" in english.text and "Track my order" in english.text
    assert english["Content-Language"] == "en"
    assert '<html lang="fr">' in french.text


def test_a_draft_is_not_public(client: Client) -> None:
    save_article(Article(locale="fr", title="Brouillon secret", body="rien",
                         status=ArticleStatus.DRAFT))

    assert "Brouillon secret" not in client.get("/help/fr/").text
    assert client.get("/help/fr/brouillon-secret/").status_code == 404


def test_search_finds_an_article_by_a_word_of_its_body(client: Client) -> None:
    response = client.get("/help/fr/search/", {"q": "entrepôt"})

    assert "Suivre ma commande" in response.text
    assert "Retourner un article" not in response.text
    assert sorted(a.slug for a in search_articles("en", "gift cards")) == [
        "return-an-item", "when-will-i-be-refunded"
    ]
    assert list(search_articles("en", "")) == []


def test_article_html_is_sanitised(client: Client) -> None:
    article = save_article(Article(
        locale="en", title="Unsafe", status=ArticleStatus.PUBLISHED, body_format=BodyFormat.HTML,
        body='<p onclick="x()">Hi</p><script>alert(1)</script><a href="javascript:x()">l</a>',
    ))

    page = client.get(article.get_absolute_url()).text

    assert "<script>" not in page and "onclick" not in page and "javascript:" not in page
    assert "<p>Hi</p>" in page


def test_feedback_is_recorded_and_needs_the_csrf_token(client: Client) -> None:
    article = Article.objects.get(locale="en", slug="track-my-order")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/help/en/{article.slug}/feedback/", {"helpful": "yes"}).status_code == 403

    response = client.post(f"/help/en/{article.slug}/feedback/",
                           {"helpful": "no", "comment": "Not my carrier"})

    assert response.status_code == 302
    feedback = ArticleFeedback.objects.get()
    assert (feedback.article, feedback.is_helpful, feedback.comment) == (
        article, False, "Not my carrier"
    )
    assert "Thank you for your feedback" in client.get(response["Location"]).text


def test_feedback_is_rate_limited(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from omnicanal.connectors.webchat import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "feedback", ((1, 60), (1, 60)))
    url = "/help/en/track-my-order/feedback/"
    assert client.post(url, {"helpful": "yes"}).status_code == 302

    assert client.post(url, {"helpful": "yes"}).status_code == 429
    assert ArticleFeedback.objects.count() == 1


def test_the_contact_form_opens_a_conversation_with_an_unverified_email(client: Client) -> None:
    inbox = Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT,
                                 settings={"site_token": "t"})
    form = {"form_id": "form-abcdef123456", "name": "Jeanne", "email": "jeanne@example.fr",
            "subject": "Facture", "message": "Où est ma facture ?"}

    response = client.post("/help/fr/contact/", form)
    client.post("/help/fr/contact/", form)

    assert response.status_code == 200
    conversation = Conversation.objects.get()
    assert (conversation.inbox, conversation.subject) == (inbox, "Facture")
    assert conversation.messages.count() == 1  # the double submission is one message
    email = Identity.objects.get(kind="email")
    assert (email.value, email.is_verified) == ("jeanne@example.fr", False)


def test_the_contact_form_says_when_no_inbox_takes_it(client: Client) -> None:
    response = client.post("/help/en/contact/", {
        "form_id": "form-abcdef123456", "email": "a@example.fr", "message": "Hi"
    })

    assert response.status_code == 422
    assert "not available" in response.text


def test_one_vote_per_visitor_and_the_tallies_follow(client: Client) -> None:
    url = "/help/en/track-my-order/feedback/"

    first = client.post(url, {"helpful": "no"})
    again = client.post(url, {"helpful": "yes", "comment": "The carrier was not listed"})
    Client().post(url, {"helpful": "yes"})  # another visitor, without the cookie

    assert first.cookies["omnicanal_help_visitor"]["httponly"]
    article = Article.objects.get(slug="track-my-order")
    assert (article.helpful_votes, article.unhelpful_votes) == (1, 1)
    mine = ArticleFeedback.objects.get(is_helpful=False)
    # The second post of the same visitor only added its comment to the first vote.
    assert mine.comment == "The carrier was not listed"
    assert again.status_code == 302
    page = client.get("/help/en/track-my-order/").text
    assert "Thank you for your feedback" in page and 'name="helpful" value="yes"' not in page
    assert "1 of 2 readers found this helpful" in page


def test_a_vote_must_say_yes_or_no(client: Client) -> None:
    response = client.post("/help/en/track-my-order/feedback/", {"helpful": "maybe"})

    assert response.status_code == 422
    assert not ArticleFeedback.objects.exists()


def test_an_article_has_a_table_of_contents_breadcrumbs_and_related_articles(
    client: Client,
) -> None:
    page = client.get("/help/fr/quand-suis-je-rembourse/").text

    assert '<h2 id="sur-quel-moyen-de-paiement">' in page
    assert '<a href="#sur-quel-moyen-de-paiement">Sur quel moyen de paiement</a>' in page
    assert 'href="/help/fr/categories/retours/"' in page  # breadcrumb to its category
    assert "Retourner un article" in page.split('id="related-title"')[1]  # same category


def test_a_category_page_lists_its_articles(client: Client) -> None:
    page = client.get("/help/en/categories/returns/").text

    assert "Return an item" in page and "When will I be refunded?" in page
    assert "Track my order" not in page
    assert client.get("/help/en/categories/nothing/").status_code == 404


def test_the_contact_page_does_not_link_to_itself(client: Client) -> None:
    page = client.get("/help/en/contact/").text

    assert 'href="/help/en/contact/"' not in page
    assert 'href="/help/fr/contact/"' in page  # the language switch stays on the page
    assert 'href="/help/en/contact/"' in client.get("/help/en/").text


def test_the_language_switch_keeps_the_search(client: Client) -> None:
    page = client.get("/help/en/search/", {"q": "refund"}).text

    assert 'href="/help/fr/search/?q=refund"' in page
