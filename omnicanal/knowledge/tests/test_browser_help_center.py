"""An administrator brands the help center, then a customer uses it, in French then English:
home, a category, search for "rembourser" / "refund", the article with its table of contents,
a vote, the contact page. axe-core finds no serious or critical problem on any page, with the
administrator's brand colour (a light one in English: the header's text must turn dark). Screenshots at 1440, 1024 and 390 px wide go
to test-artifacts/help-center/."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.models import Article, ArticleFeedback, HelpCenterSettings
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    log_in,
)

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32">'
        b'<circle cx="16" cy="16" r="13" fill="#0f766e"/><path d="M10 17l4 4 8-9" '
        b'stroke="#fff" stroke-width="3" fill="none"/><rect x="36" y="9" width="76" '
        b'height="14" rx="7" fill="#134e4a"/></svg>')
WINDOWS = [(1440, 900), (1024, 768), (390, 844)]
ROUNDS = {
    "fr": {"brand": "#0f766e", "query": "rembourser", "article": "Quand suis-je remboursé ?",
           "toc": "Remboursement partiel", "yes": "Oui", "contact": "Nous contacter"},
    "en": {"brand": "#ffd60a", "query": "refund", "article": "When will I be refunded?",
           "toc": "Partial refunds", "yes": "Yes", "contact": "Contact us"},
}


def shoot(page: Any, name: str, windows: list[tuple[int, int]] = WINDOWS) -> None:
    folder = ARTIFACTS / "help-center"
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in windows:
        page.set_viewport_size({"width": width, "height": height})
        # From the top: a sticky table of contents would otherwise sit where the scroll
        # left it in a full-page picture.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} overflows at {width} px"
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})


def test_a_customer_searches_reads_votes_and_finds_the_contact_page(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    from playwright.sync_api import expect

    load_help_center_demo()
    page, server = playwright_page, asgi_live_server
    problems: list[str] = []
    # The administrator brands the help center first.
    log_in(page, server, admin.email, "pw-admin-123")
    page.goto(f"{server.url}/settings/help-center/")
    page.fill("#id_organisation_name", "Boutique Lumière")
    page.fill("#id_brand_color", "#0f766e")
    page.set_input_files("#id_logo", files=[{"name": "logo.svg", "mimeType": "image/svg+xml",
                                              "buffer": LOGO}])
    page.locator("form.help-center-form button[type=submit]").click()
    expect(page.locator(".hc-settings-preview img")).to_be_visible()
    problems += accessibility_problems(page, "help center settings")
    # (The agents' side is not laid out for phones: two windows only.)
    shoot(page, "settings", WINDOWS[:2])
    assert HelpCenterSettings.objects.get().brand_color == "#0f766e"
    for locale, words in ROUNDS.items():
        HelpCenterSettings.objects.update_or_create(pk=1, defaults={
            "organisation_name": "Boutique Lumière", "brand_color": words["brand"],
            "contact_email": "aide@boutique.example", "contact_phone": "+33 1 23 45 67 89",
        })
        page.goto(f"{server.url}/help/{locale}/")
        expect(page.locator(".hc-card").first).to_be_visible()
        problems += accessibility_problems(page, f"{locale} home")
        shoot(page, f"{locale}-home")

        page.locator(".hc-card-title a").nth(1).click()
        expect(page.locator(".hc-list a").first).to_be_visible()
        problems += accessibility_problems(page, f"{locale} category")
        shoot(page, f"{locale}-category")

        page.get_by_role("searchbox").fill(words["query"])
        page.keyboard.press("Enter")
        result = page.locator(".hc-result").filter(has_text=words["article"])
        expect(result.locator("mark").first).to_be_visible()
        problems += accessibility_problems(page, f"{locale} search")
        shoot(page, f"{locale}-search")

        result.get_by_role("link", name=words["article"]).click()
        expect(page.get_by_role("heading", level=1, name=words["article"])).to_be_visible()
        toc = page.locator(".hc-toc")
        toc.get_by_role("link", name=words["toc"]).click()
        assert page.url.endswith("#" + page.locator(".hc-prose h2").nth(1).get_attribute("id"))
        problems += accessibility_problems(page, f"{locale} article")
        shoot(page, f"{locale}-article")
        page.set_viewport_size({"width": 390, "height": 844})
        problems += accessibility_problems(page, f"{locale} article on a phone")
        page.set_viewport_size({"width": 1440, "height": 900})

        page.locator("#feedback").get_by_role("button", name=words["yes"]).click()
        expect(page.locator(".hc-feedback-thanks")).to_be_visible()
        problems += accessibility_problems(page, f"{locale} article voted")
        shoot(page, f"{locale}-article-voted")

        page.locator(".hc-contact-band").get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["contact"])
        # The contact page does not link to itself.
        assert page.locator(f'a[href="/help/{locale}/contact/"]').count() == 0
        expect(page.get_by_role("link", name="aide@boutique.example")).to_be_visible()
        problems += accessibility_problems(page, f"{locale} contact")
        shoot(page, f"{locale}-contact")

    assert problems == [], "\n".join(problems)
    votes = {a.slug: a.helpful_votes for a in Article.objects.filter(helpful_votes__gt=0)}
    assert votes == {"quand-suis-je-rembourse": 1, "when-will-i-be-refunded": 1}
    assert ArticleFeedback.objects.filter(is_helpful=True).count() == 2
