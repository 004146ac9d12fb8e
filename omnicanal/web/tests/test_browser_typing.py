"""Typing, both ways, on a web chat conversation, in a real browser."""

from __future__ import annotations

import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django import db
from django.urls import reverse

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.events import WORKSPACE_GROUP
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, wait_until_live

pytestmark = BROWSER_MARKS


def push_typing(conversation: Conversation, is_typing: bool) -> None:
    """What the web chat sends when the visitor types, from a thread of its own (Playwright's
    event loop runs in this one)."""
    event = {
        "kind": "conversation.typing",
        "conversation_id": conversation.pk,
        "inbox_id": conversation.inbox_id,
        "contact_id": conversation.contact_id,
        "assignee_id": conversation.assignee_id,
        "by": "customer",
        "is_typing": is_typing,
    }

    def work() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(
                WORKSPACE_GROUP, {"type": "omnicanal.event", "event": event}
            )
        finally:
            db.connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)


def test_the_agent_sees_the_customer_type_and_the_widget_hears_the_agent_type(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    inbox = Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)
    result = ingest(inbox, inbound("wc-1", "Bonjour, une question sur ma commande."))
    conversation = Conversation.objects.get(pk=result.conversation_id)

    log_in(page, server, "bob@example.com", "pw-bob-123")
    page.goto(f"{server.url}{reverse('web:conversation', args=[conversation.pk])}")
    wait_until_live(page)
    indicator = page.locator("#customer-typing")
    expect(indicator).to_have_attribute("aria-live", "polite")
    expect(indicator).to_have_text("")

    push_typing(conversation, True)
    expect(indicator).to_have_text("Le client écrit…", timeout=2000)
    push_typing(conversation, False)
    expect(indicator).to_have_text("", timeout=2000)

    typing_url = reverse("webchat:agent_typing", args=[conversation.pk])
    with page.expect_request(
        lambda request: request.url.endswith(typing_url) and request.method == "POST"
    ) as started:
        page.locator("#reply-text").press_sequentially("Je regarde")
    assert started.value.post_data == "is_typing=1"
    # Idle for 4 s: the widget is told the agent stopped.
    with page.expect_request(
        lambda request: request.url.endswith(typing_url) and request.post_data == "is_typing=0",
        timeout=6000,
    ):
        pass

    # Typing again, then sending: the stop goes out with the reply, without waiting.
    with page.expect_request(
        lambda request: request.url.endswith(typing_url) and request.post_data == "is_typing=1"
    ):
        page.locator("#reply-text").press_sequentially(", un instant.")
    with page.expect_request(
        lambda request: request.url.endswith(typing_url) and request.post_data == "is_typing=0",
        timeout=1500,
    ):
        page.locator("#reply-text").press("Control+Enter")
    expect(page.locator("#timeline")).to_contain_text("Je regarde, un instant.")
