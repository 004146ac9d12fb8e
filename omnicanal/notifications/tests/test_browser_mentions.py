"""A mention notifies, in two real browsers: Bob mentions Carol in a note; Carol's bell
counts it live, takes her to the conversation, and her "mentions" list holds it.

Screenshots of the open notification list (French and English) go to test-artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.notifications.models import Notification
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot, wait_until_live

pytestmark = BROWSER_MARKS

# The browser's Notification API and page visibility, as Carol's browser would have them with
# the workspace in a background tab: what our script asks for and shows is recorded.
FAKE_BACKGROUND_TAB = """
window.__asked = 0;
window.__pops = [];
Object.defineProperty(Document.prototype, "hidden", { get: () => true, configurable: true });
class RecordedNotification {
  constructor(title, options) { window.__pops.push({ title, ...options }); }
  addEventListener() {}
  close() {}
  static requestPermission() {
    window.__asked += 1;
    RecordedNotification.permission = "granted";
    return Promise.resolve("granted");
  }
}
RecordedNotification.permission = "default";
window.Notification = RecordedNotification;
"""


def test_a_mention_notifies_the_colleague_live_and_lists_the_conversation(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, other_agent: User
) -> None:
    from playwright.sync_api import expect

    server = asgi_live_server
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    conversation_id = ingest(
        shop, inbound("m-1", "Ma commande 4417 n'est pas arrivée.", name="Jeanne Martin")
    ).conversation_id
    conversation_url = f"{server.url}{reverse('web:conversation', args=[conversation_id])}"

    # Carol, in a browser of her own, on her conversation list.
    context = playwright_page.context.browser.new_context(
        viewport={"width": 1360, "height": 860}, locale="fr-FR"
    )
    carol = context.new_page()
    carol.set_default_timeout(5000)
    carol_errors: list[str] = []
    carol.on("pageerror", lambda error: carol_errors.append(str(error)))
    context.add_init_script(FAKE_BACKGROUND_TAB)
    log_in(carol, server, "carol@example.com", "pw-carol-123")
    count = carol.locator("#notification-count")
    expect(count).to_be_hidden()
    # Never asked on page load; asked once when she clicks the button in the dropdown.
    assert carol.evaluate("window.__asked") == 0
    carol.locator("#notification-bell").click()
    panel = carol.locator("#notification-panel")
    expect(panel.locator(".notification-item")).to_have_count(0)
    enable = panel.locator("[data-enable-browser-notifications]")
    enable.click()
    expect(enable).to_be_hidden()
    assert carol.evaluate("window.__asked") == 1
    carol.keyboard.press("Escape")

    # Bob writes a note, choosing Carol from the suggestions with the keyboard.
    bob = playwright_page
    log_in(bob, server, "bob@example.com", "pw-bob-123")
    bob.goto(conversation_url)
    wait_until_live(bob)
    bob.click("#composer-tab-note")
    note = bob.locator("#reply-text")
    note.press_sequentially("@car")
    suggestion = bob.locator("#mention-suggestions").get_by_role("option", name="Carol Agent")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    expect(note).to_have_attribute("aria-activedescendant", re.compile(r"^mention-option-"))
    note.press("Enter")
    expect(bob.locator("#mention-suggestions")).to_be_hidden()
    note.press_sequentially("peux-tu rappeler la cliente ?")
    expect(note).to_have_value("@Carol Agent peux-tu rappeler la cliente ?")
    note.press("Control+Enter")
    expect(bob.locator("#timeline mark.mention")).to_have_text("@Carol Agent")

    # Carol's bell and her mentions tab count it without a reload.
    expect(count).to_be_visible()
    expect(count).to_have_attribute("data-unread-count", "1")
    mentions_tab = carol.locator("#view-tabs a[href*='view=mentions']")
    expect(mentions_tab.locator("[data-count]")).to_have_text("1")

    # Her tab is in the background: the desktop shows it too.
    [pop] = carol.evaluate("window.__pops")
    assert pop["title"] == "Omnicanal"
    assert "Bob Agent" in pop["body"] and f"n° {conversation_id}" in pop["body"]
    assert pop["tag"] == f"omnicanal-conversation-{conversation_id}"

    carol.locator("#notification-bell").click()
    unread = panel.locator(".notification-item.is-unread")
    expect(unread).to_contain_text("Bob Agent")
    expect(unread).to_contain_text(f"n° {conversation_id}")
    screenshot(carol, "notifications-open-fr")

    panel.locator(".notification-open").first.click()
    carol.wait_for_url(conversation_url)
    wait_until_live(carol)
    expect(carol.locator("#timeline mark.mention")).to_have_text("@Carol Agent")
    expect(count).to_be_hidden()
    assert Notification.objects.get(recipient=other_agent).read_at is not None

    carol.goto(f"{server.url}{reverse('web:conversations')}?view=mentions")
    rows = carol.locator(".conversation-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-conversation-id", str(conversation_id))

    User.objects.filter(pk=other_agent.pk).update(language=Language.ENGLISH)
    carol.reload()
    wait_until_live(carol)
    carol.locator("#notification-bell").click()
    expect(panel.locator(".notification-item")).to_have_count(1)
    expect(panel.locator(".notification-item")).to_contain_text(
        f"Bob Agent mentioned you in conversation #{conversation_id}"
    )
    expect(panel.get_by_role("link", name="Notification preferences")).to_be_visible()
    screenshot(carol, "notifications-open-en")

    # Escape closes the dropdown and gives the focus back to the bell.
    carol.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(carol.locator("#notification-bell")).to_be_focused()
    context.close()
    assert carol_errors == []
