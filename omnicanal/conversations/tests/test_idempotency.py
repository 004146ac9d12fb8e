"""Idempotency keys on the reply and note routes: a retried request posts nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer, inbound
from omnicanal.connectors.api.adapter import IDEMPOTENCY_HEADER
from omnicanal.conversations.actions import post_once, reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Direction, IdempotencyKey, Inbox, Message
from omnicanal.core.exceptions import InvalidInput
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.testing.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation_id(webhook_receiver: WebhookReceiver) -> int:
    inbox = Inbox.objects.create(
        name="API", channel="api", settings={"webhook_url": webhook_receiver.url}
    )
    return ingest(inbox, inbound("m-1")).conversation_id


def post_message(
    user: User, conversation_id: int, payload: dict[str, Any], key: str | None
) -> Any:
    headers = bearer(user)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(
        f"/api/v1/conversations/{conversation_id}/messages", payload,
        content_type="application/json", **headers,
    )


def agent_messages(conversation_id: int) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(conversation_id=conversation_id)
        .exclude(direction__in=[Direction.INCOMING, Direction.ACTIVITY])
        .values_list("direction", "text")
    )


def test_a_reply_retried_with_its_key_is_posted_and_delivered_once(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    payload = {"text": "Votre colis part demain."}
    with django_capture_on_commit_callbacks(execute=True):
        first = post_message(agent, conversation_id, payload, "retry-me-1")
        # The client never saw the answer (a timeout) and sends the same request again.
        again = post_message(agent, conversation_id, payload, "retry-me-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert agent_messages(conversation_id) == [("outgoing", "Votre colis part demain.")]
    assert run_queued_tasks() == ["sent"]
    # The customer's system received it once.
    assert len(webhook_receiver.requests) == 1
    assert webhook_receiver.requests[0][0][IDEMPOTENCY_HEADER]


def test_a_note_retried_with_its_key_is_added_once(
    agent: User, conversation_id: int
) -> None:
    payload = {"text": "Client fidèle.", "is_note": True}
    first = post_message(agent, conversation_id, payload, "note-1")
    again = post_message(agent, conversation_id, payload, "note-1")

    assert again.json()["id"] == first.json()["id"]
    assert agent_messages(conversation_id) == [("note", "Client fidèle.")]


def test_without_a_key_each_request_posts(agent: User, conversation_id: int) -> None:
    post_message(agent, conversation_id, {"text": "Bonjour"}, None)
    post_message(agent, conversation_id, {"text": "Bonjour"}, None)

    assert len(agent_messages(conversation_id)) == 2


def test_the_same_key_with_another_request_is_refused_with_a_reason(
    agent: User, conversation_id: int
) -> None:
    post_message(agent, conversation_id, {"text": "Bonjour"}, "key-1")

    other_text = post_message(agent, conversation_id, {"text": "Au revoir"}, "key-1")
    as_note = post_message(agent, conversation_id, {"text": "Bonjour", "is_note": True}, "key-1")

    assert other_text.status_code == 422
    assert "different request" in other_text.json()["detail"]
    assert as_note.status_code == 422
    assert agent_messages(conversation_id) == [("outgoing", "Bonjour")]


def test_keys_are_per_user(agent: User, other_agent: User, conversation_id: int) -> None:
    first = post_message(agent, conversation_id, {"text": "Bonjour"}, "shared-key")
    second = post_message(other_agent, conversation_id, {"text": "Bonjour"}, "shared-key")

    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.count() == 2


def test_an_empty_or_overlong_key_is_refused(agent: User, conversation_id: int) -> None:
    empty = post_message(agent, conversation_id, {"text": "Bonjour"}, "")
    too_long = post_message(agent, conversation_id, {"text": "Bonjour"}, "k" * 256)

    assert (empty.status_code, too_long.status_code) == (422, 422)
    assert "Idempotency-Key" in empty.json()["detail"]
    assert agent_messages(conversation_id) == []


def test_a_refused_reply_leaves_its_key_free_for_the_retry(
    agent: User, conversation_id: int
) -> None:
    with pytest.raises(InvalidInput):
        post_once(agent, "k-1", {"text": " "}, lambda: reply(agent, conversation_id, " "))

    message, is_new = post_once(
        agent, "k-1", {"text": " "}, lambda: reply(agent, conversation_id, "Bonjour")
    )
    assert is_new
    assert not IdempotencyKey.objects.exclude(message=message).exists()


def test_the_openapi_document_describes_the_header(agent: User) -> None:
    document = Client().get("/api/v1/openapi.json", **bearer(agent)).json()
    route = document["paths"]["/api/v1/conversations/{conversation_id}/messages"]["post"]

    header = next(p for p in route["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert "same key" in header["description"]
    assert "422" in route["responses"]
