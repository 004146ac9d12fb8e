"""The workspace for a full working day, in a real browser: merge and undo from the contact
panel, accent-free search, keyboard-only triage. Reuses the launch fixture of test_browser.

Screenshots (French and English) go to test-artifacts/ for review.
"""

from __future__ import annotations

import re
from typing import Any

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import Contact, Identity, MergeSuggestion
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot, wait_until_live

pytestmark = BROWSER_MARKS


def contacts_state() -> dict[str, Any]:
    """Everything a merge touches and its undo must put back."""
    return {
        "contacts": {
            c.pk: (c.name, c.attributes, c.value_tier, c.company_id, c.merged_into_id)
            for c in Contact.objects.all()
        },
        "identities": dict(Identity.objects.values_list("pk", "contact")),
        "conversations": dict(Conversation.objects.values_list("pk", "contact")),
        "suggestions": dict(MergeSuggestion.objects.values_list("pk", "status")),
    }


def test_an_agent_merges_a_suggested_duplicate_then_undoes_it(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    sms = Inbox.objects.create(name="SMS", channel=ChannelKind.SMS)
    first = ingest(shop, inbound("m-1", "Ma commande 4417 n'est pas arrivée.",
                                 email="jeanne@example.fr", name="Jeanne Martin"))
    # The same address, unverified, from a phone: the system suggests, never merges alone.
    ingest(sms, inbound("sms-1", "C'est Jeanne, des nouvelles du colis ?",
                        email="jeanne@example.fr", phone="+33612345678", verified=False,
                        name="J. Martin"))
    before = contacts_state()

    log_in(page, server, "bob@example.com", "pw-bob-123")
    page.goto(f"{server.url}/conversations/{first.conversation_id}/")
    wait_until_live(page)
    panel = page.locator("#contact-panel")
    expect(panel.locator(".merge-suggestion")).to_contain_text("+33 6 12 34 56 78")
    screenshot(page, "contact-suggestion-fr")

    panel.get_by_role("button", name="Fusionner J. Martin dans ce contact").click()
    expect(panel.locator(".identities")).to_contain_text("+33 6 12 34 56 78")
    expect(page.locator("#timeline")).to_contain_text("des nouvelles du colis")
    screenshot(page, "contact-merged-fr")

    panel.get_by_role("button", name="Annuler la fusion de J. Martin").click()
    expect(panel.locator(".merge-suggestion")).to_be_visible()
    expect(panel.locator(".identities")).not_to_contain_text("+33 6 12 34 56 78")

    # Both contacts exactly as before: names, attributes, identities, conversations, and the
    # suggestion offered again.
    assert contacts_state() == before


def test_search_finds_a_french_word_with_or_without_its_accents(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    ingest(shop, inbound("m-1", "Je n'ai toujours pas reçu ma commande.", name="Hélène Dupré",
                         email="helene@example.fr"))
    ingest(shop, inbound("m-2", "Le prix est trop élevé.", email="paul@example.fr",
                         name="Paul Durand"))

    log_in(page, server, "bob@example.com", "pw-bob-123")
    # "/" reaches the search box from anywhere, without the mouse.
    page.keyboard.press("/")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.type("recu")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/search/?q=recu")
    hit = page.locator(".message-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text("reçu")

    # Typing in the page's own box updates the results in place (htmx), accents or not.
    page.fill("#search-query", "élevé")
    expect(page.locator(".message-hit mark")).to_have_text("élevé")
    page.fill("#search-query", "eleve")
    expect(page.locator(".message-hit mark")).to_have_text("élevé")
    page.fill("#search-query", "helene")
    expect(page.locator(".contact-hit a mark")).to_have_text("Hélène")
    page.fill("#search-query", "reçu")
    expect(page.locator(".message-hit mark")).to_have_text("reçu")
    screenshot(page, "search-fr")

    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    page.goto(f"{server.url}/search/?q=recu")
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.locator(".message-hit mark")).to_have_text("reçu")
    screenshot(page, "search-en")


def test_an_agent_triages_five_conversations_with_the_keyboard_only(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    ids = [
        ingest(shop, inbound(f"m-{index}", f"Demande {index}", email=f"client{index}@example.fr",
                             name=f"Client {index}")).conversation_id
        for index in range(5)
    ]

    log_in(page, server, "bob@example.com", "pw-bob-123")
    rows = page.locator(".conversation-row")
    expect(rows).to_have_count(5)

    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    screenshot(page, "shortcuts-fr")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()

    # j/k move the current row; the focus follows it.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.first).to_have_class(re.compile(r"\bis-current\b"))
    expect(rows.nth(1)).not_to_have_class(re.compile(r"\bis-current\b"))
    expect(rows.first.locator(".row-contact")).to_be_focused()

    for remaining in range(5, 0, -1):
        current = page.locator(".conversation-row.is-current")
        page.keyboard.press("a")
        expect(current.locator(".row-assignee")).to_contain_text("Bob Agent")
        if remaining == 3:
            screenshot(page, "triage-fr")
        page.keyboard.press("e")
        expect(rows).to_have_count(remaining - 1)

    expect(page.locator(".empty")).to_be_visible()
    triaged = Conversation.objects.filter(pk__in=ids)
    assert {(c.status, c.assignee_id) for c in triaged} == {("resolved", agent.pk)}
    # Each change went through its action: an activity line per assignment and resolution.
    for conversation in triaged:
        assert [m.metadata["activity"] for m in conversation.messages.filter(
            direction="activity").order_by("pk")] == ["assigned", "status"]

    # The same shortcuts on the conversation page: r to the reply box, j to the next one.
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    for index in range(2):
        ingest(shop, inbound(f"n-{index}", f"Nouvelle {index}", email=f"n{index}@example.fr",
                             name=f"Nouveau {index}"))
    page.goto(f"{server.url}/")
    wait_until_live(page)
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/conversations/**")
    wait_until_live(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle 1")
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle 0")
    wait_until_live(page)
    screenshot(page, "conversation-tools-en")
    page.goto(f"{server.url}/")
    screenshot(page, "list-views-en")

