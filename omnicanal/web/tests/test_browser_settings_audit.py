"""Settings → Audit log in the browser, in French and in English at 1440x900 and 1024x768:
the entries that real changes write (a label, a team, an inbox), checked by `check_page`."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from omnicanal.accounts.models import User
from omnicanal.connectors.actions import create_inbox
from omnicanal.conversations import actions
from omnicanal.routing import teams
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS


def test_the_audit_log_lists_the_changes_made_in_the_settings(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, supervisor: User
) -> None:
    page, server = playwright_page, asgi_live_server
    actions.create_label(supervisor, "Remboursement", "#1a7f37")
    teams.save_team(admin, None, name="Support niveau 1", member_ids=[], calendar=None,
                    mode="")
    create_inbox(admin, name="Boutique", channel="api", settings={})
    english = english_strings()

    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):
        page.goto(f"{server.url}/settings/")
        page.locator(".settings-nav a[href='/settings/audit/']").click()
        table = page.locator("#audit-entries")
        expect(table).to_contain_text("label.created")
        expect(table).to_contain_text("team.created")
        expect(table).to_contain_text("inbox.created")
        problems += check_page(page, language, "settings-audit", english)
        page.fill("#audit-action", "label.")
        page.locator("#audit-action").press("Enter")
        expect(table).to_contain_text("label.created")
        expect(table).not_to_contain_text("inbox.created")
    assert problems == [], problems
