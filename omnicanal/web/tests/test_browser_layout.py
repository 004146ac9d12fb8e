"""The workspace's three panes as an agent sees them (issue 14's layout bar), at 1440x900 and
1024x768, in French and English: a dozen list rows or more on a desktop screen, the messages
taking most of the height, nothing sticking out sideways, the top bar on one line, and the
list staying in place while conversations open beside it (htmx, URL pushed, Back works).
The measured shares are written to test-artifacts/layout.json for docs and reviews.
"""

from __future__ import annotations

import json
import re
from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import ThreadHints
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Label, Priority
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    wait_until_live,
)
from omnicanal.web.tests.test_browser_screenshots import OVERFLOW_JS

pytestmark = BROWSER_MARKS

WINDOWS = [(1440, 900), (1024, 768)]
# The bar: the share of the window's height the messages get.
TIMELINE_SHARE = {1440: 0.60, 1024: 0.45}

# Rows of the list wholly inside its scrolling region (what the agent sees without scrolling).
VISIBLE_ROWS_JS = """() => {
  const region = document.getElementById("conversation-list").getBoundingClientRect();
  return [...document.querySelectorAll(".conversation-row")].filter((row) => {
    const box = row.getBoundingClientRect();
    return box.top >= region.top - 1 && box.bottom <= Math.min(region.bottom, innerHeight) + 1;
  }).length;
}"""

# The top bar's items, and whether they all sit on one line.
TOP_BAR_JS = """() => {
  const bar = document.querySelector("body > header.topbar");
  const items = [...bar.children].filter((item) => item.checkVisibility() &&
    getComputedStyle(item).position !== "absolute");
  const middles = items.map((item) => {
    const box = item.getBoundingClientRect();
    return Math.round(box.top + box.height / 2);
  });
  return {height: bar.getBoundingClientRect().height,
          spread: Math.max(...middles) - Math.min(...middles),
          right: Math.max(...items.map((item) => item.getBoundingClientRect().right)),
          width: document.documentElement.clientWidth};
}"""

PANES_JS = """() => {
  const visible = (selector) => {
    const element = document.querySelector(selector);
    return !!element && element.checkVisibility() && element.getBoundingClientRect().width > 0;
  };
  const height = (selector) => {
    const element = document.querySelector(selector);
    return element ? Math.round(element.getBoundingClientRect().height) : 0;
  };
  const composer = document.querySelector(".conversation-main > .composer");
  return {list: visible(".list-pane"), conversation: visible(".conversation-main"),
          panel: visible("#contact-panel"),
          timeline: height("#timeline") / innerHeight,
          heights: {top_bar: height("body > header"),
                    header: height(".conversation-header"), timeline: height("#timeline"),
                    composer: height(".conversation-main > .composer")},
          composer_bottom: composer ? composer.getBoundingClientRect().bottom : null,
          window: innerHeight};
}"""


def seed_conversations(agent: User) -> int:
    """Twenty-four conversations on every kind of channel, some with labels, priorities,
    assignees; returns the id of one with a long history."""
    inboxes = [
        Inbox.objects.create(name=f"Support {kind.label}", channel=kind) for kind in ChannelKind
    ]
    label = Label.objects.create(name="Livraison", color="#2563eb")
    names = ["Jeanne Martin", "Paul Durand", "Amélie Roux", "Karim Benali", "Sofia Rossi",
             "Lucas Petit", "Chloé Bernard", "Hugo Moreau", "Inès Fontaine", "Yanis Girard",
             "Léa Lambert", "Noah Faure"]
    for index in range(24):
        inbox = inboxes[index % len(inboxes)]
        name = names[index % len(names)]
        result = ingest(inbox, inbound(
            f"seed-{index}",
            f"Bonjour, ma commande {4400 + index} n'est toujours pas arrivée, pouvez-vous "
            "vérifier auprès du transporteur ?",
            email=f"client{index}@example.fr", name=name,
            thread=ThreadHints(subject=f"Commande {4400 + index} en retard"),
        ))
        if index % 3 == 0:
            actions.assign(agent, result.conversation_id, assignee_id=agent.pk)
        if index % 4 == 1:
            actions.add_label(agent, result.conversation_id, label.pk)
        if index % 5 == 2:
            actions.set_priority(agent, result.conversation_id, Priority.HIGH)
    long = ingest(inboxes[1], inbound("long-0", "Première question.",
                                      email="long@example.fr", name="Marie Long"))
    for index in range(1, 12):
        ingest(inboxes[1], inbound(f"long-{index}", f"Message {index} de la discussion.",
                                   email="long@example.fr", name="Marie Long"))
    return long.conversation_id


