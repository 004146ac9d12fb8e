"""The supervisor's view live, in real browsers: a supervisor watches a conversation wait,
an agent comes online from the top bar and receives it, and the supervisor's page follows
without a reload. Screenshots (French and English) go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing import actions
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


def test_an_agent_coming_online_takes_the_waiting_conversation_under_the_supervisors_eyes(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User, agent: User,
    api_inbox: Inbox,
) -> None:
    from playwright.sync_api import expect

    server = asgi_live_server
    supervisor_page = playwright_page
    actions.configure_agent(agent, capacity={"chat": 1})
    conversation_id = ingest(
        api_inbox, inbound("m-1", "Ma commande 4417 n'est pas arrivée.")
    ).conversation_id

    log_in(supervisor_page, server, "sup@example.com", "pw-sup-123")
    supervisor_page.get_by_role("link", name="Supervision").click()
    wait_until_live(supervisor_page)
    live = supervisor_page.locator("#supervisor-live")
    waiting = live.locator(f".waiting-row[data-conversation-id='{conversation_id}']")
    expect(waiting.locator(".queue-position")).to_have_text("1")
    expect(waiting).to_contain_text("Jeanne Martin")
    bob = live.locator(f".agent-row[data-agent-id='{agent.pk}']")
    expect(bob).to_have_attribute("data-presence", "offline")
    expect(bob.locator(".load[data-channel=chat]")).to_contain_text("0/1")
    screenshot(supervisor_page, "supervisor-waiting-fr")

    # Bob, in his own browser, comes online from the top bar.
    agent_context = supervisor_page.context.browser.new_context(
        viewport={"width": 1360, "height": 860}, locale="fr-FR"
    )
    try:
        agent_page = agent_context.new_page()
        agent_page.set_default_timeout(5000)
        log_in(agent_page, server, "bob@example.com", "pw-bob-123")
        toggle = agent_page.locator("#presence")
        toggle.get_by_role("button", name="En ligne").click()
        expect(toggle.get_by_role("button", name="En ligne")).to_have_attribute(
            "aria-pressed", "true"
        )
    finally:
        agent_context.close()

    # The supervisor's page followed by itself: the queue is empty, Bob holds one.
    expect(live.locator(".waiting-row")).to_have_count(0)
    expect(bob).to_have_attribute("data-presence", "online")
    expect(bob.locator(".load[data-channel=chat]")).to_contain_text("1/1")
    expect(bob).to_contain_text("Jeanne Martin")
    assert Conversation.objects.get(pk=conversation_id).assignee == agent
    screenshot(supervisor_page, "supervisor-assigned-fr")

    # Bob is full: the next customer waits, with an estimate now that Bob is online.
    User.objects.filter(pk=supervisor.pk).update(language=Language.ENGLISH)
    ingest(api_inbox, inbound("m-2", "Where is my parcel?", email="sam@example.com",
                              name="Sam Taylor"))
    supervisor_page.reload()
    wait_until_live(supervisor_page)
    expect(live.locator(".waiting-row")).to_contain_text("Sam Taylor")
    expect(live.locator(".waiting-row .estimated-wait")).to_have_text("about 5 min")
    screenshot(supervisor_page, "supervisor-en")


def test_an_idle_agent_turns_away_and_comes_back_online_when_active_again(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.PRESENCE_AWAY_AFTER_SECONDS = 1
    page = playwright_page
    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    toggle = page.locator("#presence")
    toggle.get_by_role("button", name="En ligne").click()
    expect(page.locator("#presence[data-presence=online]")).to_have_count(1)

    # No keyboard or mouse for a while.
    expect(page.locator("#presence[data-presence=away]")).to_have_count(1)
    expect(toggle.get_by_role("button", name="Absent")).to_have_attribute("aria-pressed", "true")

    page.mouse.move(200, 300)
    page.mouse.move(260, 340)
    expect(page.locator("#presence[data-presence=online]")).to_have_count(1)


def test_a_presence_chosen_in_one_tab_shows_in_the_others(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    first = playwright_page
    log_in(first, asgi_live_server, "bob@example.com", "pw-bob-123")
    second = first.context.new_page()
    second.set_default_timeout(5000)
    second.goto(f"{asgi_live_server.url}/search/")
    wait_until_live(second)
    expect(second.locator("#presence")).to_have_attribute("data-presence", "offline")

    first.locator("#presence").get_by_role("button", name="Absent").click()

    expect(second.locator("#presence")).to_have_attribute("data-presence", "away")
    expect(second.locator("#presence").get_by_role("button", name="Absent")).to_have_attribute(
        "aria-pressed", "true"
    )
