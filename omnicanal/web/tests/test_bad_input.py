"""Text from forms and query strings (core.middleware): an agent's form with a NUL is refused
naming the field; a search or a visitor's form is cleaned. Never a 500 (PostgreSQL refuses
a NUL in a query or a row)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Message
from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(admin: User, api_inbox: Inbox) -> Conversation:
    Client().post(
        f"/api/v1/inboxes/{api_inbox.pk}/messages",
        json.dumps({"external_id": "m-1", "contact": {"email": "jeanne@example.fr"},
                    "text": "Bonjour"}),
        content_type="application/json", **bearer(admin),
    )
    return Conversation.objects.get()


def test_an_agents_reply_with_a_nul_is_refused_naming_the_field(
    admin: User, conversation: Conversation
) -> None:
    browser = Client()
    browser.force_login(admin)

    response = browser.post(reverse("web:conversation_reply", args=[conversation.pk]),
                            {"text": "Bien re\x00çu"})

    assert response.status_code == 422
    assert "text" in response.content.decode()
    assert conversation.messages.count() == 1


def test_a_workspace_search_with_a_nul_answers(admin: User, conversation: Conversation) -> None:
    browser = Client()
    browser.force_login(admin)

    response = browser.get(reverse("web:search") + "?q=Bon%00jour")

    assert response.status_code == 200
    assert "Bonjour" in response.content.decode()


def test_a_help_center_search_with_a_nul_answers(client: Client) -> None:
    save_article(Article(title="Suivre ma commande", slug="suivre", locale="fr",
                         body="Le suivi de commande.", status=ArticleStatus.PUBLISHED))

    response = client.get("/help/fr/search/?q=com%00mande")

    assert response.status_code == 200
    assert "Suivre ma commande" in response.content.decode()


def test_a_visitors_contact_form_with_a_nul_is_stored_cleaned(client: Client) -> None:
    Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT, settings={"site_token": "t"})
    form = {"form_id": "form-abcdef123456", "name": "Jea\x00nne", "email": "jeanne@example.fr",
            "subject": "Fac\x00ture", "message": "Où est ma fac\x00ture ?"}

    response = client.post("/help/fr/contact/", form)

    assert response.status_code == 200
    message = Message.objects.select_related("conversation__contact").get()
    assert message.text == "Où est ma facture ?"
    assert message.conversation.contact.name == "Jeanne"
