"""The moderation page, the public page of reviews and the block other sites embed."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.surveys import reviews
from omnicanal.surveys.models import ReviewStatus
from omnicanal.surveys.tests.test_reviews import answer

pytestmark = pytest.mark.django_db

MODERATION = "/surveys/reviews/"
PUBLIC = "/reviews/en/"
EMBED = "/reviews/embed/?lang=en"


def client_for(user: User) -> Client:
    # The workspace speaks the agent's language: English, for the messages asserted here.
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    client.force_login(user)
    return client


def test_agents_cannot_open_the_moderation_page_nor_moderate(agent: User) -> None:
    response = answer(1, "Horrible")
    client = client_for(agent)
    assert client.get(MODERATION).status_code == 403
    assert client.post(f"{MODERATION}{response.pk}/hide/", {"reason": "abusive"}).status_code == 403
    assert client.post(f"{MODERATION}{response.pk}/publish/").status_code == 403
    response.refresh_from_db()
    assert response.review_status == ReviewStatus.PENDING


def test_a_supervisor_publishes_hides_with_a_reason_and_answers(supervisor: User) -> None:
    good, bad = answer(5, "Super rapide"), answer(1, "Mon numéro est le 06 12 34 56 78")
    client = client_for(supervisor)
    page = client.get(MODERATION).content.decode()
    assert "Super rapide" in page and "Mon numéro" in page
    # The moderation page is where supervisors find it: the settings navigation links to it.
    assert f'href="{MODERATION}" aria-current="page"' in page

    assert client.post(f"{MODERATION}{good.pk}/publish/").status_code == 302
    refused = client.post(f"{MODERATION}{bad.pk}/hide/", {"reason": ""})
    assert refused.status_code == 422
    assert "Choose why this review is hidden." in refused.content.decode()
    assert client.post(f"{MODERATION}{bad.pk}/hide/",
                       {"reason": "personal_data", "note": "quoted his mobile"}).status_code == 302
    assert client.post(f"{MODERATION}{good.pk}/reply/",
                       {"text": "Merci Jeanne !"}).status_code == 302

    hidden_tab = client.get(MODERATION, {"tab": "hidden"}).content.decode()
    assert "Mon numéro" in hidden_tab and "Hidden: personal data" in hidden_tab
    assert "quoted his mobile" in hidden_tab
    # The public sees the reason, never the hidden text nor the moderator's note.
    public = Client().get(PUBLIC).content.decode()
    assert "1 review hidden: personal data (1)." in public
    assert "Mon numéro" not in public and "quoted his mobile" not in public
    assert "Merci Jeanne !" in public
    assert client.post(f"{MODERATION}999999/publish/").status_code == 404
    assert client.get(MODERATION, {"tab": "nonsense", "page": "x"}).status_code == 200


def test_the_public_page_counts_hidden_reviews_and_shows_answers_under_their_review(
    supervisor: User,
) -> None:
    good = reviews.publish(supervisor, answer(5, "Super rapide", name="Jeanne Martin"))
    reviews.reply(supervisor, good, "Merci pour votre retour !")
    other = reviews.publish(supervisor, answer(4, "Correct", name="Paul Durand"))
    for comment in ("Numéro perso 0612345678", "Autre numéro"):
        reviews.hide(supervisor, answer(1, comment), reviews.HideReason.PERSONAL_DATA)
    reviews.hide(supervisor, answer(2, "Insulte"), reviews.HideReason.ABUSIVE)
    answer(1, "Jamais publié", consent=False)
    answer(1, "Toujours privé", queue=False)
    answer(1, "En attente")  # pending: not shown, not counted yet

    page = Client().get(PUBLIC).content.decode()
    # (5 + 4 + 1 + 1 + 2) / 5: the hidden ones pull the average down as they should.
    assert ">2.6<" in page
    assert "5 reviews" in page
    assert "3 reviews hidden: personal data (2), abusive or insulting language (1)." in page
    for never in ("Numéro perso", "Autre numéro", "Insulte", "Jamais publié", "Toujours privé",
                  "En attente"):
        assert never not in page
    # Each answer sits inside its own review's item.
    items = re.findall(r'<li class="rv-review">(.*?)</li>', page, re.S)
    assert len(items) == 2
    jeanne = next(item for item in items if "Jeanne M." in item)
    assert "Super rapide" in jeanne and "Merci pour votre retour !" in jeanne
    paul = next(item for item in items if "Paul D." in item)
    assert "Merci pour votre retour" not in paul
    # No contact detail: first name and initial only.
    assert "Martin" not in page and "Durand" not in page
    assert other.contact.name not in page

    rating = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                                  re.S).group(1))  # type: ignore[union-attr]
    assert rating["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 2.6,
                                         "ratingCount": 5, "bestRating": 5, "worstRating": 1}


def test_comments_and_answers_are_escaped_everywhere(supervisor: User) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = reviews.publish(supervisor, answer(3, attack))
    reviews.reply(supervisor, response, attack)
    pages = [Client().get(PUBLIC), Client().get(EMBED), client_for(supervisor).get(MODERATION,
                                                                                  {"tab": "published"})]
    for page in pages:
        text = page.content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_only_the_embed_may_be_framed_by_other_sites(supervisor: User) -> None:
    reviews.publish(supervisor, answer(5, "Top"))
    embed = Client().get(EMBED)
    assert embed.status_code == 200 and "Top" in embed.content.decode()
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert Client().get(PUBLIC).headers["X-Frame-Options"] == "DENY"
    assert client_for(supervisor).get(MODERATION).headers["X-Frame-Options"] == "DENY"
    # The code administrators copy points at the embed.
    assert "/reviews/embed/?lang=" in client_for(supervisor).get(MODERATION).content.decode()


def test_public_addresses(db: None) -> None:
    assert Client().get("/reviews/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == PUBLIC
    assert Client().get("/reviews/", HTTP_ACCEPT_LANGUAGE="fr").headers["Location"] == "/reviews/fr/"
    assert Client().get("/reviews/de/").status_code == 404
    assert Client().get("/reviews/fr/", {"page": "999"}).status_code == 200
    empty = Client().get("/reviews/fr/")
    assert empty.status_code == 200 and empty.headers["Content-Language"] == "fr"
    assert Client().get("/reviews/embed/", {"lang": "xx"}).status_code == 200
