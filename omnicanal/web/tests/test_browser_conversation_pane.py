"""The conversation pane as an agent uses it, in French then in English: the header's menus
(assign, label, snooze, resolve) act without a page load, keep the keyboard's focus where it
belongs, and the history of the contact's other conversations opens block by block."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from playwright.sync_api import expect

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import ThreadHints
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Label, Message
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    wait_until_live,
)

pytestmark = BROWSER_MARKS

WINDOWS = [(1440, 900), (1024, 768)]

# What the pane measures: the share of the window the messages get, the header's height.
MEASURE_JS = """() => {
  const box = (selector) => document.querySelector(selector).getBoundingClientRect();
  return {
    timeline: Math.round(box("#timeline").height),
    header: Math.round(box("#conversation-header").height),
    window: window.innerHeight,
  };
}"""


def _age(conversation_id: int, days: int) -> None:
    """Move a conversation's messages `days` back, keeping their order and spacing."""
    shift = dt.timedelta(days=days)
    for message in Message.objects.filter(conversation_id=conversation_id):
        Message.objects.filter(pk=message.pk).update(created_at=message.created_at - shift)


def _history(agent: User, colleague: User) -> int:
    """Jeanne's shop conversation, with two older ones on e-mail that ran side by side (the
    case that used to interleave into a jumble of headers)."""
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    mail = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL,
                                settings={"from_address": "support@omnicanal.example"})
    app = Inbox.objects.create(name="Application", channel=ChannelKind.API)
    for turn in range(3):
        ingest(mail, inbound(f"e-{turn}", f"Facture de mars : relance {turn}",
                             thread=ThreadHints(subject="Facture de mars")))
        ingest(app, inbound(f"a-{turn}", f"Retour d'un article : relance {turn}"))
    for conversation in Conversation.objects.filter(inbox__in=[mail, app]):
        _age(conversation.pk, 9)
    current = ingest(shop, inbound("m-1", "Bonjour, ma commande 4417 n'est pas arrivée."))
    conversation_id = current.conversation_id
    ingest(shop, inbound("m-2", "Le suivi indique « en transit » depuis lundi."))
    actions.assign(agent, conversation_id, assignee_id=agent.pk)
    first = actions.reply(agent, conversation_id, "Bonjour Jeanne, je regarde tout de suite.")
    second = actions.reply(agent, conversation_id, "Le transporteur confirme un retard.")
    actions.add_note(agent, conversation_id, "Proposer un geste si le colis est perdu.")
    _age(conversation_id, 1)
    ingest(shop, inbound("m-3", "Merci, je patiente alors."))
    failed = actions.reply(agent, conversation_id, "Voici le numéro de suivi : 8842.")
    Message.objects.filter(pk=first.pk).update(delivery_status="read")
    Message.objects.filter(pk=second.pk).update(delivery_status="delivered")
    Message.objects.filter(pk=failed.pk).update(
        delivery_status="failed", failure_reason="The customer's app was uninstalled.")
    Label.objects.create(name="Livraison")
    Label.objects.create(name="Remboursement")
    team = Team.objects.create(name="Transporteurs")
    team.members.add(agent, colleague)
    return conversation_id


