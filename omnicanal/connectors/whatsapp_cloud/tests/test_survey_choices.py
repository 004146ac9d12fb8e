"""A survey on WhatsApp Cloud: CSAT and CES as an interactive list (10 rows at most), NPS's
11 scores as text; the customer's list or button reply comes back with its row id."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.base import OutboundMessage
from omnicanal.connectors.survey_choices import BUTTON_EXTRA, SURVEY_EXTRA, Choice
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.whatsapp_cloud.client import survey_list
from omnicanal.connectors.whatsapp_cloud.tests.conftest import payload, post_signed
from omnicanal.connectors.whatsapp_cloud.tests.stub import WhatsAppCloudStub
from omnicanal.connectors.whatsapp_cloud.webhook import parse_payload
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message


def outbound(scores: range, text: str = "How satisfied are you?") -> OutboundMessage:
    choices = tuple(Choice(f"survey:tok:{s}", str(s)) for s in scores)
    return OutboundMessage(message_id=1, conversation_id=1, recipient="+33612345678",
                           text=text, extra={SURVEY_EXTRA: choices, BUTTON_EXTRA: "Choose"})


def test_csat_and_ces_are_lists_nps_and_long_texts_are_not() -> None:
    listed = survey_list(outbound(range(1, 6)))
    assert listed == {"type": "interactive", "interactive": {
        "type": "list", "body": {"text": "How satisfied are you?"},
        "action": {"button": "Choose", "sections": [{"rows": [
            {"id": f"survey:tok:{s}", "title": str(s)} for s in range(1, 6)
        ]}]},
    }}
    assert survey_list(outbound(range(1, 8))) is not None
    assert survey_list(outbound(range(0, 11))) is None
    assert survey_list(outbound(range(1, 6), "x" * 1025)) is None


@pytest.mark.django_db
def test_a_survey_message_goes_as_a_list_through_the_send_pipeline(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    conversation = Message.objects.get().conversation
    message = reply(agent, conversation.pk, "How satisfied are you?")
    Message.objects.filter(pk=message.pk).update(metadata={"survey": {
        "token": "tok", "kind": "csat", "button": "Choose a score",
        "choices": [{"id": f"survey:tok:{s}", "title": str(s)} for s in range(1, 6)],
    }})
    assert send_message.call(message.pk) == "sent"
    sent = cloud.requests[-1].json()
    assert sent["type"] == "interactive"
    assert sent["interactive"]["action"]["button"] == "Choose a score"
    assert [row["title"] for row in sent["interactive"]["action"]["sections"][0]["rows"]] == [
        "1", "2", "3", "4", "5"]


@pytest.mark.parametrize("itype", ["list_reply", "button_reply"])
def test_a_list_or_button_reply_carries_the_title_as_text_and_the_row_id(itype: str) -> None:
    body = payload("callback_selection", "callback")
    item = body["entry"][0]["changes"][0]["value"]["messages"][0]
    item["interactive"] = {"type": itype, itype: {"id": "survey:tok:4", "title": "4"}}
    [message] = parse_payload(body).messages
    assert (message.text, message.choice_id) == ("4", "survey:tok:4")


def test_a_typed_answer_has_no_choice_id() -> None:
    [message] = parse_payload(payload("message", "text")).messages
    assert message.choice_id == ""


@pytest.mark.django_db
def test_the_stored_message_keeps_the_choice_id(cloud_inbox: Inbox) -> None:
    body = payload("callback_selection", "callback")
    item = body["entry"][0]["changes"][0]["value"]["messages"][0]
    item["interactive"] = {"type": "list_reply",
                           "list_reply": {"id": "survey:tok:5", "title": "5"}}
    post_signed(cloud_inbox, body)
    stored = Message.objects.get()
    assert (stored.text, stored.metadata["choice_id"]) == ("5", "survey:tok:5")
