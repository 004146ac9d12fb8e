"""Two agents on one conversation, in two real browsers: each sees the other viewing and
typing, and the second to send is warned before answering the customer twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Direction, Inbox, Message
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    log_in,
    screenshot,
    wait_until_live,
)

pytestmark = BROWSER_MARKS

# The held-back reply answers 409 on purpose; the browser logs it.
EXPECTED_CONFLICT = re.compile(r"status of 409|Status Error Code 409")


@pytest.fixture
def two_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """Two browser contexts (two agents, two sessions) in one Chromium."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    cache.clear()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        errors: list[str] = []
        pages = []
        for locale in ("fr-FR", "en-GB"):
            context = browser.new_context(viewport={"width": 1360, "height": 860}, locale=locale)
            page = context.new_page()
            page.set_default_timeout(5000)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: message.type == "error"
                    and not EXPECTED_CONFLICT.search(message.text)
                    and errors.append(message.text))
            pages.append(page)
        try:
            yield pages[0], pages[1]
            assert errors == [], errors
        finally:
            browser.close()
            cache.clear()


def translated(language: str, text: str, **values: str) -> str:
    """What the page shows an agent speaking `language`."""
    with translation.override(language):
        result = gettext(text)
    for name, value in values.items():
        result = result.replace("{" + name + "}", value)
    return result


@pytest.fixture
def conversation_id(asgi_live_server: LiveServer, api_inbox: Inbox) -> int:
    # Before the browsers start: Playwright's event loop in this thread would stop the
    # ingest's realtime push.
    return ingest(api_inbox, inbound("order-1", "Mon colis n'est toujours pas arrivé.")).conversation_id


def test_two_agents_see_each_other_and_the_second_sender_is_warned(
    conversation_id: int, asgi_live_server: LiveServer, two_pages: tuple[Any, Any],
    agent: User, other_agent: User,
) -> None:
    from playwright.sync_api import expect

    server = asgi_live_server
    bob, carol = two_pages
    User.objects.filter(pk=other_agent.pk).update(language=Language.ENGLISH)
    conversation_url = f"{server.url}{reverse('web:conversation', args=[conversation_id])}"

    log_in(bob, server, "bob@example.com", "pw-bob-123")
    log_in(carol, server, "carol@example.com", "pw-carol-123")
    for page in (bob, carol):
        page.goto(conversation_url)
        wait_until_live(page)

    # Each sees the other in the conversation header.
    expect(bob.locator("#conversation-viewers")).to_have_text(
        translated("fr", "{names} is also viewing", names="Carol Agent")
    )
    expect(carol.locator("#conversation-viewers")).to_have_text("Bob Agent is also viewing")

    # Bob starts an answer: Carol sees it.
    bob.locator("#reply-text").press_sequentially("Je vérifie auprès du transporteur")
    expect(carol.locator("#agent-typing")).to_have_text("Bob Agent is typing a reply…")
    screenshot(carol, "collision-typing-en")

    # Carol writes a note, then a reply she sends first.
    carol.click("#composer-tab-note")
    carol.locator("#reply-text").press_sequentially("Colis bloqué")
    expect(bob.locator("#agent-typing")).to_have_text(
        translated("fr", "{name} is typing a note…", name="Carol Agent")
    )
    screenshot(bob, "collision-viewing-fr")
    carol.locator("#reply-text").fill("")
    carol.locator("#reply-text").dispatch_event("input")
    carol.click("#composer-tab-reply")
    carol.locator("#reply-text").press_sequentially("Your parcel left the depot this morning.")
    expect(bob.locator("#agent-typing")).to_have_text(
        translated("fr", "{name} is typing a reply…", name="Carol Agent")
    )
    carol.locator("#reply-text").press("Control+Enter")
    expect(carol.locator("#timeline")).to_contain_text("Your parcel left the depot this morning.")
    # Sent: she no longer types, and her reply reaches Bob's open timeline.
    expect(bob.locator("#agent-typing")).to_have_text("")
    expect(bob.locator("#timeline")).to_contain_text("Your parcel left the depot this morning.")

    # Bob, who began before her reply arrived, sends: held back, his text kept.
    bob.locator("#reply-text").press("Control+Enter")
    warning = bob.locator("#reply-warning")
    expect(warning).to_contain_text("Carol Agent")
    expect(warning).to_contain_text("Your parcel left the depot this morning.")
    expect(bob.locator("#reply-text")).to_have_value("Je vérifie auprès du transporteur")
    assert not Message.objects.filter(text="Je vérifie auprès du transporteur").exists()
    screenshot(bob, "collision-warning-fr")

    # Meanwhile Carol starts a follow-up; then Bob sends anyway.
    carol.locator("#reply-text").press_sequentially("Anything else I can do?")
    send_anyway = bob.get_by_role("button", name=translated("fr", "Send anyway"))
    send_anyway.click()
    expect(bob.locator("#timeline")).to_contain_text("Je vérifie auprès du transporteur")
    expect(warning).to_be_empty()
    expect(bob.locator("#reply-text")).to_have_value("")

    # Carol, in turn, is warned about Bob's reply, in English.
    expect(carol.locator("#timeline")).to_contain_text("Je vérifie auprès du transporteur")
    carol.locator("#reply-text").press("Control+Enter")
    carol_warning = carol.locator("#reply-warning")
    expect(carol_warning).to_contain_text(
        re.compile(r"Bob Agent replied (just now|\d+ seconds? ago):")
    )
    expect(carol_warning).to_contain_text("Je vérifie auprès du transporteur")
    screenshot(carol, "collision-warning-en")
    carol.get_by_role("button", name="Send anyway").click()
    expect(carol.locator("#timeline")).to_contain_text("Anything else I can do?")

    sent = Message.objects.filter(
        conversation_id=conversation_id, direction=Direction.OUTGOING
    )
    assert sorted(sent.values_list("author__email", "text")) == [
        ("bob@example.com", "Je vérifie auprès du transporteur"),
        ("carol@example.com", "Anything else I can do?"),
        ("carol@example.com", "Your parcel left the depot this morning."),
    ]

    # Carol leaves the conversation: she is gone from Bob's header.
    carol.goto(f"{server.url}/")
    expect(bob.locator("#conversation-viewers")).to_be_hidden()
