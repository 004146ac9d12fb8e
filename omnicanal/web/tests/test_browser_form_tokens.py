"""The composer's one-time token in a real browser: renewed after each sent message, so the
next one posts; kept when the same message is submitted again."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Direction, Inbox, Message
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, wait_until_live

pytestmark = BROWSER_MARKS


def test_each_reply_and_note_gets_a_new_token_and_a_double_submit_posts_once(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    conversation_id = ingest(shop, inbound("m-1", "Ma commande 4417 ?")).conversation_id
    log_in(page, server, "bob@example.com", "pw-bob-123")
    page.goto(f"{server.url}/conversations/{conversation_id}/")
    wait_until_live(page)
    reply_token = page.locator(".reply-form input[name=idempotency_key]")
    first_token = reply_token.input_value()

    page.fill("#reply-text", "Première réponse.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#timeline")).to_contain_text("Première réponse.")
    expect(reply_token).not_to_have_value(first_token)

    page.fill("#reply-text", "Seconde réponse.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#timeline")).to_contain_text("Seconde réponse.")

    # The same form posted twice before its answer came back (a double click, a retry):
    # both requests carry one token, and one note is stored.
    page.click("#composer-tab-note")
    page.fill("#reply-text", "Note unique.")
    page.evaluate("""() => {
        const form = document.querySelector('form[data-composer]');
        const body = new FormData(form);
        const headers = {'X-CSRFToken': body.get('csrfmiddlewaretoken'), 'HX-Request': 'true'};
        return Promise.all([1, 2].map(() =>
            fetch(form.action, {method: 'POST', body, headers}).then(r => r.status)));
    }""")
    page.reload()
    expect(page.locator("#timeline")).to_contain_text("Note unique.")

    texts = list(Message.objects.filter(conversation_id=conversation_id)
                 .exclude(direction__in=[Direction.INCOMING, Direction.ACTIVITY])
                 .values_list("text", flat=True))
    assert texts == ["Première réponse.", "Seconde réponse.", "Note unique."]
