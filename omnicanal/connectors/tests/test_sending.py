"""Sends through the outbox: enqueued by the message's event, claimed before the provider is
called, taken over by the sweep when their process or worker died."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.api.adapter import IDEMPOTENCY_HEADER, idempotency_key
from omnicanal.connectors.registry import adapter_for
from omnicanal.connectors.tasks import build_outbound, send_message, sweep_stalled_sends
from omnicanal.conversations.actions import add_note, claim_send, reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Message
from omnicanal.conversations.tasks import dispatch_pending_events
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.testing.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation_id(webhook_receiver: WebhookReceiver) -> int:
    inbox = Inbox.objects.create(
        name="API", channel="api", settings={"webhook_url": webhook_receiver.url}
    )
    return ingest(inbox, inbound("m-1")).conversation_id


def deliveries(receiver: WebhookReceiver) -> list[str]:
    """The idempotency keys of what the customer's system received, in order."""
    return [headers[IDEMPOTENCY_HEADER] for headers, _ in receiver.requests]


def test_a_reply_whose_process_died_after_commit_is_sent_once_by_the_catch_up(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver
) -> None:
    # No on-commit callbacks run: the process died right after the reply's commit.
    message = reply(agent, conversation_id, "Votre colis part demain.")
    assert not DBTaskResult.objects.exists()

    dispatch_pending_events.call()  # the periodic catch-up, in another process
    assert run_queued_tasks() == ["sent"]
    # Later sweeps and catch-ups find nothing more to do.
    dispatch_pending_events.call()
    sweep_stalled_sends.call()
    assert run_queued_tasks() == []

    assert deliveries(webhook_receiver) == [idempotency_key(message.pk)]
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert message.provider_message_id == f"api-{message.pk}"


def test_a_reply_is_enqueued_by_its_event_right_after_commit(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(agent, conversation_id, "Bonjour")

    assert run_queued_tasks() == ["sent"]
    headers, body = webhook_receiver.requests[0]
    assert headers[IDEMPOTENCY_HEADER] == idempotency_key(message.pk)
    # Also in the signed body, for receivers that trust only what the signature covers.
    assert json.loads(body)["idempotency_key"] == idempotency_key(message.pk)


def test_a_note_gets_no_send_task(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        add_note(agent, conversation_id, "Client fidèle, geste commercial possible.")
    dispatch_pending_events.call()
    sweep_stalled_sends.call()

    assert run_queued_tasks() == []
    assert webhook_receiver.requests == []


def test_a_send_whose_worker_was_killed_is_taken_over_once_its_claim_expired(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SEND_STALLED_AFTER_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(agent, conversation_id, "Bonjour")
    # The worker took the task and claimed the message, then was killed: the task row stays
    # RUNNING and the claim stays, until it expires.
    abandoned = DBTaskResult.objects.get()
    abandoned.claim("killed-worker")
    long_ago = timezone.now() - dt.timedelta(seconds=settings.SEND_CLAIM_SECONDS + 1)
    DBTaskResult.objects.filter(pk=abandoned.pk).update(started_at=long_ago)
    assert claim_send(message.pk, now=long_ago)

    assert sweep_stalled_sends.call() == 1
    assert run_queued_tasks() == ["sent"]
    assert sweep_stalled_sends.call() == 0

    assert deliveries(webhook_receiver) == [idempotency_key(message.pk)]
    assert Message.objects.get(pk=message.pk).delivery_status == "sent"
    # The dead worker's row no longer claims to be running.
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.FAILED


def test_a_send_held_by_a_live_worker_is_not_taken_over(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver, settings: Any
) -> None:
    settings.SEND_STALLED_AFTER_SECONDS = 0
    message = reply(agent, conversation_id, "Bonjour")
    assert claim_send(message.pk)  # a worker is talking to the provider right now

    assert sweep_stalled_sends.call() == 0
    assert send_message.call(message.pk) == "claimed elsewhere"
    assert webhook_receiver.requests == []
    assert Message.objects.get(pk=message.pk).delivery_status == "pending"


def test_two_send_tasks_for_one_message_send_it_once(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver
) -> None:
    message = reply(agent, conversation_id, "Bonjour")
    send_message.enqueue(message.pk)
    send_message.enqueue(message.pk)

    assert sorted(run_queued_tasks()) == ["already sent", "sent"]
    assert deliveries(webhook_receiver) == [idempotency_key(message.pk)]
    assert Message.objects.get(pk=message.pk).send_attempts == 1


def test_a_scheduled_retry_is_left_to_its_time_and_keeps_its_idempotency_key(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver, settings: Any
) -> None:
    settings.SEND_STALLED_AFTER_SECONDS = 0
    webhook_receiver.statuses = [503]
    message = reply(agent, conversation_id, "Bonjour")
    assert send_message.call(message.pk) == "retrying"

    # The retry is enqueued for later: not stalled, not taken over before its time.
    assert sweep_stalled_sends.call() == 0
    assert DBTaskResult.objects.count() == 1

    assert send_message.call(message.pk) == "sent"
    # Both deliveries carry the same key: the receiver can tell a repeat.
    assert deliveries(webhook_receiver) == [idempotency_key(message.pk)] * 2


@pytest.mark.django_db(transaction=True)
def test_a_second_task_while_the_first_is_sending_does_nothing(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver
) -> None:
    message = reply(agent, conversation_id, "Bonjour")
    webhook_receiver.release = threading.Event()
    results: list[str] = []

    def first_worker() -> None:
        try:
            results.append(send_message.call(message.pk))
        finally:
            connection.close()

    first = threading.Thread(target=first_worker)
    first.start()
    # The first task is inside its provider call (the receiver holds its answer).
    assert webhook_receiver.arrived.wait(10)
    second = send_message.call(message.pk)
    webhook_receiver.release.set()
    first.join(10)

    assert (second, results) == ("claimed elsewhere", ["sent"])
    assert deliveries(webhook_receiver) == [idempotency_key(message.pk)]


def test_a_worker_killed_after_the_provider_call_sends_again_with_the_same_key(
    agent: User, conversation_id: int, webhook_receiver: WebhookReceiver, settings: Any
) -> None:
    """At least once to the provider: the receiver gets a repeat it can drop by its key."""
    settings.SEND_STALLED_AFTER_SECONDS = 0
    message = reply(agent, conversation_id, "Bonjour")
    long_ago = timezone.now() - dt.timedelta(seconds=settings.SEND_CLAIM_SECONDS + 1)
    assert claim_send(message.pk, now=long_ago)
    inbox = Inbox.objects.get(channel="api")
    # What the killed worker did before dying: the provider call, not its bookkeeping.
    adapter_for("api").send(build_outbound(message), {**inbox.settings, "secret": inbox.secret})

    sweep_stalled_sends.call()
    assert run_queued_tasks() == ["sent"]

    assert deliveries(webhook_receiver) == [idempotency_key(message.pk)] * 2
