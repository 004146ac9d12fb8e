"""The copilot tab in a real browser, in French then in English: beside the customer panel,
it shows the summary of a long conversation and the article answering the customer; "Insert"
and "Suggest a reply" fill the composer and send nothing. Screenshots at 1440x900 (a column
beside the timeline) and 1024x768 (the right drawer) go to test-artifacts/copilot/."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from omnicanal.accounts.models import User
from omnicanal.assistant.tests.test_copilot import REFUND_BODY, article
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Message, Status
from omnicanal.testing.live_server import (
    LiveServer,
    asgi_live_server,  # noqa: F401 (fixture)
)
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    playwright_page,  # noqa: F401 (fixture)
    wait_until_live,
)

pytestmark = BROWSER_MARKS

WINDOWS = [(1440, 900), (1024, 768)]
TURNS = [
    ("customer", "Bonjour, ma commande 4417 est arrivée cassée, je voudrais un remboursement."),
    ("agent", "Bonjour, je suis désolé. Pouvez-vous envoyer une photo du colis abîmé ?"),
    ("customer", "Voici la photo du carton écrasé et du vase cassé."),
    ("agent", "Merci. Le transporteur a bien abîmé le colis, je regarde ce qui est possible."),
    ("customer", "Dois-je renvoyer le vase cassé ?"),
    ("agent", "Non, vous pouvez le garder, inutile de le renvoyer."),
    ("customer", "D'accord. Et pour le remboursement ?"),
    ("agent", "Je vérifie avec le service comptable et je reviens vers vous."),
    ("customer", "Comment obtenir le remboursement de ma commande, et combien de jours faut-il ?"),
]


def _conversation(inbox: Inbox, agent: User) -> int:
    conversation_id = 0
    for number, (who, text) in enumerate(TURNS):
        if who == "agent":
            actions.reply(agent, conversation_id, text)
        else:
            conversation_id = ingest(inbox, inbound(f"b{number}", text)).conversation_id
    actions.assign(agent, conversation_id, assignee_id=agent.pk)
    return conversation_id


def test_the_copilot_suggests_an_article_and_fills_the_composer_without_sending(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, api_inbox: Inbox  # noqa: F811
) -> None:
    page = playwright_page
    server = asgi_live_server
    article("Remboursement d'une commande",
            REFUND_BODY + " Combien de jours faut-il ? Comptez 5 jours ouvrés.")
    conversation_id = _conversation(api_inbox, agent)
    sent_before = Message.objects.filter(conversation_id=conversation_id).count()
    folder = ARTIFACTS / "copilot"
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    for language in in_each_language(page, server, agent, "pw-bob-123"):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{server.url}/conversations/{conversation_id}/")
        wait_until_live(page)
        page.evaluate("window.localStorage.removeItem('omnicanal.side-tab')")
        copilot_tab = page.locator("#side-tab-copilot")
        expect(copilot_tab).to_contain_text("Copilote" if language == "fr" else "Copilot")
        # The count of suggestions shows on the tab before it is opened (the first panel
        # loads the sentence encoder for the summary: a few seconds).
        expect(page.locator("#copilot-count")).to_have_text("1", timeout=60_000)
        copilot_tab.click()
        expect(copilot_tab).to_have_attribute("aria-selected", "true")
        expect(page.locator("#contact-panel")).to_be_hidden()
        suggestion = page.locator(".copilot-suggestion").first
        expect(suggestion).to_contain_text("Remboursement d'une commande")
        summary = page.locator(".copilot-summary")
        expect(summary).to_be_visible()
        summary.locator("summary").click()
        expect(summary).to_contain_text("ma commande 4417 est arrivée cassée")

        for width, height in WINDOWS:
            page.set_viewport_size({"width": width, "height": height})
            if width < 1280:
                # The right column is a drawer there: its tabs head it.
                page.locator("[data-toggle-contact-panel]").click()
                expect(page.locator(".copilot-panel")).to_be_visible()
            page.screenshot(path=str(folder / f"{language}-{width}.png"))
            if width < 1280:
                page.locator("[data-toggle-contact-panel]").click()
        page.set_viewport_size({"width": 1440, "height": 900})
        problems += accessibility_problems(page, f"copilot ({language})")

        # Insert: the passage and its link go into the composer.
        composer = page.locator("#reply-text")
        composer.fill("")
        suggestion.locator("[data-copilot-insert]").click()
        expect(composer).to_have_value(
            re.compile(r"Remboursement d'une commande: .*/remboursement-dune-commande"))
        expect(page.locator("#copilot-status")).not_to_be_empty()

        # Suggest a reply: the composer is filled, nothing is sent.
        composer.fill("")
        page.locator("[data-copilot-reply]").click()
        expect(composer).to_have_value(re.compile(r"5 jours ouvrés"))
        composer.fill("")
        # Back to the customer tab: the customer panel is there again.
        page.locator("#side-tab-customer").click()
        expect(page.locator("#contact-panel")).to_be_visible()
        expect(page.locator(".copilot-panel")).to_be_hidden()

    assert Message.objects.filter(conversation_id=conversation_id).count() == sent_before

    # Opened from the list (a fragment swapped in by htmx), the copilot loads again, on the
    # tab the agent last chose; resolved, it offers to make an article draft.
    page.locator("#side-tab-copilot").click()
    page.goto(f"{server.url}/")
    wait_until_live(page)
    page.locator(f"[data-conversation-id='{conversation_id}'] .row-contact").first.click()
    expect(page.locator("#side-tab-copilot")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".copilot-suggestion").first).to_contain_text("Remboursement")
    expect(page.locator("#copilot-draft-button")).to_have_count(0)
    actions.set_status(agent, conversation_id, Status.RESOLVED)
    page.goto(f"{server.url}/conversations/{conversation_id}/")
    wait_until_live(page)
    expect(page.locator("#copilot-draft-button")).to_be_visible()
    page.screenshot(path=str(folder / "en-resolved-1440.png"))
    problems += accessibility_problems(page, "copilot, resolved")
    assert problems == [], problems
