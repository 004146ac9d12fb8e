"""The "/" menu of the reply box in a real browser: a macro fills the reply and sets the
label, a canned reply is inserted rendered, the keyboard drives it all.
Screenshots of the open menu (French and English) go to test-artifacts/."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Label
from omnicanal.routing.models import CannedReply, Macro
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot

pytestmark = BROWSER_MARKS


def test_an_agent_applies_a_macro_and_inserts_a_canned_reply_with_the_keyboard(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, api_inbox: Inbox
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    conversation_id = ingest(
        api_inbox, inbound("m-1", "Je voudrais être remboursée de ma commande 1234.")
    ).conversation_id
    # Labels are curated by supervisors: a macro's label exists before the macro.
    Label.objects.create(name="remboursement")
    CannedReply.objects.create(
        shortcut="livraison", title="Délai de livraison",
        text="Votre colis arrive demain. {{agent.first_name}}",
    )
    CannedReply.objects.create(shortcut="merci", title="Remerciements", text="Merci !")
    Macro.objects.create(
        shortcut="remboursement", name="Remboursement accepté",
        actions=[
            {"type": "reply",
             "text": "Bonjour {{contact.first_name}}, votre remboursement est lancé."},
            {"type": "add_label", "name": "remboursement"},
            {"type": "set_priority", "priority": 2},
        ],
    )

    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    page.goto(f"{asgi_live_server.url}/conversations/{conversation_id}/")
    box = page.locator("#reply-text")
    menu = page.get_by_role("listbox")

    box.click()
    box.press_sequentially("/")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("option")).to_have_count(3)
    box.press_sequentially("remb")
    expect(menu.get_by_role("option")).to_have_count(1)
    expect(box).to_have_attribute("aria-activedescendant", "composer-option-0")
    screenshot(page, "composer-menu-fr")
    box.press("Enter")

    expect(box).to_have_value("Bonjour Jeanne, votre remboursement est lancé.")
    expect(menu).to_be_hidden()
    live = page.locator("#conversation-live")
    expect(live.locator(".activity").filter(has_text="remboursement")).to_have_count(1)
    conversation = Conversation.objects.get(pk=conversation_id)
    assert list(conversation.labels.values_list("name", flat=True)) == ["remboursement"]
    assert conversation.priority == 2
    assert not conversation.messages.filter(direction="outgoing").exists()

    # A canned reply, chosen with the arrows among those matching "i" (livraison, merci).
    box.press_sequentially(" /i")
    expect(menu.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(menu.get_by_role("option", selected=True)).to_contain_text("/livraison")
    box.press("Enter")
    expect(box).to_have_value(
        "Bonjour Jeanne, votre remboursement est lancé. Votre colis arrive demain. Bob"
    )

    # Escape closes the menu and leaves the agent in the box, text untouched.
    box.press_sequentially(" /")
    expect(menu).to_be_visible()
    box.press("Escape")
    expect(menu).to_be_hidden()
    expect(box).to_be_focused()

    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    page.reload()
    box.click()
    box.press_sequentially("/")
    expect(menu.get_by_role("option").first).to_contain_text("Canned reply")
    screenshot(page, "composer-menu-en")
