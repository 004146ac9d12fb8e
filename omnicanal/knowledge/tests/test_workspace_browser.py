"""A supervisor writes an article in the workspace's knowledge base, in French then English:
the Markdown preview follows the typing and the toolbar, a second save makes a version to
compare, publishing puts it on the help center. Screenshots of the list, the editor and the
diff at 1440x900 and 1024x768 go to test-artifacts/knowledge-base/."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.models import Article, ArticleStatus
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
)

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]



def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-coloured PNG, written by hand (no imaging library)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png(240, 60, (29, 78, 216))
WINDOWS = [(1440, 900), (1024, 768)]
ROUNDS = {
    "fr": {"title": "Payer en trois fois", "lead": "Le paiement en trois fois est possible",
           "lead2": "Le paiement en trois fois sans frais est proposé",
           "more": "dès 100 € d'achat.", "extra": "Sans frais pour les clients Premium."},
    "en": {"title": "Pay in three instalments", "lead": "Paying in three instalments is possible",
           "lead2": "Paying in three interest-free instalments is offered",
           "more": "on orders over £90.", "extra": "No fee for Premium customers."},
}


def shoot(page: Any, name: str) -> None:
    folder = ARTIFACTS / "knowledge-base"
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in WINDOWS:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}-{width}.png"))
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} overflows at {width} px"
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})


def test_a_supervisor_writes_previews_and_publishes_an_article(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User
) -> None:
    from playwright.sync_api import expect

    load_help_center_demo()
    page, server = playwright_page, asgi_live_server
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})
    problems: list[str] = []
    for locale in in_each_language(page, server, supervisor, "pw-sup-123"):
        words = ROUNDS[locale]
        # The top bar leads to the knowledge base.
        page.locator(".topnav a[href='/knowledge/']").click()
        expect(page.locator(".kb-table")).to_be_visible()
        problems += accessibility_problems(page, f"list {locale}")
        shoot(page, f"list-{locale}")

        page.locator("a.kb-new").click()
        page.fill("#id_title", words["title"])
        page.select_option("#id_locale", locale)
        body = page.locator("#id_body")
        body.fill(f"## {words['title']}\n\n{words['lead']} ")
        expect(page.locator("#kb-preview h2")).to_have_text(words["title"])
        # The toolbar's bold wraps a placeholder, selected, which typing replaces.
        page.locator("[data-kb-format=bold]").click()
        page.keyboard.type(words["more"])
        expect(page.locator("#kb-preview strong")).to_have_text(words["more"])
        page.locator("button.kb-save").click()
        page.wait_for_url(f"{server.url}/knowledge/*/")
        article = Article.objects.get(title=words["title"])
        assert article.body.endswith(f"**{words['more']}**")

        # A second save: the lead rewritten, an image uploaded and inserted at the end, a
        # list added with the toolbar.
        page.locator("#id_body").fill(
            f"## {words['title']}\n\n{words['lead2']} **{words['more']}**\n\n{words['extra']}")
        page.locator("#id_body").press("Control+End")
        page.set_input_files("#kb-file-input", files=[{
            "name": "card.png", "mimeType": "image/png", "buffer": PNG}])
        page.locator(".kb-upload button[type=submit]").click()
        expect(page.locator(".kb-file-list a")).to_contain_text("card.png")
        expect(page.locator("#kb-preview img[alt='card.png']")).to_have_count(1)
        page.locator("#id_body").press("Control+End")
        page.locator("[data-kb-format=list]").click()
        page.keyboard.type("Visa, Mastercard")
        expect(page.locator("#kb-preview li")).to_have_text("Visa, Mastercard")
        page.locator("button.kb-save").click()
        expect(page.locator(".kb-editor-links a").first).to_contain_text("2")
        problems += accessibility_problems(page, f"editor {locale}")
        shoot(page, f"editor-{locale}")

        page.locator(".kb-editor-links a").first.click()
        expect(page.locator(".kb-versions")).to_be_visible()
        problems += accessibility_problems(page, f"versions {locale}")
        shoot(page, f"versions-{locale}")
        page.locator(".kb-versions-form button[type=submit].primary").click()
        expect(page.locator(".kb-line-inserted").first).to_be_visible()
        expect(page.locator(".kb-line-inserted")).to_contain_text(["Visa, Mastercard"])
        problems += accessibility_problems(page, f"diff {locale}")
        shoot(page, f"diff-{locale}")

        page.goto(f"{server.url}/knowledge/{article.pk}/")
        page.locator("button.kb-action-publish").click()
        expect(page.locator(".kb-editor-heading .kb-status-published")).to_be_visible()
        article.refresh_from_db()
        assert article.status == ArticleStatus.PUBLISHED

        page.goto(f"{server.url}/help/{locale}/{article.slug}/")
        expect(page.locator("h1")).to_have_text(words["title"])
        expect(page.locator(".hc-prose strong")).to_have_text(words["more"])
        expect(page.locator(".hc-prose li")).to_have_text("Visa, Mastercard")
        page.goto(f"{server.url}/knowledge/categories/")
        expect(page.locator(".kb-categories")).to_be_visible()
        problems += accessibility_problems(page, f"categories {locale}")
        shoot(page, f"categories-{locale}")
        page.goto(f"{server.url}/")
    assert problems == []
