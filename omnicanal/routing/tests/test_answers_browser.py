"""Settings → Answers in a real browser: a supervisor working in French writes a canned reply,
and an agent finds it at once in the "/" menu of a conversation's reply box.
Screenshots of the Answers page (French and English) go to test-artifacts/."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Label
from omnicanal.routing.models import AutomationRule, CannedReply, Macro
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot, wait_until_live

pytestmark = BROWSER_MARKS


def test_a_supervisor_writes_a_canned_reply_and_an_agent_finds_it_in_the_reply_box(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User, agent: User,
    api_inbox: Inbox,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    conversation_id = ingest(api_inbox, inbound("m-1", "Où en est mon colis ?")).conversation_id
    Label.objects.create(name="livraison")
    Macro.objects.create(shortcut="suivi", name="Suivi de colis", actions=[
        {"type": "reply", "text": "Voici le suivi de votre colis."},
        {"type": "add_label", "name": "livraison"},
    ])
    AutomationRule.objects.create(name="Urgences", trigger="message_received",
                                  actions=[{"type": "set_priority", "priority": 1}])
    answers_url = reverse("routing:answers")

    log_in(page, asgi_live_server, "sup@example.com", "pw-sup-123")
    page.locator('.topnav a[href="/settings/"]').click()
    page.locator(f'.settings-nav a[href="{answers_url}"]').click()
    page.locator(f'a[href="{reverse("routing:canned_new")}"]').click()
    page.fill("#id_shortcut", "delai")
    page.fill("#id_title", "Délai de livraison")
    # A misspelt variable is refused next to the text box, which keeps what was typed.
    page.fill("#id_text", "Bonjour {{contact.prenom}}")
    page.locator(".answers-form button[type=submit]").click()
    expect(page.locator("#id_text-error")).to_contain_text("{{contact.prenom}}")
    expect(page.locator(".answers-variables")).to_contain_text("{{contact.first_name}}")
    screenshot(page, "answers-form-fr")
    assert not CannedReply.objects.exists()
    page.fill("#id_text", "Bonjour {{contact.first_name|à vous}}, votre colis arrive demain.")
    page.locator(".answers-form button[type=submit]").click()

    page.wait_for_url(f"{asgi_live_server.url}{answers_url}")
    expect(page.locator("#canned-replies")).to_contain_text("/delai")
    expect(page.locator("#canned-replies")).to_contain_text("Délai de livraison")
    expect(page.locator("#macros")).to_contain_text("/suivi")
    expect(page.locator("#rules")).to_contain_text("Urgences")
    expect(page.locator(f'.settings-nav a[href="{answers_url}"]')).to_have_attribute(
        "aria-current", "page")
    screenshot(page, "answers-fr")
    User.objects.filter(pk=supervisor.pk).update(language=Language.ENGLISH)
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Answers")
    screenshot(page, "answers-en")

    page.locator(".account-button").click()
    page.locator(".account-logout").click()
    page.wait_for_url("**/login/**")
    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    page.goto(f"{asgi_live_server.url}/conversations/{conversation_id}/")
    wait_until_live(page)
    box = page.locator("#reply-text")
    menu = page.get_by_role("listbox")
    box.click()
    box.press_sequentially("/del")
    expect(menu.get_by_role("option")).to_have_count(1)
    expect(menu.get_by_role("option")).to_contain_text("/delai")
    box.press("Enter")
    expect(box).to_have_value("Bonjour Jeanne, votre colis arrive demain.")

    assert CannedReply.objects.get(shortcut="delai").title == "Délai de livraison"
    # Agents do not see the link to the settings.
    expect(page.locator('.topnav a[href="/settings/"]')).to_have_count(0)
