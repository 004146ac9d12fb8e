"""The main pages as an agent sees them, in French and in English (issue 8's bar): full-page
screenshots under test-artifacts/screenshots/{fr,en}/ for review, and the checks a reviewer
would otherwise make by eye on each page:

- nothing sticks out to the right of the window (no sideways scrolling);
- the landmarks a screen-reader user jumps between are there: header, nav, main;
- in French, no visible text is an English string of the catalogue left untranslated;
- in the top bar, no two links, buttons or fields overlap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import omnicanal
from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import ThreadHints
from omnicanal.contacts.models import Contact
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Label
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import ARTIFACTS, BROWSER_MARKS, in_each_language, wait_until_live

pytestmark = BROWSER_MARKS

CATALOGUE = Path(omnicanal.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SCREENSHOTS = ARTIFACTS / "screenshots"
# A desktop, then a small laptop or a tablet held sideways.
WINDOWS = [(1440, 900), (1024, 768)]
# Shorter strings are too often a word both languages share, or a symbol.
MIN_LENGTH = 4

# Every element wider than the window, unless a scrolling or clipping box holds it.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide for ${width}px`);
  }
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || !element.checkVisibility()) continue;
    let held = false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { held = true; break; }
    }
    if (!held) found.push(`${element.tagName.toLowerCase()}.${element.className} ends at ` +
                          `${Math.round(box.right)}px`);
  }
  return found;
}"""

# Visible text nodes (whitespace collapsed) that are one of the given strings.
TEXTS_JS = """(strings) => {
  const wanted = new Set(strings);
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
    const parent = walker.currentNode.parentElement;
    // Text marked as another language (the "English" of a language switcher) is meant; the
    // page's own language (<html lang>) is not such a mark.
    const language = parent && parent.closest("[lang]");
    if (language && language !== document.documentElement && !language.lang.startsWith("fr")) {
      continue;
    }
    if (wanted.has(text) && parent && parent.checkVisibility()) found.push(text);
  }
  for (const field of document.querySelectorAll("[placeholder]")) {
    if (wanted.has(field.placeholder) && field.checkVisibility()) found.push(field.placeholder);
  }
  return found;
}"""

# Pairs of the top bar's interactive elements whose boxes overlap.
OVERLAPS_JS = """(selector) => {
  const bar = document.querySelector(selector);
  const items = [...bar.querySelectorAll("a, button, input, select, textarea, [tabindex]")]
    .filter((item) => item.checkVisibility() && item.getBoundingClientRect().width > 0);
  const name = (item) => `${item.tagName.toLowerCase()} "${(item.textContent ||
    item.getAttribute("aria-label") || item.name || "").trim()}"`;
  const found = [];
  items.forEach((one, i) => items.slice(i + 1).forEach((other) => {
    if (one.contains(other) || other.contains(one)) return;
    const a = one.getBoundingClientRect(), b = other.getBoundingClientRect();
    const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (width > 1 && height > 1) found.push(`${name(one)} and ${name(other)}`);
  }));
  return found;
}"""


def po_string(quoted: str) -> str:
    """The text of one or more adjacent PO string literals."""
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', quoted))


def english_strings() -> list[str]:
    """The catalogue's English strings whose French differs: seen verbatim on a French page,
    each is a string left untranslated. Plurals, strings with placeholders (never shown
    as they are) and short ones are left out."""
    strings = []
    for entry in CATALOGUE.read_text().split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', entry, re.M)
        if match is None or "msgid_plural" in entry:
            continue
        english, french = po_string(match[1]), po_string(match[2])
        if (not french or french == english or len(english) < MIN_LENGTH
                or re.search(r"%\(|%s|\{", english)):
            continue
        strings.append(" ".join(english.split()))
    return strings


def check_page(
    page: Any, language: str, name: str, english: list[str],
    landmarks: tuple[str, ...] = ("header", "nav", "main"),
) -> list[str]:
    """Save the screenshots and return what a reviewer would object to on the page. Pages
    outside the workspace (a card on its own: login, set-password) name fewer landmarks."""
    folder = SCREENSHOTS / language
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in WINDOWS:
        page.set_viewport_size({"width": width, "height": height})
        suffix = "" if (width, height) == WINDOWS[0] else f"-{width}"
        page.screenshot(path=str(folder / f"{name}{suffix}.png"), full_page=True)
        problems += [f"{name}{suffix}: overflows: {item}"
                     for item in page.evaluate(OVERFLOW_JS)]
        if "header" in landmarks:
            problems += [f"{name}{suffix}: overlap in the top bar: {pair}"
                         for pair in page.evaluate(OVERLAPS_JS, "body > header")]
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})
    for landmark in landmarks:
        if page.locator(landmark).count() == 0:
            problems.append(f"{name}: no <{landmark}>")
    english_seen = page.evaluate(TEXTS_JS, english)
    if language == "fr":
        problems += [f"{name}: English text {text!r}" for text in english_seen]
    elif not english_seen:
        # The same search on the English page must find the catalogue's strings, or the
        # French check proves nothing.
        problems.append(f"{name}: no string of the catalogue found on the English page")
    return problems


def test_the_main_pages_in_french_and_english_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from omnicanal.knowledge.demo import load_help_center_demo

    page = playwright_page
    server = asgi_live_server
    load_help_center_demo()
    english = english_strings()
    # The catalogue parsed: a check against an empty list would pass whatever the pages say.
    assert "Assign to me" in english and "Log out" in english

    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    mail = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL)
    first = ingest(shop, inbound("m-1", "Bonjour, ma commande 4417 n'est pas arrivée.",
                                 email="jeanne.martin@example.fr", name="Jeanne Martin"))
    ingest(mail, inbound("e-1", "Je voudrais changer l'adresse de livraison de ma commande.",
                         email="jeanne.martin@example.fr", name="Jeanne Martin",
                         thread=ThreadHints(subject="Adresse de livraison")))
    for index in range(6):
        ingest(shop, inbound(f"o-{index}", f"Question {index} sur ma commande",
                             email=f"client{index}@example.fr", name=f"Client {index}"))
    Contact.objects.filter(name="Jeanne Martin").update(attributes={"ville": "Lyon"})
    label = Label.objects.create(name="Livraison")
    actions.add_label(agent, first.conversation_id, label.pk)

    problems: list[str] = []
    for language in in_each_language(page, server, agent, "pw-bob-123"):
        if language == "en":
            page.goto(f"{server.url}/")
            wait_until_live(page)
        problems += check_page(page, language, "conversations", english)

        page.keyboard.press("?")
        page.locator("#shortcuts-help").wait_for(state="visible")
        problems += check_page(page, language, "shortcuts", english)
        page.keyboard.press("Escape")

        page.goto(f"{server.url}/conversations/{first.conversation_id}/")
        wait_until_live(page)
        page.locator("#contact-panel").wait_for(state="visible")
        problems += check_page(page, language, "conversation", english)

        page.goto(f"{server.url}/search/?q=commande")
        page.locator(".message-hit").first.wait_for(state="visible")
        problems += check_page(page, language, "search", english)

        page.goto(f"{server.url}/help/{language}/")
        problems += check_page(page, language, "help-center", english)

    assert problems == [], "\n".join(problems)
