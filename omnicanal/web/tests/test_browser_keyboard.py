"""Keyboard-only triage (issue 8's bar), in a real browser: from the list, open each of five
conversations, take it, answer the customer, label it, resolve it and come back, without
touching the mouse. The shortcuts are those of the help overlay (`?`)."""

from __future__ import annotations

import re
from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Direction, Inbox, Label
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot, wait_until_live

pytestmark = BROWSER_MARKS


def test_an_agent_opens_answers_labels_and_resolves_five_conversations_by_keyboard(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    Label.objects.create(name="Livraison")
    ids = {
        ingest(shop, inbound(f"m-{index}", f"Où est ma commande {index} ?",
                             email=f"client{index}@example.fr",
                             name=f"Client {index}")).conversation_id
        for index in range(5)
    }
    log_in(page, server, "bob@example.com", "pw-bob-123")
    list_url = page.url
    answered: dict[int, str] = {}

    for remaining in range(5, 0, -1):
        expect(page.locator(".conversation-row")).to_have_count(remaining)
        # j selects the first row and focuses its link; Enter follows it.
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/conversations/(\d+)/"))
        wait_until_live(page)
        conversation_id = int(re.findall(r"/conversations/(\d+)/", page.url)[0])

        page.keyboard.press("a")
        # The button disappears once the conversation is the agent's own.
        expect(page.locator("#assign-me")).to_have_count(0)
        expect(page.locator(".conversation-meta")).to_contain_text("Bob Agent")

        page.keyboard.press("r")
        expect(page.locator("#reply-text")).to_be_focused()
        text = f"Bonjour, votre commande part demain ({conversation_id})."
        page.keyboard.type(text)
        page.keyboard.press("Control+Enter")
        expect(page.locator("#timeline")).to_contain_text(text)
        # Sent: the box is emptied once the answer is in.
        expect(page.locator("#reply-text")).to_have_value("")
        answered[conversation_id] = text
        page.keyboard.press("Escape")

        page.keyboard.press("l")
        expect(page.locator("#label-name")).to_be_focused()
        page.keyboard.type("Livraison")
        page.keyboard.press("Enter")
        expect(page.locator("#conversation-live .label-chip span")).to_have_text(["Livraison"])
        # htmx gives the focus back to the field it replaced: Escape leaves it, as after
        # the reply.
        page.keyboard.press("Escape")
        if remaining == 5:
            screenshot(page, "keyboard-triage-conversation-fr")

        page.keyboard.press("e")
        expect(page.locator("#status-button[data-reopen]")).to_be_visible()

        page.keyboard.press("u")
        page.wait_for_url(list_url)
        wait_until_live(page)

    expect(page.locator(".conversation-row")).to_have_count(0)
    # Five different conversations, each answered with the text typed on its own page.
    assert set(answered) == ids
    for conversation in Conversation.objects.filter(pk__in=ids):
        assert (conversation.status, conversation.assignee_id) == ("resolved", agent.pk)
        assert [label.name for label in conversation.labels.all()] == ["Livraison"]
        assert [m.text for m in conversation.messages.filter(direction=Direction.OUTGOING)] == [
            answered[conversation.pk]]
        # Each change went through its action, in the order the keys were pressed.
        assert [m.metadata["activity"] for m in conversation.messages.filter(
            direction=Direction.ACTIVITY).order_by("pk")] == ["assigned", "labeled", "status"]
