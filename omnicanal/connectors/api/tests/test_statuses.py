"""POST /api/v1/inboxes/{id}/statuses: the integrator reports what became of a reply we
delivered to its webhook, and the agent sees it on the reply."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer, inbound
from omnicanal.connectors.api.adapter import IDEMPOTENCY_HEADER, sign
from omnicanal.conversations.actions import claim_send, mark_sent, reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Message, OutboxEvent
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.testing.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(webhook_receiver: WebhookReceiver) -> Inbox:
    return Inbox.objects.create(
        name="Shop API", channel="api", settings={"webhook_url": webhook_receiver.url}
    )


@pytest.fixture
def sent_reply(
    agent: User, inbox: Inbox, webhook_receiver: WebhookReceiver,
    django_capture_on_commit_callbacks: Any,
) -> Message:
    """A reply our webhook delivered to the integrator ("sent")."""
    conversation_id = ingest(inbox, inbound("m-1")).conversation_id
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(agent, conversation_id, "Votre colis part demain.")
    assert run_queued_tasks() == ["sent"]
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    return message


@pytest.fixture
def report(admin: User) -> Callable[..., Any]:
    """POST a status report with a bearer token, as an integrator's script would."""
    client = Client()
    headers = bearer(admin)

    def call(inbox_id: int, payload: Any) -> Any:
        return client.post(f"/api/v1/inboxes/{inbox_id}/statuses", payload,
                           content_type="application/json", **headers)

    return call


def status_of(message: Message) -> str:
    message.refresh_from_db()
    return message.delivery_status


def test_the_integrator_reports_a_reply_delivered_by_the_id_of_our_webhook(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any],
    webhook_receiver: WebhookReceiver,
) -> None:
    _, body = webhook_receiver.requests[0]
    message_id = json.loads(body)["message_id"]

    response = report(inbox.pk, {"message_id": message_id, "status": "delivered"})

    assert response.status_code == 200
    assert response.json() == {
        "message_id": sent_reply.pk, "delivery_status": "delivered", "failure_reason": "",
    }
    assert status_of(sent_reply) == "delivered"


def test_read_follows_delivered_and_a_late_delivered_does_not_go_back(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any],
    webhook_receiver: WebhookReceiver,
) -> None:
    headers, _ = webhook_receiver.requests[0]
    key = headers[IDEMPOTENCY_HEADER]  # the Idempotency-Key names the message too

    assert report(inbox.pk, {"message_id": key, "status": "delivered"}).status_code == 200
    assert report(inbox.pk, {"message_id": key, "status": "read"}).status_code == 200
    late = report(inbox.pk, {"message_id": key, "status": "delivered"})

    assert late.status_code == 200
    assert late.json()["delivery_status"] == "read"
    assert status_of(sent_reply) == "read"


def test_a_failure_shows_to_the_agent_with_its_reason(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any], agent: User,
) -> None:
    response = report(inbox.pk, {
        "message_id": str(sent_reply.pk), "status": "failed",
        "error": "The customer's app was uninstalled.",
    })

    assert response.status_code == 200
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "failed"
    assert sent_reply.failure_reason == "The customer's app was uninstalled."
    client = Client()
    client.force_login(agent)
    page = client.get(f"/conversations/{sent_reply.conversation_id}/").content.decode()
    assert '<span class="failure-reason">The customer&#x27;s app was uninstalled.</span>' in page


def test_a_failure_without_a_reason_says_who_reported_it(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any],
) -> None:
    report(inbox.pk, {"message_id": sent_reply.pk, "status": "failed"})

    sent_reply.refresh_from_db()
    assert sent_reply.failure_reason == (
        "The integrator reported the message as failed, without a reason."
    )


@pytest.mark.parametrize("payload", [
    {"status": "delivered"},
    {"status": "failed", "error": "Unreachable."},
])
def test_the_same_report_twice_changes_nothing(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any], payload: dict[str, Any],
) -> None:
    first = report(inbox.pk, {"message_id": sent_reply.pk, **payload})
    changes = OutboxEvent.objects.filter(kind="message.status_changed")
    events = changes.count()

    again = report(inbox.pk, {"message_id": sent_reply.pk, **payload})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    # No second change: open pages are not told anything new.
    assert changes.count() == events


def test_a_message_of_another_inbox_is_not_found(
    sent_reply: Message, report: Callable[..., Any],
) -> None:
    other = Inbox.objects.create(name="Other API", channel="api")

    response = report(other.pk, {"message_id": sent_reply.pk, "status": "delivered"})

    assert response.status_code == 404
    assert response.json() == {"detail": f"No reply {sent_reply.pk} was sent from inbox "
                                         f"{other.pk}."}
    assert status_of(sent_reply) == "sent"


