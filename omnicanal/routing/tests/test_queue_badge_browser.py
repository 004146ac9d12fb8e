"""An agent looking at a waiting conversation sees its place in line move up, without a
reload, when other agents take the conversations ahead; in Debian's Chromium against the
live server. A surge of assignments costs the page a few requests, not one per assignment.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import time
from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.webchat.tests.test_browser import in_thread
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    log_in,
    playwright_page,
    screenshot,
    wait_until_live,
)

__all__ = ["playwright_page"]

pytestmark = BROWSER_MARKS


def queue_up(inbox: Inbox, count: int) -> list[int]:
    """Waiting conversations of distinct contacts (nobody is online to take them): the events
    of one never concern another's page through its contact."""

    def work() -> list[int]:
        return [
            ingest(inbox, inbound(f"m-{n}", "Bonjour", email=f"client{n}@example.fr"))
            .conversation_id
            for n in range(count)
        ]

    ids: list[int] = in_thread(work)
    return ids


def take(agent: User, conversation_ids: list[int], pause_seconds: float = 0) -> None:
    """Another agent takes them, one by one, through the product's path (the assignment
    records the event that the workspaces receive)."""

    def work() -> None:
        for conversation_id in conversation_ids:
            actions.assign(agent, conversation_id, assignee_id=agent.pk)
            time.sleep(pause_seconds)

    in_thread(work)


def test_the_place_in_line_moves_up_when_the_conversation_ahead_is_taken(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, other_agent: User,
    api_inbox: Inbox,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    first, second = queue_up(api_inbox, 2)
    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    page.goto(f"{asgi_live_server.url}/conversations/{second}/")
    wait_until_live(page)
    badge = page.locator("#queue-status")
    expect(badge).to_contain_text("En attente · 2e dans la file")
    # The events of another conversation refresh the badge only, not the whole header and
    # timeline (whose refresh would be sent with the badge's, so be seen by now).
    header_refreshes: list[str] = []
    page.on("request", lambda request: request.headers.get("hx-request")
            and request.url.endswith(f"/conversations/{second}/")
            and header_refreshes.append(request.url))

    take(other_agent, [first])

    expect(badge).to_contain_text("En attente · 1er dans la file")
    assert header_refreshes == []
    screenshot(page, "queue-badge-live-fr")

    # Taken in turn: the header's own refresh drops the line.
    take(other_agent, [second])
    expect(page.locator(".conversation-meta")).to_contain_text("Carol Agent")
    expect(badge).to_have_count(0)


def test_a_surge_of_assignments_costs_a_few_requests_not_one_each(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, other_agent: User,
    api_inbox: Inbox,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    *ahead, mine = queue_up(api_inbox, 13)
    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    page.goto(f"{asgi_live_server.url}/conversations/{mine}/")
    wait_until_live(page)
    badge = page.locator("#queue-status")
    expect(badge).to_contain_text("13e dans la file")
    badge_requests: list[str] = []
    page.on("request", lambda request: "/queue/" in request.url
            and badge_requests.append(request.url))

    # Twelve assignments in about three seconds, as in a surge (hundreds a minute); each is
    # its own event, far enough apart not to merge into one refresh by themselves.
    take(other_agent, ahead, pause_seconds=0.25)

    # The badge catches up with the last...
    expect(badge).to_contain_text("1er dans la file", timeout=15_000)
    # ... in a request at the first event and one more per 4 s interval of the burst.
    assert 1 <= len(badge_requests) <= 3, badge_requests
