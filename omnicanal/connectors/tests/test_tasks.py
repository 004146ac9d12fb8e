from __future__ import annotations

import json
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.api.adapter import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Message, OutboxEvent
from omnicanal.testing.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation_id(webhook_receiver: WebhookReceiver) -> int:
    inbox = Inbox.objects.create(name="API", channel="api", settings={"webhook_url": webhook_receiver.url})
    return ingest(inbox, inbound("m-1")).conversation_id


def test_a_reply_is_enqueued_after_commit_and_reaches_the_webhook_signed(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(agent, conversation_id, "Votre colis part demain.")
    task = DBTaskResult.objects.get()

    assert send_message.call(*task.args_kwargs["args"]) == "sent"

    headers, body = webhook_receiver.requests[0]
    inbox = Inbox.objects.get()
    assert verify_signature(inbox.secret, headers[TIMESTAMP_HEADER], body,
                            headers[SIGNATURE_HEADER])
    assert not verify_signature("wrong-secret", headers[TIMESTAMP_HEADER], body,
                                headers[SIGNATURE_HEADER])
    assert json.loads(body)["text"] == "Votre colis part demain."
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert OutboxEvent.objects.filter(kind="message.status_changed").exists()


def test_a_retryable_failure_is_retried_later(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook_receiver.statuses = [503]
    message = reply(agent, conversation_id, "Bonjour")

    assert send_message.call(message.pk) == "retrying"

    message.refresh_from_db()
    assert message.delivery_status == "pending"
    assert message.send_attempts == 1
    assert "HTTP 503" in message.failure_reason
    retry = DBTaskResult.objects.get()
    assert retry.run_after is not None

    assert send_message.call(message.pk) == "sent"
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert message.failure_reason == ""


def test_a_message_that_keeps_failing_is_marked_failed_with_the_reason(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver, settings: Any
) -> None:
    settings.SEND_MAX_ATTEMPTS = 3
    webhook_receiver.statuses = [500, 502, 503]
    message = reply(agent, conversation_id, "Bonjour")

    results = [send_message.call(message.pk) for _ in range(3)]

    assert results == ["retrying", "retrying", "failed"]
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "HTTP 503" in message.failure_reason
    assert len(webhook_receiver.requests) == 3


def test_a_permanent_refusal_fails_at_once(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.statuses = [400]
    message = reply(agent, conversation_id, "Bonjour")

    assert send_message.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "HTTP 400" in message.failure_reason
    assert not DBTaskResult.objects.exists()


def test_an_unreachable_webhook_is_retryable(agent: User, api_inbox: Inbox) -> None:
    api_inbox.settings = {"webhook_url": "http://127.0.0.1:9/nothing-listens"}
    api_inbox.save()
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    message = reply(agent, conversation_id, "Bonjour")

    assert send_message.call(message.pk) == "retrying"
    message.refresh_from_db()
    assert "Could not reach" in message.failure_reason


def test_a_sent_message_is_not_sent_twice(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver
) -> None:
    message = reply(agent, conversation_id, "Bonjour")
    send_message.call(message.pk)

    assert send_message.call(message.pk) == "already sent"
    assert len(webhook_receiver.requests) == 1
    assert Message.objects.get(pk=message.pk).send_attempts == 1
