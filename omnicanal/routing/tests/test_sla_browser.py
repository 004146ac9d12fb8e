"""The SLA badge as an agent sees it, in Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.routing.models import SlaPolicy
from omnicanal.routing.sla import check_sla_clocks
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, playwright_page, screenshot

pytestmark = BROWSER_MARKS
__all__ = ["playwright_page"]


def test_an_agent_sees_the_first_response_deadline_then_the_breach(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    # No calendar: the deadline is an hour from now whatever the day the test runs.
    SlaPolicy.objects.create(name="Standard", first_response_time=dt.timedelta(hours=1))
    inbox = Inbox.objects.create(name="Boutique en ligne", channel=ChannelKind.API)
    # Committed for real: the outbox handler starts the clock after the commit.
    conversation_id = ingest(inbox, inbound("order-1")).conversation_id

    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    row = page.locator(f'.conversation-row[data-conversation-id="{conversation_id}"]')
    expect(row.locator(".sla-badge")).to_be_visible()

    page.goto(f"{asgi_live_server.url}/conversations/{conversation_id}/")
    badge = page.locator(".conversation-header .sla-badge")
    expect(badge).to_have_attribute("data-sla-target", "first_response")
    expect(page.locator(".conversation-header .sla-breached")).to_have_count(0)
    screenshot(page, "sla-due-fr")

    check_sla_clocks(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    page.reload()
    expect(page.locator(".conversation-header .sla-breached")).to_be_visible()
    screenshot(page, "sla-breached-fr")
