"""In a real browser (Debian's Chromium): the survey's one-click page records the score by
itself and takes a comment, and the chat widget answers a survey with one click."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.connectors.webchat.tests.conftest import TOKEN
from omnicanal.connectors.webchat.tests.test_browser import (
    Site,
    browser,
    in_thread,
    site,
    visitor_page,
)
from omnicanal.conversations import actions
from omnicanal.conversations.models import Conversation, Inbox, Message
from omnicanal.surveys.messages import compose
from omnicanal.surveys.models import RequestStatus, SurveyRequest, SurveyResponse
from omnicanal.surveys.tests.channels_fixtures import sent_survey
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, screenshot

__all__ = ["browser", "site"]

pytestmark = BROWSER_MARKS

SIZES = [(1440, 900), (1024, 768)]


def shoot(page: Any, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"{name}-{width}x{height}")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_link_records_the_score_by_itself_then_takes_a_comment(
    browser: Any, asgi_live_server: LiveServer, email_inbox: Inbox, language: str,
) -> None:
    from playwright.sync_api import expect

    # Two cores shared with other suites: the first message's ingest can take seconds.
    expect.set_options(timeout=20_000)
    survey = sent_survey(email_inbox, "nps", language=language)
    locale = "fr-FR" if language == "fr" else "en-US"
    with visitor_page(browser, locale) as (_context, page, errors):
        page.goto(f"{asgi_live_server.url}/survey/{survey.token}/9/")
        expect(page.locator("#survey-status")).to_be_visible()
        response = SurveyResponse.objects.get()
        assert (response.score, response.source) == (9, "link")
        shoot(page, f"survey-answer-{language}")
        page.fill("textarea[name=comment]", "Très rapide, merci à Bob.")
        page.check("input[name=publish_consent]")
        page.locator("form.survey-form button[type=submit]").click()
        expect(page.locator("[role=status]")).to_be_visible()
        assert page.url.endswith(f"/survey/{survey.token}/thanks/?saved=1")
        response.refresh_from_db()
        assert response.comment == "Très rapide, merci à Bob." and response.publish_consent
        shoot(page, f"survey-thanks-{language}")
        # The same link again: answered already, said plainly (410), with the way back.
        again = page.goto(f"{asgi_live_server.url}/survey/{survey.token}/3/")
        assert again is not None and again.status == 410
        expect(page.locator(f"a[href='/survey/{survey.token}/thanks/']")).to_be_visible()
        shoot(page, f"survey-closed-{language}")
        assert SurveyResponse.objects.get().score == 9
        # The browser reports the 410 it was given: that is the point here.
        assert [e for e in errors if "410" not in e] == [], errors


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_widget_shows_the_scale_and_one_click_answers(
    browser: Any, site: Site, asgi_live_server: LiveServer, agent: User, language: str,
) -> None:
    from playwright.sync_api import expect

    # Two cores shared with other suites: the first message's ingest can take seconds.
    expect.set_options(timeout=20_000)
    # Long polling: the survey's part is HTTP either way, and the socket is the webchat
    # tests' concern (on a loaded machine with SQLite it can stall past the timeouts).
    site.allows_websockets = False
    inbox = Inbox.objects.create(
        name="Chat boutique", channel="webchat",
        settings={"site_token": TOKEN, "allowed_origins": [site.origin]},
    )
    locale = "fr-FR" if language == "fr" else "en-US"
    texts = {
        "fr": ("Discuter avec nous", "Discuter maintenant", "Merci pour votre réponse !"),
        "en": ("Chat with us", "Chat now", "Thank you for your answer!"),
    }[language]
    with visitor_page(browser, locale) as (_context, page, errors):
        page.goto(site.page("/", lang=language))
        page.get_by_role("button", name=texts[0]).click()
        page.get_by_role("button", name=texts[1]).click()
        placeholder = "Écrivez votre message…" if language == "fr" else "Type your message…"
        page.fill(f"textarea[placeholder='{placeholder}']", "Bonjour, ma commande 4471 ?")
        page.keyboard.press("Enter")
        expect(page.locator(".msg.visitor .state")).to_have_text(
            "Envoyé" if language == "fr" else "Sent")
        conversation = Conversation.objects.get(inbox=inbox)
        conversation.language = language
        conversation.save(update_fields=["language"])
        message = in_thread(actions.reply, agent, conversation.pk, "Votre colis est parti.")
        survey = SurveyRequest.objects.create(
            kind="csat", conversation=conversation, contact=conversation.contact,
            inbox=inbox, status=RequestStatus.SENT, due_at=timezone.now(),
            sent_at=timezone.now(),
        )
        composed = compose(survey)
        Message.objects.filter(pk=message.pk).update(text=composed.text,
                                                     metadata=composed.metadata)
        # The history after a reload shows the survey as it is stored.
        page.reload()
        page.get_by_role("button", name=texts[0]).click()
        scale = page.locator(".survey .scores button")
        # With a history, the widget opens on the chat; else on its home, one click away.
        chat_now = page.get_by_role("button", name=texts[1])
        scale.first.or_(chat_now).wait_for()
        if chat_now.is_visible():
            chat_now.click()
        expect(scale).to_have_count(5)
        shoot(page, f"survey-widget-{language}")
        scale.nth(3).click()
        expect(page.locator(".survey .done")).to_have_text(texts[2])
        response = SurveyResponse.objects.get()
        assert (response.score, response.source, response.conversation_id) == (
            4, "widget", conversation.pk)
        shoot(page, f"survey-widget-thanks-{language}")
        # The blocked socket is this test's choice; anything else would be a fault.
        assert [e for e in errors if "ws://" not in e] == [], errors
