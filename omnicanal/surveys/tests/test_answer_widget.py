"""The chat widget's survey: the scale rides on the message the widget reads, and a click
answers through a JSON endpoint open to the inbox's allowed origins only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from omnicanal.connectors.webchat.actions import serialize_message
from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN
from omnicanal.conversations.models import ChannelKind, Direction, Inbox, Message
from omnicanal.surveys.messages import compose
from omnicanal.surveys.models import SurveyResponse
from omnicanal.surveys.tests.channels_fixtures import sent_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT,
                                settings={"site_token": TOKEN, "allowed_origins": [SITE]})


def post(token: str, body: Any, origin: str = SITE) -> Any:
    return Client().post(f"/survey/{token}/answer/", json.dumps(body),
                         content_type="application/json", HTTP_ORIGIN=origin)


def test_the_widget_reads_the_scale_on_the_survey_message(chat_inbox: Inbox) -> None:
    survey = sent_survey(chat_inbox, "ces", language="en")
    composed = compose(survey)
    message = Message.objects.create(
        conversation=survey.conversation, inbox=chat_inbox, direction=Direction.OUTGOING,
        text=composed.text, metadata=composed.metadata,
    )
    shown = serialize_message(message)["survey"]
    assert shown["token"] == survey.token
    assert [c["title"] for c in shown["choices"]] == [str(s) for s in range(1, 8)]
    assert (shown["low_label"], shown["high_label"]) == ("very difficult", "very easy")
    plain = Message.objects.create(conversation=survey.conversation, inbox=chat_inbox,
                                   direction=Direction.OUTGOING, text="Bonjour")
    assert serialize_message(plain)["survey"] is None


def test_a_click_answers_once_from_an_allowed_origin(chat_inbox: Inbox) -> None:
    survey = sent_survey(chat_inbox, "csat")
    preflight = Client().options(f"/survey/{survey.token}/answer/", HTTP_ORIGIN=SITE)
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    answered = post(survey.token, {"score": 4})
    assert answered.status_code == 201 and answered["Access-Control-Allow-Origin"] == SITE
    response = SurveyResponse.objects.get()
    assert (response.score, response.source) == (4, "widget")
    assert post(survey.token, {"score": 5}).status_code == 410
    assert SurveyResponse.objects.get().score == 4


def test_refusals_are_json_with_their_status(chat_inbox: Inbox, email_inbox: Inbox) -> None:
    survey = sent_survey(chat_inbox, "csat")
    other = post(survey.token, {"score": 4}, origin="https://evil.example")
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other
    assert post(survey.token, {"score": 6}).status_code == 422
    assert post(survey.token, ["x"]).status_code == 422
    assert post("unknown-token", {"score": 4}).status_code == 404
    by_mail = sent_survey(email_inbox, "csat", external_id="m-2")
    assert post(by_mail.token, {"score": 4}).status_code == 403
    assert not SurveyResponse.objects.exists()
    assert "error" in post(survey.token, {"score": 6}).json()
