"""A survey on Messenger: every kind's scores as quick replies (13 at most), and the chosen
quick reply back as its title with the payload as the choice id."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.base import OutboundMessage
from omnicanal.connectors.meta.adapter import quick_replies
from omnicanal.connectors.meta.tests.conftest import payload, post_signed
from omnicanal.connectors.meta.tests.stub import SendApiStub
from omnicanal.connectors.meta.tests.test_parse import body
from omnicanal.connectors.meta.webhook import messenger_events
from omnicanal.connectors.survey_choices import SURVEY_EXTRA, Choice
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.webhooks import to_parsed
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message


def outbound(scores: range, text: str = "Would you recommend us?") -> OutboundMessage:
    choices = tuple(Choice(f"survey:tok:{s}", str(s)) for s in scores)
    return OutboundMessage(message_id=1, conversation_id=1, recipient="1", text=text,
                           extra={SURVEY_EXTRA: choices})


def test_all_kinds_fit_in_quick_replies_a_long_text_does_not() -> None:
    nps = quick_replies(outbound(range(0, 11)))
    assert nps[0] == {"content_type": "text", "title": "0", "payload": "survey:tok:0"}
    assert len(nps) == 11
    assert len(quick_replies(outbound(range(1, 6)))) == 5
    assert quick_replies(outbound(range(0, 14))) == []
    assert quick_replies(outbound(range(1, 6), "x" * 2001)) == []
    assert quick_replies(OutboundMessage(1, 1, "1", "Hello")) == []


@pytest.mark.django_db
def test_a_survey_message_is_sent_with_its_quick_replies(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    post_signed(messenger_inbox, payload("messenger_batch.json"))
    conversation_id = Message.objects.get().conversation_id
    message = reply(agent, conversation_id, "Would you recommend us?")
    Message.objects.filter(pk=message.pk).update(metadata={"survey": {
        "token": "tok", "kind": "nps",
        "choices": [{"id": f"survey:tok:{s}", "title": str(s)} for s in range(0, 11)],
    }})
    assert send_message.call(message.pk) == "sent"
    sent = send_api.requests[-1].json()["message"]
    assert sent["text"] == "Would you recommend us?"
    assert [reply["payload"] for reply in sent["quick_replies"]] == [
        f"survey:tok:{s}" for s in range(0, 11)]


def test_a_quick_reply_comes_back_with_its_payload_as_choice_id() -> None:
    data = body("constructed/messenger_quick_reply.json")
    data["entry"][0]["messaging"][0]["message"].update(
        text="9", quick_reply={"payload": "survey:tok:9"})
    [message] = to_parsed(messenger_events(data)).messages
    assert (message.text, message.choice_id) == ("9", "survey:tok:9")


def test_a_postback_carries_its_payload_as_choice_id() -> None:
    [message] = to_parsed(messenger_events(body("constructed/messenger_postback_title.json")
                                           )).messages
    assert message.choice_id != "" and message.text != message.choice_id