def test_an_agent_works_a_conversation_from_the_header_menus_without_a_page_load(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, other_agent: User
) -> None:
    page = playwright_page
    server = asgi_live_server
    conversation_id = _history(agent, other_agent)
    url = f"{server.url}/conversations/{conversation_id}/"
    measures: dict[str, Any] = {}
    problems: list[str] = []

    for language in in_each_language(page, server, agent, "pw-bob-123"):
        Conversation.objects.filter(pk=conversation_id).update(
            status="open", assignee=agent, snoozed_until=None)
        page.goto(url)
        wait_until_live(page)
        folder = ARTIFACTS / "conversation-pane"
        folder.mkdir(parents=True, exist_ok=True)
        for width, height in WINDOWS:
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(folder / f"{language}-{width}.png"))
            measures[f"{language}-{width}x{height}"] = page.evaluate(MEASURE_JS)
        page.set_viewport_size({"width": 1440, "height": 900})
        problems += accessibility_problems(page, f"conversation ({language})")

        # The messages come in days, grouped by author; the other conversations are two
        # collapsed blocks, never mixed with this one's messages.
        expect(page.locator(".current-conversation .day-separator")).to_have_count(2)
        blocks = page.locator(".history-block")
        expect(blocks).to_have_count(2)
        expect(page.locator(".current-conversation")).not_to_contain_text("Facture de mars")
        expect(page.locator(".message-failed, .delivery-failed").first).to_contain_text(
            "The customer's app was uninstalled.")
        # Set by the test in the page: a page load would lose it.
        page.evaluate("window.stillTheSamePage = true")

        # Assign: the menu opens, Escape closes it and gives the focus back.
        menu_button = page.locator("#assign-menu-button")
        menu_button.click()
        expect(menu_button).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#assign-menu")).to_be_visible()
        page.screenshot(path=str(folder / f"{language}-assign-menu.png"))
        page.keyboard.press("Escape")
        expect(page.locator("#assign-menu")).to_be_hidden()
        expect(menu_button).to_be_focused()
        page.keyboard.press("Enter")
        page.locator("#assign-menu .menu-item", has_text=other_agent.name).click()
        expect(page.locator(".meta-assignee")).to_contain_text(other_agent.name)
        expect(page.locator("#assign-menu-button")).to_be_focused()

        # A label from the labels menu appears as a chip.
        page.locator("#labels-menu-button").click()
        page.locator("#labels-menu .menu-item", has_text="Livraison").click()
        expect(page.locator(".conversation-meta .label-chip")).to_contain_text("Livraison")
        # And goes away from its chip.
        page.locator(".conversation-meta .label-chip .chip-remove").click()
        expect(page.locator(".conversation-meta .label-chip")).to_have_count(0)

        # Snooze until tomorrow morning, from a preset.
        page.locator("#snooze-menu-button").click()
        page.screenshot(path=str(folder / f"{language}-snooze-menu.png"))
        page.locator("#snooze-menu .menu-item[name=until]").nth(2).click()
        expect(page.locator(".conversation-meta .status-snoozed")).to_be_visible()
        expect(page.locator(".conversation-meta .row-snoozed")).to_be_visible()

        # Resolve, then the button offers to reopen.
        page.locator("#status-button").click()
        expect(page.locator(".conversation-meta .status-resolved")).to_be_visible()
        expect(page.locator("#status-button[data-reopen]")).to_be_visible()

        # An older conversation opens in place.
        older = blocks.first
        expect(older.locator(".history-body")).to_be_hidden()
        older.locator("summary").click()
        expect(older.locator(".history-body")).to_be_visible()
        expect(older.locator(".message-incoming")).to_have_count(3)
        page.screenshot(path=str(folder / f"{language}-expanded.png"))

        # Menus open and a block expanded: still no barrier for a screen reader or keyboard.
        page.locator("#more-menu-button").click()
        problems += accessibility_problems(page, f"conversation with a menu ({language})")
        page.locator("#more-menu [data-open-dialog=export-dialog]").click()
        expect(page.locator("#export-dialog")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#more-menu-button")).to_be_focused()

        assert page.evaluate("window.stillTheSamePage") is True

    (ARTIFACTS / "conversation-pane" / "measures.json").write_text(json.dumps(measures, indent=1))
    # TODO(issue 14): the composer's scripts (routing/composer.js, notifications.js) set
    # aria-expanded on the reply and note boxes, which a textarea may not carry; the composer
    # is rebuilt in its own branch. Only that violation, on those two boxes, is let through.
    composer = ": aria-allowed-attr (critical): #reply-text; #note-text"
    problems = [problem for problem in problems if not problem.endswith(composer)]
    assert problems == [], "\n".join(problems)
    for measure in measures.values():
        # Two short rows: the messages keep the height (issue 14: header ≤ ~90 px).
        assert measure["header"] <= 90, measures
