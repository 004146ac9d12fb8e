"""Answering from an e-mail's links: a GET records nothing (mail scanners open links), a
POST does; closed or unknown surveys say so without an error page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from omnicanal.conversations.models import Inbox, OutboxEvent
from omnicanal.surveys.models import RequestStatus, ReviewStatus, SurveyResponse
from omnicanal.surveys.tests.channels_fixtures import sent_survey

pytestmark = pytest.mark.django_db


def test_opening_a_score_link_records_nothing(email_inbox: Inbox) -> None:
    survey = sent_survey(email_inbox, "nps", language="en")
    page = Client().get(f"/survey/{survey.token}/9/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your score: <strong>9</strong> out of 10" in html
    assert 'name="comment"' in html and 'name="publish_consent"' in html
    assert not SurveyResponse.objects.exists()
    survey.refresh_from_db()
    assert survey.status == RequestStatus.SENT


def test_posting_the_score_records_it_once_then_the_comment_can_follow(
    email_inbox: Inbox,
) -> None:
    survey = sent_survey(email_inbox, "nps", language="en")
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/survey/{survey.token}/9/")
    csrf = page.cookies["csrftoken"].value
    # The page's script sends the score alone, at once.
    recorded = client.post(f"/survey/{survey.token}/9/", {"score": "9"},
                           HTTP_ACCEPT="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert recorded.status_code == 201
    response = SurveyResponse.objects.get()
    assert (response.score, response.source, response.comment) == (9, "link", "")
    assert response.conversation_id == survey.conversation_id
    survey.refresh_from_db()
    assert survey.status == RequestStatus.ANSWERED
    assert OutboxEvent.objects.filter(kind="survey.answered").count() == 1
    # Twice is refused: the first answer stands.
    again = client.post(f"/survey/{survey.token}/3/", {"score": "3"},
                        HTTP_ACCEPT="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert again.status_code == 410
    assert SurveyResponse.objects.get().score == 9
    # Then the comment, from the same form, to the thank-you page.
    saved = client.post(f"/survey/{survey.token}/thanks/", {
        "comment": "Rapide et aimable", "publish_consent": "1", "csrfmiddlewaretoken": csrf,
    })
    assert saved.status_code == 302
    response.refresh_from_db()
    assert response.comment == "Rapide et aimable"
    # Consent is kept, but only CSAT answers become star reviews (surveys.reviews).
    assert response.publish_consent and response.review_status == ReviewStatus.PRIVATE
    thanks = client.get(saved["Location"])
    assert "Your comment is saved." in thanks.content.decode()


def test_without_scripts_the_button_sends_score_and_comment(email_inbox: Inbox) -> None:
    survey = sent_survey(email_inbox, "csat", language="en")
    client = Client()
    done = client.post(f"/survey/{survey.token}/2/",
                       {"score": "2", "comment": "Trop long", "publish_consent": ""})
    assert done.status_code == 302 and done["Location"] == f"/survey/{survey.token}/thanks/"
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment, response.publish_consent) == (2, "Trop long", False)
    assert response.review_status == ReviewStatus.PRIVATE
    assert "Thank you for your answer!" in client.get(done["Location"]).content.decode()


def test_a_post_without_the_csrf_token_is_refused(email_inbox: Inbox) -> None:
    survey = sent_survey(email_inbox, "csat")
    refused = Client(enforce_csrf_checks=True).post(f"/survey/{survey.token}/5/", {"score": 5})
    assert refused.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_the_scale_page_links_each_score(email_inbox: Inbox) -> None:
    survey = sent_survey(email_inbox, "ces", language="en")
    html = Client().get(f"/survey/{survey.token}/").content.decode()
    for score in range(1, 8):
        assert f'href="/survey/{survey.token}/{score}/"' in html
    assert "very easy" in html


def test_expired_answered_and_unknown_surveys_say_so(email_inbox: Inbox) -> None:
    expired = sent_survey(email_inbox, "csat", language="en", expires_in=dt.timedelta(0))
    page = Client().get(f"/survey/{expired.token}/4/")
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert Client().post(f"/survey/{expired.token}/4/", {"score": 4}).status_code == 410
    assert not SurveyResponse.objects.exists()

    # No survey, so no conversation's language: the browser's.
    unknown = Client(HTTP_ACCEPT_LANGUAGE="en").get("/survey/not-a-token/4/")
    assert unknown.status_code == 404
    assert "does not exist" in unknown.content.decode()
    assert Client().get("/survey/not-a-token/").status_code == 404
    assert Client().get("/survey/bad%00token/").status_code == 404

    expired.status = RequestStatus.ANSWERED
    expired.expires_at = timezone.now() + dt.timedelta(days=1)
    expired.save()
    answered = Client().get(f"/survey/{expired.token}/4/")
    assert answered.status_code == 410
    assert "already been answered" in answered.content.decode()


def test_a_score_off_the_scale_is_refused(email_inbox: Inbox) -> None:
    survey = sent_survey(email_inbox, "csat", language="en")
    assert Client().get(f"/survey/{survey.token}/9/").status_code == 422
    assert Client().post(f"/survey/{survey.token}/9/", {"score": 9}).status_code == 422
    assert Client().post(f"/survey/{survey.token}/3/", {"score": "x"}).status_code == 422
    assert not SurveyResponse.objects.exists()


def test_the_page_speaks_the_customers_language_else_the_browsers(email_inbox: Inbox) -> None:
    survey = sent_survey(email_inbox, "csat")
    page = Client().get(f"/survey/{survey.token}/4/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "en"
    survey.conversation.language = "fr"
    survey.conversation.save()
    page = Client().get(f"/survey/{survey.token}/4/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()
