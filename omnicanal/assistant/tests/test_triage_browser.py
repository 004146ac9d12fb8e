"""Settings → Triage and the conversation's triage chips in the browser, in French and in
English at 1440x900 and 1024x768 (screenshots in test-artifacts/screenshots/)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from omnicanal.accounts.models import User
from omnicanal.assistant.models import IntentSkill
from omnicanal.assistant.training import Example, baseline_examples, train
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.conversations.outbox import process_pending_events
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language, playwright_page
from omnicanal.web.tests.test_browser_screenshots import (
    SCREENSHOTS,
    check_page,
    english_strings,
)

pytestmark = BROWSER_MARKS
__all__ = ["playwright_page"]


def test_the_triage_settings_and_chips_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, api_inbox: Inbox
) -> None:
    page, server = playwright_page, asgi_live_server
    # A run kept out, then the active one on the whole baseline.
    few = [e for e in baseline_examples() if e.intent in ("refund", "billing")][:60]
    train("command", examples=[Example(e.text, "refund", "team") for e in few[:30]]
          + [Example(e.text, "billing", "team") for e in few[30:]])
    train("button")
    IntentSkill.objects.create(intent="billing", skill="facturation", level=2)
    result = ingest(api_inbox, inbound(
        "m-1", "C'est INADMISSIBLE !!! J'ai été débité deux fois, remboursez-moi immédiatement."))
    process_pending_events()
    english = english_strings()

    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):
        page.goto(f"{server.url}/settings/")
        page.locator(".settings-nav a[href='/settings/triage/']").click()
        expect(page.locator("#intents")).to_contain_text("order_status")
        expect(page.locator("#runs tbody tr")).to_have_count(2)
        expect(page.locator("input[name=skill-billing]")).to_have_value("facturation")
        problems += check_page(page, language, "settings-triage", english)
        for section in ("skills", "runs"):
            page.locator(f"#{section}").scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / language / f"settings-triage-{section}.png"))

        page.goto(f"{server.url}/conversations/{result.conversation_id}/")
        meta = page.locator(".conversation-meta")
        expect(meta.locator(".triage-urgent")).to_be_visible()
        expect(meta.locator(".triage-negative")).to_be_visible()
        expect(meta).to_contain_text("FR")
        problems += check_page(page, language, "conversation-triage", english)
    assert problems == [], problems
