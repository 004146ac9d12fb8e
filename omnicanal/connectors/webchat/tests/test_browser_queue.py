"""The widget tells a waiting visitor their place in line, in Debian's Chromium against the
live server, and drops the line the moment an agent takes the conversation."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.webchat.tests.test_browser import (
    Site,
    browser,
    chat,
    in_thread,
    site,
    visitor_page,
)
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.routing.actions import configure_agent, set_presence
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, screenshot

__all__ = ["browser", "chat", "site"]

pytestmark = BROWSER_MARKS


def test_a_waiting_visitor_sees_their_place_in_line_until_an_agent_takes_the_chat(
    browser: Any, site: Site, chat: tuple[Inbox, Inbox], asgi_live_server: LiveServer,
    agent: User,
) -> None:
    from playwright.sync_api import expect

    inbox, _ = chat
    # Bob is online for one chat at a time, and busy with a customer from the API.
    configure_agent(agent, capacity={"chat": 1})
    in_thread(set_presence, agent, "online")
    api = Inbox.objects.create(name="Site API", channel=ChannelKind.API)
    busy = in_thread(ingest, api, inbound("api-1", "Bonjour"))
    assert Conversation.objects.get(pk=busy.conversation_id).assignee == agent

    with visitor_page(browser, locale="en-US") as (_, visitor, errors), \
            visitor_page(browser, locale="fr-FR") as (_, second_visitor, second_errors):
        visitor.goto(site.page("/"))
        visitor.get_by_role("button", name="Chat with us").click()
        visitor.get_by_role("button", name="Chat now").click()
        visitor.fill("textarea[placeholder='Type your message…']", "Where is my parcel?")
        visitor.keyboard.press("Enter")

        # First in line for Bob's one slot, 300 s per conversation before any history.
        line = visitor.get_by_role("status").filter(has_text="in line")
        expect(line).to_have_text("You are number 1 in line, about 5 minutes")
        screenshot(visitor, "webchat-queue-position-en")
        second_visitor.goto(site.page("/"))
        second_visitor.get_by_role("button", name="Discuter avec nous").click()
        second_visitor.get_by_role("button", name="Discuter maintenant").click()
        second_visitor.fill("textarea[placeholder='Écrivez votre message…']", "Bonjour ?")
        second_visitor.keyboard.press("Enter")
        second_line = second_visitor.get_by_role("status").filter(has_text="dans la file")
        expect(second_line).to_have_text("Vous êtes le numéro 2 dans la file, environ 10 minutes")

        first = Conversation.objects.get(inbox=inbox, messages__text="Where is my parcel?")
        in_thread(lambda: actions.assign(agent, first.pk, assignee_id=agent.pk))

        # Taken: the line goes at once (pushed). The second visitor moves up at their
        # widget's next ping (every 10 s).
        expect(visitor.get_by_text("in line")).to_have_count(0)
        expect(second_line).to_have_text(
            "Vous êtes le numéro 1 dans la file, environ 5 minutes", timeout=15_000
        )
        screenshot(second_visitor, "webchat-queue-position-fr")
        assert errors == [] and second_errors == []
