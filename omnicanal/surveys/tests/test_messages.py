"""The survey message as the customer receives it on each channel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import LazySettings
from django.utils import translation

from omnicanal.accounts.models import Team
from omnicanal.conversations.ingest import sanitize_html
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.surveys.messages import compose
from omnicanal.surveys.models import SCALES, SurveyPolicy
from omnicanal.surveys.tests.channels_fixtures import sent_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="SMS", channel=ChannelKind.SMS)


@pytest.mark.parametrize("kind", ["csat", "nps", "ces"])
def test_each_kind_asks_its_question_with_its_scale_and_how_to_stop(
    sms_inbox: Inbox, kind: str
) -> None:
    survey = sent_survey(sms_inbox, kind, language="en")
    composed = compose(survey, "en")
    low, high = SCALES[kind]
    question = {"csat": "satisfied", "nps": "recommend", "ces": "easy"}[kind]
    assert question in composed.text
    assert f"from {low} (" in composed.text and f"to {high} (" in composed.text
    assert "Reply STOP" in composed.text
    # No links nor HTML on a channel that cannot click them.
    assert composed.html == "" and "http" not in composed.text
    choices = composed.metadata["survey"]["choices"]
    assert [c["title"] for c in choices] == [str(s) for s in range(low, high + 1)]
    assert choices[0]["id"] == f"survey:{survey.token}:{low}"
    assert composed.metadata["survey"]["kind"] == kind
    assert composed.metadata["survey"]["token"] == survey.token


def test_the_language_is_the_one_asked_else_the_customers(sms_inbox: Inbox) -> None:
    survey = sent_survey(sms_inbox, "csat", language="en")
    english = compose(survey)
    with translation.override("fr"):
        french_request = compose(survey, "fr")
    # The English text whatever the active language, when the conversation is in English.
    with translation.override("fr"):
        assert compose(survey).text == english.text
    assert "satisfied" in english.text
    assert french_request.metadata["survey"]["question"] != ""


def test_a_policys_own_question_wins(sms_inbox: Inbox, team: Team) -> None:
    survey = sent_survey(sms_inbox, "nps")
    SurveyPolicy.objects.create(kind="nps", inbox=sms_inbox, is_enabled=True,
                                question="Would you tell your friends about Chez Jeanne?")
    assert compose(survey, "en").text.startswith("Would you tell your friends about Chez Jeanne?")
    survey.team = team
    survey.save()
    SurveyPolicy.objects.create(kind="nps", team=team, is_enabled=True,
                                question="And our support team?")
    assert compose(survey, "en").text.startswith("And our support team?")


def test_an_email_carries_one_click_links_to_each_score(
    email_inbox: Inbox, settings: LazySettings
) -> None:
    settings.PUBLIC_URL = "https://help.example.test"
    survey = sent_survey(email_inbox, "csat", language="fr")
    composed = compose(survey)
    links = re.findall(r'href="([^"]+)"', composed.html)
    assert links == [
        f"https://help.example.test/survey/{survey.token}/{score}/" for score in range(1, 6)
    ]
    # The text part links to the whole scale.
    assert f"https://help.example.test/survey/{survey.token}/" in composed.text
    assert "STOP" in composed.html
    # What the e-mail sender keeps of it (it strips styles): every link, spaced apart.
    kept = sanitize_html(composed.html)
    assert re.findall(r'href="([^"]+)"', kept) == links
    assert "</a>\u2003<a" in kept


def test_a_custom_question_is_escaped_in_the_email(
    email_inbox: Inbox, settings: LazySettings
) -> None:
    settings.PUBLIC_URL = "https://help.example.test"
    survey = sent_survey(email_inbox, "ces")
    SurveyPolicy.objects.create(kind="ces", inbox=email_inbox, question="<b>Easy?</b>")
    assert "&lt;b&gt;Easy?&lt;/b&gt;" in compose(survey, "en").html
