"""A survey on Telegram: the scores as an inline keyboard whose callback_data is the choice id,
and the tap back (a callback_query) as the score's title with that id."""

from __future__ import annotations

import copy

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.base import OutboundMessage
from omnicanal.connectors.survey_choices import SURVEY_EXTRA, Choice
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.telegram.adapter import inline_keyboard
from omnicanal.connectors.telegram.tests.conftest import post_update, update
from omnicanal.connectors.telegram.tests.stub import BotApiStub
from omnicanal.connectors.telegram.webhook import parse_payload
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message

TOKEN = "Qv3xYt0kPz9Lm2Nb7Rc4Wd8Fg1Hj5Ks6"
KEYBOARD = "constructed/callback_query_with_keyboard.json"
TEXT = "official_webhook_guide_examples/02_message_text.json"


def outbound(scores: range, token: str = TOKEN) -> OutboundMessage:
    choices = tuple(Choice(f"survey:{token}:{s}", str(s)) for s in scores)
    return OutboundMessage(message_id=1, conversation_id=1, recipient="1", text="Note ?",
                           extra={SURVEY_EXTRA: choices})


def test_nps_goes_on_two_rows_and_over_long_ids_get_no_buttons() -> None:
    rows = inline_keyboard(outbound(range(0, 11)))
    assert [len(row) for row in rows] == [6, 5]
    assert rows[0][0] == {"text": "0", "callback_data": f"survey:{TOKEN}:0"}
    assert inline_keyboard(outbound(range(1, 6), token="x" * 60)) == []


@pytest.mark.django_db
def test_a_survey_message_is_sent_with_its_keyboard(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    post_update(telegram_inbox, update(TEXT))
    message = reply(agent, Message.objects.get().conversation_id, "How easy was it?")
    Message.objects.filter(pk=message.pk).update(metadata={"survey": {
        "token": TOKEN, "kind": "ces",
        "choices": [{"id": f"survey:{TOKEN}:{s}", "title": str(s)} for s in range(1, 8)],
    }})
    assert send_message.call(message.pk) == "sent"
    sent = bot_api.requests[-1].json()
    assert sent["text"] == "How easy was it?"
    assert [b["text"] for row in sent["reply_markup"]["inline_keyboard"] for b in row] == [
        str(s) for s in range(1, 8)]


def test_a_tap_comes_back_as_the_buttons_title_with_its_choice_id() -> None:
    body = copy.deepcopy(update(KEYBOARD))
    query = body["callback_query"]
    query["data"] = f"survey:{TOKEN}:6"
    query["message"]["reply_markup"] = {"inline_keyboard": [[
        {"text": str(s), "callback_data": f"survey:{TOKEN}:{s}"} for s in range(1, 8)
    ]]}
    [message] = parse_payload(body).messages
    assert (message.text, message.choice_id) == ("6", f"survey:{TOKEN}:6")
    # Without the message (too old for the bot to see), the score still comes from the id.
    del query["message"]
    [message] = parse_payload(body).messages
    assert (message.text, message.choice_id) == ("6", f"survey:{TOKEN}:6")
