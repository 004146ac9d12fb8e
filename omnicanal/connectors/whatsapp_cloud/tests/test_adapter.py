"""Sending through the Cloud API (a local stub), the 24-hour window, and media downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from omnicanal.accounts.models import User
from omnicanal.connectors.media import fetch_attachment
from omnicanal.connectors.messaging import reply_restriction, whatsapp_window_open
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.whatsapp_cloud.tests.conftest import payload, post_signed
from omnicanal.connectors.whatsapp_cloud.tests.stub import (
    ACCESS_TOKEN,
    MEDIA,
    PHONE_NUMBER_ID,
    WhatsAppCloudStub,
    graph_error,
)
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Attachment, Conversation, Inbox, Message

pytestmark = pytest.mark.django_db


def _conversation(inbox: Inbox) -> Conversation:
    post_signed(inbox, payload("message", "text"))
    return Message.objects.get().conversation


def test_a_reply_is_posted_to_the_phone_number_messages_endpoint(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    message = reply(agent, _conversation(cloud_inbox).pk, "Shalom, how can I help?")

    assert send_message.call(message.pk) == "sent"

    request = cloud.requests[-1]
    assert (request.method, request.path) == ("POST", f"/v21.0/{PHONE_NUMBER_ID}/messages")
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.json() == {
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": "972987654321", "type": "text",
        "text": {"body": "Shalom, how can I help?", "preview_url": False},
    }
    message.refresh_from_db()
    assert message.provider_message_id.startswith("wamid.OUT")


def test_a_permanent_graph_error_fails_the_message_with_its_details(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    cloud.queue(graph_error(400, 131026, "Message undeliverable",
                            "Receiver is incapable of receiving this message"))
    message = reply(agent, _conversation(cloud_inbox).pk, "Hello")

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert message.failure_reason == (
        "WhatsApp error 131026: Message undeliverable "
        "(Receiver is incapable of receiving this message)"
    )


def test_throughput_limits_are_retried(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    cloud.queue(graph_error(400, 130429, "Rate limit hit"))
    message = reply(agent, _conversation(cloud_inbox).pk, "Hello")

    assert send_message.call(message.pk) == "retrying"
    assert send_message.call(message.pk) == "sent"


def test_an_expired_token_fails_at_once(agent: User, cloud_inbox: Inbox) -> None:
    message = reply(agent, _conversation(cloud_inbox).pk, "Hello")
    cloud_inbox.settings = {**cloud_inbox.settings, "access_token": "expired"}
    cloud_inbox.save()

    assert send_message.call(message.pk) == "failed"
    message.refresh_from_db()
    assert "error 190" in message.failure_reason
    assert "expired" not in message.failure_reason  # the token never shows


def test_the_window_closes_24_hours_after_the_customer_last_wrote(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    conversation = _conversation(cloud_inbox)
    last = Message.objects.get().sent_at
    assert last is not None

    assert whatsapp_window_open(conversation, now=last + dt.timedelta(hours=23, minutes=59))
    assert reply_restriction(conversation, now=last + dt.timedelta(hours=23)) is None
    assert not whatsapp_window_open(conversation, now=last + dt.timedelta(hours=24))
    with translation.override("en"):
        restriction = reply_restriction(conversation, now=last + dt.timedelta(hours=24))
    assert restriction is not None and "template" in restriction
    # In the agent's language when the workspace shows it.
    with translation.override("fr"):
        later = last + dt.timedelta(hours=24)
        assert "modèle" in (reply_restriction(conversation, now=later) or "")


def test_a_free_form_reply_outside_the_window_is_refused_without_calling_meta(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    conversation = _conversation(cloud_inbox)
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(hours=25))
    message = reply(agent, conversation.pk, "Hello again")
    calls = len(cloud.requests)

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert "24 hours" in message.failure_reason
    assert len(cloud.requests) == calls


def test_a_new_customer_message_reopens_the_window(cloud_inbox: Inbox) -> None:
    conversation = _conversation(cloud_inbox)
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(days=3))
    assert not whatsapp_window_open(conversation)

    body = payload("message", "text")
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.later"
    post_signed(cloud_inbox, body)

    assert whatsapp_window_open(conversation)


def test_media_are_downloaded_by_id_then_url_with_the_token(
    cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    post_signed(cloud_inbox, payload("message", "image"))
    attachment = Attachment.objects.get()
    assert attachment.remote_ref == "65463453"

    assert fetch_attachment.call(attachment.pk) == "fetched"

    attachment.refresh_from_db()
    assert attachment.file.read() == MEDIA
    assert attachment.content_type == "image/jpeg"  # as the webhook stated it
    lookup, download = cloud.requests[-2:]
    assert lookup.path == "/v21.0/65463453"
    assert download.path == "/whatsapp_business/attachments/"
    assert download.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert fetch_attachment.call(attachment.pk) == "already fetched"


def test_a_media_server_error_is_retried_later(
    cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    post_signed(cloud_inbox, payload("message", "image"))
    attachment = Attachment.objects.get()
    cloud.queue(graph_error(500, 2, "Service temporarily unavailable"))

    assert fetch_attachment.call(attachment.pk) == "retrying"
