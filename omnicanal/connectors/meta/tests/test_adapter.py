"""Sending through the Send API (a local stub), Meta's reply windows, media downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.connectors.media import fetch_attachment
from omnicanal.connectors.messaging import reply_restriction
from omnicanal.connectors.meta.tests.conftest import CUSTOMER, payload, post_signed
from omnicanal.connectors.meta.tests.stub import MEDIA, PAGE_TOKEN, SendApiStub, graph_error
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Attachment, Inbox, Message

pytestmark = pytest.mark.django_db


def _conversation_id(inbox: Inbox, fixture: str = "messenger_batch.json") -> int:
    post_signed(inbox, payload(fixture))
    return Message.objects.get().conversation_id


def test_a_reply_is_sent_as_a_response_with_the_page_token(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    message = reply(agent, _conversation_id(messenger_inbox), "Bonjour !")

    assert send_message.call(message.pk) == "sent"

    request = send_api.requests[-1]
    assert (request.method, request.path) == ("POST", "/v21.0/me/messages")
    assert request.query["access_token"] == [PAGE_TOKEN]
    assert request.json() == {"recipient": {"id": CUSTOMER}, "message": {"text": "Bonjour !"},
                              "messaging_type": "RESPONSE"}
    message.refresh_from_db()
    assert message.provider_message_id.startswith("m_OUT")


def test_an_instagram_reply_goes_to_the_instagram_scoped_id(
    agent: User, instagram_inbox: Inbox, send_api: SendApiStub
) -> None:
    message = reply(agent, _conversation_id(instagram_inbox, "instagram_message.json"), "Yes!")

    assert send_message.call(message.pk) == "sent"
    assert send_api.requests[-1].json()["recipient"] == {"id": "6123456789012345"}


def test_after_24_hours_a_reply_is_tagged_human_agent(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    conversation_id = _conversation_id(messenger_inbox)
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(days=2))
    message = reply(agent, conversation_id, "Bonjour")

    assert send_message.call(message.pk) == "sent"

    body = send_api.requests[-1].json()
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_after_7_days_a_reply_is_refused_and_the_workspace_is_told(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    conversation_id = _conversation_id(messenger_inbox)
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(days=8))
    message = reply(agent, conversation_id, "Bonjour")

    assert reply_restriction(message.conversation) is not None
    assert send_message.call(message.pk) == "failed"
    assert send_api.requests == []


def test_a_permanent_send_api_error_fails_the_message(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    send_api.queue(graph_error(400, 551, "This person isn't available right now.", 1545041))
    message = reply(agent, _conversation_id(messenger_inbox), "Bonjour")

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert message.failure_reason == "Messenger error 551: This person isn't available right now."


def test_a_wrong_token_fails_without_showing_the_token(
    agent: User, messenger_inbox: Inbox
) -> None:
    message = reply(agent, _conversation_id(messenger_inbox), "Bonjour")
    messenger_inbox.settings = {**messenger_inbox.settings, "page_access_token": "SECRET-X"}
    messenger_inbox.save()

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert "error 190" in message.failure_reason
    assert "SECRET-X" not in message.failure_reason


def test_an_unreachable_send_api_never_shows_the_token_in_the_failure(
    agent: User, messenger_inbox: Inbox
) -> None:
    # The Page token travels in the Send API's query string, and "could not reach" is
    # where a URL would be told: a refusal (above) names no URL at all.
    message = reply(agent, _conversation_id(messenger_inbox), "Bonjour")
    # The discard port: nothing listens there, so a connection is refused at once.
    messenger_inbox.settings = {**messenger_inbox.settings, "api_base": "http://127.0.0.1:9"}
    messenger_inbox.save()

    assert send_message.call(message.pk) == "retrying"

    message.refresh_from_db()
    assert "Could not reach Messenger Send API" in message.failure_reason
    assert PAGE_TOKEN not in message.failure_reason


def test_page_rate_limits_are_retried(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    send_api.queue(graph_error(400, 32, "Page request limit reached"))
    message = reply(agent, _conversation_id(messenger_inbox), "Bonjour")

    assert send_message.call(message.pk) == "retrying"
    assert send_message.call(message.pk) == "sent"


def test_attachments_are_downloaded_from_their_cdn_url(
    messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    body = payload("messenger_attachments.json")
    attachments = body["entry"][0]["messaging"][0]["message"]["attachments"]
    body["entry"][0]["messaging"][0]["message"]["attachments"] = attachments[:1]
    attachments[0]["payload"]["url"] = f"{send_api.url}/cdn/photo.jpg?oh=signed"
    post_signed(messenger_inbox, body)
    attachment = Attachment.objects.get()

    assert fetch_attachment.call(attachment.pk) == "fetched"

    attachment.refresh_from_db()
    assert attachment.file.read() == MEDIA
    assert attachment.content_type == "image/gif"
    assert attachment.file.name.endswith(".gif")