def test_the_customers_own_message_and_an_unknown_id_are_not_found(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any],
) -> None:
    customers = Message.objects.get(inbox=inbox, direction="incoming")

    assert report(inbox.pk, {"message_id": customers.pk, "status": "read"}).status_code == 404
    assert report(inbox.pk, {"message_id": 987654, "status": "read"}).status_code == 404
    assert status_of(customers) == "received"


def test_an_inbox_of_another_channel_is_a_conflict(
    sent_reply: Message, report: Callable[..., Any], email_inbox: Inbox,
) -> None:
    response = report(email_inbox.pk, {"message_id": sent_reply.pk, "status": "delivered"})
    assert response.status_code == 409


@pytest.mark.parametrize("payload, field", [
    ({"status": "sent"}, "status"),
    ({"status": "undelivered"}, "status"),
    ({"status": "DELIVERED"}, "status"),
    ({}, "status"),
    ({"status": "delivered", "message_id": "omnicanal-conversation-3"}, "message_id"),
    ({"status": "delivered", "message_id": True}, "message_id"),
    ({"status": "delivered", "message_id": 0}, "message_id"),
    ({"status": "failed", "error": "x" * 2001}, "error"),
])
def test_a_bad_report_is_refused_naming_the_field(
    sent_reply: Message, inbox: Inbox, report: Callable[..., Any], payload: dict[str, Any],
    field: str,
) -> None:
    response = report(inbox.pk, {"message_id": sent_reply.pk, **payload})

    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"])
    assert status_of(sent_reply) == "sent"


def test_without_credentials_the_report_is_refused(
    sent_reply: Message, inbox: Inbox, client: Client,
) -> None:
    response = client.post(f"/api/v1/inboxes/{inbox.pk}/statuses",
                           {"message_id": sent_reply.pk, "status": "read"},
                           content_type="application/json")

    assert response.status_code == 401
    assert status_of(sent_reply) == "sent"


def test_a_revoked_or_unknown_token_is_refused(
    sent_reply: Message, inbox: Inbox, client: Client,
) -> None:
    response = client.post(f"/api/v1/inboxes/{inbox.pk}/statuses",
                           {"message_id": sent_reply.pk, "status": "read"},
                           content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer oc_not-a-token")

    assert response.status_code == 403
    assert status_of(sent_reply) == "sent"


def signed_post(client: Client, inbox: Inbox, payload: Any, *, secret: str = "",
                timestamp: int | None = None) -> Any:
    body = json.dumps(payload).encode()
    moment = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        f"/api/v1/inboxes/{inbox.pk}/statuses", body, content_type="application/json",
        headers={"X-Omnicanal-Timestamp": moment,
                 "X-Omnicanal-Signature": sign(secret or inbox.secret, moment, body)},
    )


def test_the_integrators_receiver_may_sign_with_the_inboxs_secret_instead_of_a_token(
    sent_reply: Message, inbox: Inbox, client: Client,
) -> None:
    response = signed_post(client, inbox, {"message_id": sent_reply.pk, "status": "delivered"})

    assert response.status_code == 200
    assert status_of(sent_reply) == "delivered"


@pytest.mark.parametrize("secret, age", [
    ("another-inbox-secret", 0),  # signed with another secret
    ("", 3600),  # a capture replayed an hour later
])
def test_a_bad_signature_or_a_stale_one_is_refused(
    sent_reply: Message, inbox: Inbox, client: Client, secret: str, age: int,
) -> None:
    response = signed_post(client, inbox, {"message_id": sent_reply.pk, "status": "read"},
                           secret=secret, timestamp=int(time.time()) - age)

    assert response.status_code == 403
    assert status_of(sent_reply) == "sent"


def test_another_inboxs_signature_does_not_open_this_inbox(
    sent_reply: Message, inbox: Inbox, client: Client,
) -> None:
    other = Inbox.objects.create(name="Other API", channel="api")

    response = signed_post(client, inbox, {"message_id": sent_reply.pk, "status": "read"},
                           secret=other.secret)

    assert response.status_code == 403


def test_a_report_that_overtakes_our_own_sent_bookkeeping_stays(
    agent: User, inbox: Inbox, report: Callable[..., Any],
) -> None:
    """A fast integrator reports while our send task still waits for its webhook's answer:
    the report is kept, the task's "sent" does not undo it."""
    conversation_id = ingest(inbox, inbound("m-1")).conversation_id
    delivered = reply(agent, conversation_id, "Votre colis part demain.")
    failed = reply(agent, conversation_id, "Et la facture suit.")
    for message, payload in ((delivered, {"status": "delivered"}),
                             (failed, {"status": "failed", "error": "Blocked."})):
        assert claim_send(message.pk)  # the send task is in the middle of its POST
        assert report(inbox.pk, {"message_id": message.pk, **payload}).status_code == 200
        mark_sent(message.pk, f"api-{message.pk}")  # then its POST returns

    assert status_of(delivered) == "delivered"
    failed.refresh_from_db()
    assert (failed.delivery_status, failed.failure_reason) == ("failed", "Blocked.")
