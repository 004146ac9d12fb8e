"""A supervisor moderates reviews in French then English: hiding asks for a reason, the hidden
review stays counted on the public page, the team's answer appears under its review, and the
embeddable block renders inside another site's <iframe>. axe-core finds no serious problem.
Screenshots at 1440x900 and 1024x768 go to test-artifacts/reviews/."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.conversations.models import ChannelKind
from omnicanal.surveys import reviews
from omnicanal.surveys.models import ReviewStatus, SurveyResponse
from omnicanal.surveys.tests.test_reviews import answer
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    # The fixture, imported here rather than in a conftest.py all the surveys' tests share.
    playwright_page,  # noqa: F401
)

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

WINDOWS = [(1440, 900), (1024, 768)]
ROUND_ANSWERS = {
    "fr": {"abusive": "Vous êtes des incapables et des voleurs !!!", "abusive_name": "Marc Petit",
           "kind": "Très patient avec moi au téléphone, merci Bob.", "kind_name": "Lucie Moreau"},
    "en": {"abusive": "You are all useless thieves!!!", "abusive_name": "Tom Baker",
           "kind": "Quick answer on the chat, my refund arrived the next day.",
           "kind_name": "Emma Wilson"},
}


def shoot(page: Any, name: str, *, full_page: bool = False) -> None:
    folder = ARTIFACTS / "reviews"
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in WINDOWS:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=full_page)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} overflows at {width} px"
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})


def serve(html: str) -> Any:
    """A route handler answering with `html` (Playwright passes the route alone)."""
    return lambda route: route.fulfill(content_type="text/html", body=html)


def seed(supervisor: User) -> None:
    published = [
        (5, "Réponse en dix minutes sur WhatsApp, problème réglé. Merci !", "Jeanne Martin",
         ChannelKind.WHATSAPP),
        (4, "Bon suivi, mais il a fallu relancer une fois par e-mail.", "Paul Durand",
         ChannelKind.EMAIL),
        (2, "Colis toujours pas arrivé, l'agent était aimable mais rien n'a bougé.",
         "Nadia Benali", ChannelKind.SMS),
    ]
    for score, comment, name, channel in published:
        response = reviews.publish(supervisor, answer(score, comment, name=name, channel=channel))
        if score == 2:
            reviews.reply(supervisor, response, "Nous sommes désolés, Nadia : le transporteur a "
                          "retrouvé votre colis, un nouvel envoi est parti avec suivi.")
    reviews.hide(supervisor, answer(1, "Appelez-moi au 06 12 34 56 78, c'est honteux"),
                 reviews.HideReason.PERSONAL_DATA)


def test_a_supervisor_moderates_and_the_public_sees_an_honest_rating(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page, server = playwright_page, asgi_live_server
    seed(supervisor)
    problems: list[str] = []
    for language in in_each_language(page, server, supervisor, "pw-sup-123"):
        words = ROUND_ANSWERS[language]
        abusive = answer(1, words["abusive"], name=words["abusive_name"],
                         channel=ChannelKind.WEBCHAT)
        kind_words = answer(5, words["kind"], name=words["kind_name"],
                            channel=ChannelKind.WEBCHAT)
        page.goto(f"{server.url}/surveys/reviews/")
        item = page.locator(f"#review-{abusive.pk}")
        expect(item).to_be_visible()
        problems += accessibility_problems(page, f"moderation {language}")
        shoot(page, f"moderation-{language}")
        # The browser itself refuses to hide without a reason (the server does too).
        item.locator(".review-hide button").click()
        assert SurveyResponse.objects.get(pk=abusive.pk).review_status == ReviewStatus.PENDING
        item.locator("select[name=reason]").select_option("abusive")
        item.locator(".review-hide button").click()
        expect(page.locator(f"#review-{abusive.pk}")).to_have_count(0)
        page.locator(f"#review-{kind_words.pk} button.primary").first.click()
        expect(page.locator(f"#review-{kind_words.pk}")).to_have_count(0)
        page.goto(f"{server.url}/surveys/reviews/?tab=hidden")
        shoot(page, f"moderation-hidden-{language}")

        page.goto(f"{server.url}/reviews/{language}/")
        expect(page.locator(".rv-hidden")).to_be_visible()
        assert words["abusive"] not in page.content()
        problems += accessibility_problems(page, f"public page {language}")
        shoot(page, f"public-{language}", full_page=True)

        page.goto(f"{server.url}/reviews/embed/?lang={language}")
        problems += accessibility_problems(page, f"embed {language}")
        page.set_viewport_size({"width": 420, "height": 640})
        page.screenshot(path=str(ARTIFACTS / "reviews" / f"embed-{language}.png"), full_page=True)
        # Another site's page (another origin: localhost, not 127.0.0.1) framing the block:
        # it renders, framing being allowed there only.
        shop = server.url.replace("127.0.0.1", "localhost") + "/shop-page"
        shop_html = (
            "<html><head><meta charset='utf-8'></head>"
            "<body style='margin:0;font-family:sans-serif;background:#f3f4f6'>"
            "<h1 style='padding:16px 24px;margin:0'>Boutique Lumière</h1>"
            f"<iframe src='{server.url}/reviews/embed/?lang={language}' title='reviews' "
            "style='border:0;width:420px;height:720px;margin:0 24px'></iframe></body></html>")
        page.route(shop, serve(shop_html))
        # Chromium's local-network checks stop a page it did not fetch from loading a
        # loopback address; relayed through Playwright, the embed keeps its real headers,
        # which is what the browser's framing decision reads.
        page.route(f"{server.url}/reviews/embed/**",
                   lambda route: route.fulfill(response=route.fetch()))
        page.goto(shop)
        frame = page.frame_locator("iframe")
        expect(frame.locator(".rv-average-value")).to_be_visible()
        shoot(page, f"embed-framed-{language}")
    assert problems == []
    summary = reviews.public_summary()
    # Two hidden in the rounds plus the seeded one: all three still in the count.
    assert summary.hidden == 3 and summary.count == 3 + 3 + 2
