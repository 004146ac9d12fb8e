"""The composer's one-time tokens: a reply or note form submitted twice posts once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Direction, Inbox
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.testing.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation(webhook_receiver: WebhookReceiver) -> Conversation:
    inbox = Inbox.objects.create(
        name="API", channel="api", settings={"webhook_url": webhook_receiver.url}
    )
    return Conversation.objects.get(pk=ingest(inbox, inbound("m-1")).conversation_id)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_tokens(page: str) -> dict[str, str]:
    """The composer's token, for either of its tabs (composer.js draws a new one when the
    agent switches between reply and note)."""
    forms = re.findall(r'<form class="reply-form[^"]*"(.*?)</form>', page, re.S)
    assert len(forms) == 1, "one composer form"
    match = re.search(r'name="idempotency_key" value="([^"]+)"', forms[0])
    assert match, "no token in the composer"
    return {"reply-form": match.group(1), "note-form": match.group(1)}


def test_the_composer_carries_a_fresh_token_on_each_page(
    agent: User, conversation: Conversation
) -> None:
    url = reverse("web:conversation", args=[conversation.pk])
    first = form_tokens(logged_in(agent).get(url).content.decode())
    second = form_tokens(logged_in(agent).get(url).content.decode())

    assert first["reply-form"] != second["reply-form"]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_reply_submitted_twice_is_posted_and_delivered_once(
    agent: User, conversation: Conversation, webhook_receiver: WebhookReceiver,
    headers: dict[str, str], django_capture_on_commit_callbacks: Any,
) -> None:
    client = logged_in(agent)
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    form = {"text": "Nous regardons.", "idempotency_key": form_tokens(page)["reply-form"]}
    url = reverse("web:conversation_reply", args=[conversation.pk])

    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(url, form, **headers) for _ in range(2)]

    assert [a.status_code for a in answers] == ([200, 200] if headers else [302, 302])
    assert conversation.messages.filter(direction=Direction.OUTGOING).count() == 1
    assert run_queued_tasks() == ["sent"]
    assert len(webhook_receiver.requests) == 1


def test_a_note_submitted_twice_is_added_once(
    agent: User, conversation: Conversation
) -> None:
    client = logged_in(agent)
    page = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    form = {"text": "Client fidèle.", "idempotency_key": form_tokens(page)["note-form"]}
    url = reverse("web:conversation_note", args=[conversation.pk])

    client.post(url, form, **HTMX)
    client.post(url, form, **HTMX)

    assert conversation.messages.filter(direction=Direction.NOTE).count() == 1


def test_two_messages_with_their_own_tokens_are_both_posted(
    agent: User, conversation: Conversation
) -> None:
    client = logged_in(agent)
    url = reverse("web:conversation_reply", args=[conversation.pk])

    client.post(url, {"text": "Première.", "idempotency_key": "token-1"})
    client.post(url, {"text": "Seconde.", "idempotency_key": "token-2"})

    assert list(conversation.messages.filter(direction=Direction.OUTGOING)
                .values_list("text", flat=True)) == ["Première.", "Seconde."]


def test_a_token_reused_for_another_text_is_refused_with_a_visible_error(
    agent: User, conversation: Conversation
) -> None:
    client = logged_in(agent)
    url = reverse("web:conversation_reply", args=[conversation.pk])
    client.post(url, {"text": "Première.", "idempotency_key": "token-1"})

    response = client.post(url, {"text": "Autre chose.", "idempotency_key": "token-1"}, **HTMX)

    assert response.status_code == 422
    assert response["HX-Retarget"] == "#alerts"
    assert "autre requête" in response.content.decode()  # the agent's page is in French
    assert conversation.messages.filter(direction=Direction.OUTGOING).count() == 1
