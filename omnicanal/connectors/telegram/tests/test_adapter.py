"""Sending through the Bot API (a local stub) and downloading files."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.media import fetch_attachment
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.telegram.tests.conftest import post_update, update
from omnicanal.connectors.telegram.tests.stub import BOT_TOKEN, FILE, BotApiStub, error
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Attachment, Inbox, Message

pytestmark = pytest.mark.django_db

TEXT = "official_webhook_guide_examples/02_message_text.json"
# The discard port: nothing listens there, so a connection is refused at once.
CLOSED_PORT_URL = "http://127.0.0.1:9"


def _conversation_id(inbox: Inbox, name: str = TEXT) -> int:
    post_update(inbox, update(name))
    return Message.objects.get().conversation_id


def test_a_reply_is_sent_to_the_chat_and_keeps_telegrams_id_form(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    message = reply(agent, _conversation_id(telegram_inbox), "Bonjour !")

    assert send_message.call(message.pk) == "sent"

    request = bot_api.requests[-1]
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.json() == {"chat_id": "1111111", "text": "Bonjour !"}
    message.refresh_from_db()
    # "<chat>:<message>", as inbound ids: a reaction to our reply finds it.
    assert message.provider_message_id.startswith("1111111:")


def test_a_reply_in_a_group_goes_to_the_group_not_the_member(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    message = reply(agent, _conversation_id(telegram_inbox, "constructed/group_reply.json"), "Ok")

    send_message.call(message.pk)

    group = update("constructed/group_reply.json")["message"]["chat"]["id"]
    assert bot_api.requests[-1].json()["chat_id"] == str(group)


def test_a_blocked_bot_fails_the_message_for_good(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    bot_api.queue(error(403, "Forbidden: bot was blocked by the user"))
    message = reply(agent, _conversation_id(telegram_inbox), "Bonjour")

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert message.failure_reason == "Telegram error 403: Forbidden: bot was blocked by the user"


def test_flood_control_is_retried(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    bot_api.queue(error(429, "Too Many Requests: retry after 3", retry_after=3))
    message = reply(agent, _conversation_id(telegram_inbox), "Bonjour")

    assert send_message.call(message.pk) == "retrying"
    message.refresh_from_db()
    assert "retry after 3 s" in message.failure_reason
    assert send_message.call(message.pk) == "sent"


def test_a_wrong_bot_token_never_shows_in_the_failure(
    agent: User, telegram_inbox: Inbox
) -> None:
    message = reply(agent, _conversation_id(telegram_inbox), "Bonjour")
    telegram_inbox.settings = {**telegram_inbox.settings, "bot_token": "999:SECRET"}
    telegram_inbox.save()

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert "401" in message.failure_reason
    assert "SECRET" not in message.failure_reason


def test_an_unreachable_bot_api_never_shows_the_token_in_the_failure(
    agent: User, telegram_inbox: Inbox
) -> None:
    # The token is part of every Bot API URL, and "could not reach" is where a URL would
    # be told: a refusal (above) names no URL at all.
    message = reply(agent, _conversation_id(telegram_inbox), "Bonjour")
    telegram_inbox.settings = {**telegram_inbox.settings, "api_base": CLOSED_PORT_URL}
    telegram_inbox.save()

    assert send_message.call(message.pk) == "retrying"

    message.refresh_from_db()
    assert "Could not reach Telegram" in message.failure_reason
    assert BOT_TOKEN not in message.failure_reason


def test_a_photo_is_downloaded_through_get_file(
    telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    post_update(telegram_inbox, update("constructed/photo.json"))
    attachment = Attachment.objects.get()

    assert fetch_attachment.call(attachment.pk) == "fetched"

    attachment.refresh_from_db()
    assert attachment.file.read() == FILE
    get_file, download = bot_api.requests[-2:]
    assert get_file.json() == {"file_id": "AgACAgQAAxkBAAIBZWZ_large"}
    assert download.path == f"/file/bot{BOT_TOKEN}/photos/file_7.jpg"