def test_the_workspace_keeps_the_list_beside_the_conversation_at_both_sizes(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    long_id = seed_conversations(agent)
    measured: dict[str, Any] = {}
    problems: list[str] = []

    for language in in_each_language(page, server, agent, "pw-bob-123"):
        for width, height in WINDOWS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{server.url}/")
            wait_until_live(page)
            where = f"{language} {width}x{height}"
            rows = page.evaluate(VISIBLE_ROWS_JS)
            measured[f"{where} list rows visible"] = rows
            if width == 1440:
                assert rows >= 12, f"{where}: {rows} rows visible"
            bar = page.evaluate(TOP_BAR_JS)
            assert bar["spread"] <= 4 and bar["height"] <= 56, f"{where}: top bar {bar}"
            assert bar["right"] <= bar["width"], f"{where}: top bar {bar}"
            problems += [f"{where} list: {item}" for item in page.evaluate(OVERFLOW_JS)]
            page.screenshot(path=str(ARTIFACTS / f"layout-list-{language}-{width}.png"))

            page.goto(f"{server.url}/conversations/{long_id}/")
            wait_until_live(page)
            panes = page.evaluate(PANES_JS)
            measured[f"{where} timeline share"] = round(panes["timeline"], 3)
            measured[f"{where} heights"] = panes["heights"]
            # The column: the composer sits at the bottom of the window and the timeline takes
            # whatever the header and the composer leave, at least the share.
            assert panes["timeline"] >= TIMELINE_SHARE[width], f"{where}: {panes}"
            assert abs(panes["composer_bottom"] - panes["window"]) <= 1, f"{where}: {panes}"
            heights = panes["heights"]
            assert heights["timeline"] >= panes["window"] - sum(
                value for key, value in heights.items() if key != "timeline") - 4, heights
            # Three panes on a wide screen; the customer in a drawer on a laptop.
            assert (panes["list"], panes["conversation"], panes["panel"]) == (
                True, True, width >= 1280), f"{where}: {panes}"
            problems += [f"{where} conversation: {item}" for item in page.evaluate(OVERFLOW_JS)]
            page.screenshot(path=str(ARTIFACTS / f"layout-conversation-{language}-{width}.png"))
            if width < 1280:
                page.locator("[data-toggle-contact-panel]").click()
                expect(page.locator("#contact-panel")).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / f"layout-drawer-{language}-{width}.png"))
                page.locator("[data-toggle-contact-panel]").click()
                expect(page.locator("#contact-panel")).to_be_hidden()
            problems += [f"{where} {item}" for item in accessibility_problems(page, "conversation")]
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{server.url}/")
        wait_until_live(page)
        problems += [f"{language} {item}" for item in accessibility_problems(page, "list")]

    ARTIFACTS.mkdir(exist_ok=True)
    measured["bar"] = TIMELINE_SHARE
    (ARTIFACTS / "layout.json").write_text(json.dumps(measured, indent=2, ensure_ascii=False))
    assert problems == [], "\n".join(problems)

    # Opening conversations keeps the list: the same element, the URL of the conversation,
    # its row marked; j/k move through the list and open the next one.
    page.evaluate("() => { window.keptList = document.querySelector('.list-pane'); }")
    second = page.locator(".conversation-row").nth(1)
    second_id = second.get_attribute("data-conversation-id")
    second.locator(".row-contact").click()
    page.wait_for_url(re.compile(rf"/conversations/{second_id}/"))
    expect(page.locator("#conversation-live")).to_have_attribute(
        "data-conversation-id", str(second_id))
    assert page.evaluate("() => window.keptList === document.querySelector('.list-pane')")
    expect(second).to_have_class(re.compile(r"\bis-open\b"))
    page.keyboard.press("j")
    third_id = page.locator(".conversation-row").nth(2).get_attribute("data-conversation-id")
    page.wait_for_url(re.compile(rf"/conversations/{third_id}/"))
    expect(page.locator(".conversation-row.is-open")).to_have_attribute(
        "data-conversation-id", str(third_id))
    page.keyboard.press("k")
    page.wait_for_url(re.compile(rf"/conversations/{second_id}/"))
    assert page.evaluate("() => window.keptList === document.querySelector('.list-pane')")

    # Back returns to the conversation before, rendered whole from its URL, its row marked.
    page.go_back()
    page.wait_for_url(re.compile(rf"/conversations/{third_id}/"))
    expect(page.locator(".conversation-row.is-open")).to_have_attribute(
        "data-conversation-id", str(third_id))
    expect(page.locator("#conversation-live")).to_have_attribute(
        "data-conversation-id", str(third_id))

    # A conversation opened in place works as on its own page: a reply goes out and shows.
    fifth = page.locator(".conversation-row").nth(4)
    fifth_id = fifth.get_attribute("data-conversation-id")
    fifth.locator(".row-contact").click()
    page.wait_for_url(re.compile(rf"/conversations/{fifth_id}/"))
    expect(page.locator("#conversation-live")).to_have_attribute("data-conversation-id",
                                                                 str(fifth_id))
    page.fill("#reply-text", "Bonjour, je regarde tout de suite.")
    page.locator("#reply-text").press("Control+Enter")
    expect(page.locator("#timeline")).to_contain_text("Bonjour, je regarde tout de suite.")
    expect(page.locator("#reply-text")).to_have_value("")
