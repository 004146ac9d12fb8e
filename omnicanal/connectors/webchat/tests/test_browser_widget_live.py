"""The widget as a visitor lives it, in Debian's Chromium against the live server, in French then
English: the launcher opens and closes the chat, the pre-chat form names the visitor, and the
agent's reply arrives pushed over the socket (not by the fallback poll) within a second, with
the agent's name and photo; a reply that arrives while the chat is closed shows as a badge.
Screenshots of the widget open and closed at 1440x900 and 1024x768 go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from omnicanal.accounts import photos
from omnicanal.accounts.models import User
from omnicanal.connectors.webchat.actions import (
    contact_groups,
    push_to_visitor_groups,
    serialize_message,
)
from omnicanal.connectors.webchat.tests.conftest import TOKEN
from omnicanal.connectors.webchat.tests.test_browser import (
    Site,
    browser,
    in_thread,
    site,
    visitor_page,
)
from omnicanal.contacts.models import AttributeDefinition, AttributeType
from omnicanal.conversations import actions
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.testing.images import solid_png
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import ARTIFACTS, BROWSER_MARKS, accessibility_problems

__all__ = ["browser", "site"]

pytestmark = BROWSER_MARKS

WINDOWS = ((1440, 900), (1024, 768))
# Loose on purpose (a shared, loaded CI machine): the figure itself goes to docs/benchmarks.md
# through bench/webchat_push.py; under a second is the aim.
PUSH_LATENCY_LIMIT_MS = 3000

# Everything the widget says, in each language, as the page must show it.
TEXTS = {
    "fr": {"open": "Discuter avec nous", "close": "Fermer la discussion",
           "chat": "Discuter maintenant", "start": "Commencer la discussion",
           "required": "À remplir : Votre nom, N° de commande, Votre message.", "name": "Votre nom", "unread": "1 nouveau",
           "sound": "Son des nouveaux messages", "greeting": "Bonjour ! Une question sur une commande ?"},
    "en": {"open": "Chat with us", "close": "Close the chat", "chat": "Chat now",
           "start": "Start the chat",
           "required": "Please fill in: Your name, N° de commande, Your message.",
           "name": "Your name", "unread": "1 new", "sound": "Sound for new messages",
           "greeting": "Hello! A question about an order?"},
}

# The shadow root's words and labels, for the untranslated-text check.
WIDGET_TEXT_JS = """() => {
  const root = document.querySelector('[data-omnicanal-widget]').shadowRoot;
  const labels = [...root.querySelectorAll('[aria-label],[placeholder]')]
    .map(el => (el.getAttribute('aria-label') || '') + ' ' + (el.getAttribute('placeholder') || ''));
  return root.textContent + ' ' + labels.join(' ');
}"""

# When each agent message first shows in the widget (ms since the epoch), by message id.
WATCH_JS = """() => {
  const root = document.querySelector('[data-omnicanal-widget]').shadowRoot;
  window.agentShownAt = {};
  new MutationObserver(() => {
    root.querySelectorAll('.msg.agent[data-id]').forEach(el => {
      const id = el.getAttribute('data-id');
      if (!(id in window.agentShownAt)) window.agentShownAt[id] = Date.now();
    });
  }).observe(root.querySelector('.log'), {childList: true, subtree: true, attributes: true});
}"""

PANEL_BOX_JS = """() => {
  const root = document.querySelector('[data-omnicanal-widget]').shadowRoot;
  const panel = root.querySelector('.panel'), launcher = root.querySelector('.launcher');
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {panel: panel.hidden ? null : box(panel), launcher: box(launcher),
          width: innerWidth, height: innerHeight};
}"""


@pytest.fixture
def photographed_agent(agent: User, settings: Any, tmp_path: Path) -> User:
    settings.MEDIA_ROOT = tmp_path
    photos.set_photo(agent, SimpleUploadedFile("bob.png", solid_png(64, 64, (15, 118, 110))))
    return agent


def chat_inbox_for(site: Site) -> Inbox:
    AttributeDefinition.objects.create(key="order_number", label="N° de commande",
                                       type=AttributeType.TEXT)
    return Inbox.objects.create(
        name="Chat boutique", channel=ChannelKind.WEBCHAT,
        settings={
            "site_token": TOKEN, "allowed_origins": [site.origin], "color": "#0f766e",
            "greeting": {"fr": TEXTS["fr"]["greeting"], "en": TEXTS["en"]["greeting"]},
            "prechat_name": "required", "prechat_email": "optional",
            "prechat_attributes": ["order_number*"],
            # No unseen-reply e-mail in this test.
            "away_after_seconds": 3600,
        },
    )


def widget_screenshots(page: Any, name: str) -> list[str]:
    """Both windows; returns what lies outside the window (a cut-off panel or launcher)."""
    folder = ARTIFACTS / "webchat"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in WINDOWS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        page.screenshot(path=str(folder / f"{name}-{width}.png"))
        boxes = page.evaluate(PANEL_BOX_JS)
        for part in ("panel", "launcher"):
            box = boxes[part]
            if box and (box[0] < 0 or box[1] < 0 or box[2] > boxes["width"]
                        or box[3] > boxes["height"]):
                problems.append(f"{name}-{width}: the {part} leaves the window: {box}")
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})
    return problems


def untranslated(page: Any, language: str) -> list[str]:
    if language != "fr":
        return []
    shown = page.evaluate(WIDGET_TEXT_JS)
    return [f"English in the French widget: {text!r}" for text in TEXTS["en"].values()
            if text in shown]


def test_a_visitor_fills_the_form_and_sees_the_agents_reply_pushed_within_a_second(
    browser: Any, site: Site, asgi_live_server: LiveServer, photographed_agent: User,
) -> None:
    from playwright.sync_api import expect

    agent = photographed_agent
    site.img_src = f"'self' {asgi_live_server.url}"
    inbox = chat_inbox_for(site)
    problems: list[str] = []
    latencies: list[float] = []
    for language, locale, position in (("fr", "fr-FR", "right"), ("en", "en-GB", "left")):
        inbox.settings["position"] = position
        inbox.save()
        words = TEXTS[language]
        with visitor_page(browser, locale=locale) as (_context, visitor, errors):
            polls: list[str] = []
            frames: list[str] = []
            visitor.on("request", lambda request, polls=polls: polls.append(request.url)
                       if "/messages" in request.url and request.method == "GET" else None)
            visitor.on("websocket", lambda socket, frames=frames: socket.on(
                "framereceived", lambda payload: frames.append(str(payload))))
            visitor.goto(site.page(f"/{language}", lang=language))

            # Closed: a round button that says what it does.
            launcher = visitor.get_by_role("button", name=words["open"])
            expect(launcher).to_have_attribute("aria-expanded", "false")
            problems += widget_screenshots(visitor, f"{language}-closed")
            # It opens the chat and becomes its close button…
            launcher.click()
            dialog = visitor.get_by_role("dialog")
            expect(dialog).to_be_visible()
            expect(dialog).to_contain_text(words["greeting"])
            toggle = visitor.get_by_role("button", name=words["close"], expanded=True)
            expect(toggle).to_have_class(re.compile(r"\blauncher\b"))
            problems += widget_screenshots(visitor, f"{language}-open")
            problems += accessibility_problems(visitor, f"widget-open-{language}")
            # …which closes it.
            toggle.click()
            expect(dialog).to_be_hidden()
            visitor.get_by_role("button", name=words["open"]).click()

            # The pre-chat form: required fields are said so beside the form.
            visitor.get_by_role("button", name=words["chat"]).click()
            visitor.get_by_role("button", name=words["start"]).click()
            expect(visitor.get_by_role("alert")).to_have_text(words["required"])
            problems += widget_screenshots(visitor, f"{language}-prechat")
            problems += accessibility_problems(visitor, f"widget-prechat-{language}")
            visitor.get_by_label(words["name"]).fill("Jeanne Martin")
            visitor.get_by_label("N° de commande").fill(f"A-4471-{language}")
            visitor.locator("[data-omnicanal-widget] form textarea").first.fill(
                "Bonjour, où en est ma commande ?")
            visitor.get_by_role("button", name=words["start"]).click()
            expect(visitor.locator(".msg.visitor .state")).to_have_text(
                "Envoyé" if language == "fr" else "Sent")
            conversation = Conversation.objects.filter(
                Q(contact__attributes__order_number=f"A-4471-{language}")).get()
            assert conversation.contact.name == "Jeanne Martin"

            # The agent answers (as the workspace's composer does): the widget shows it, with
            # the agent's name and photo, pushed over its socket.
            visitor.evaluate(WATCH_JS)
            asked_at = time.time() * 1000
            answer = in_thread(actions.reply, agent, conversation.pk, "Elle part demain matin.")
            agent_line = visitor.locator(f".msg.agent[data-id='{answer.pk}']")
            expect(agent_line).to_contain_text("Elle part demain matin.")
            shown_at = visitor.evaluate(f"window.agentShownAt['{answer.pk}']")
            latencies.append(shown_at - asked_at)
            assert shown_at - asked_at < PUSH_LATENCY_LIMIT_MS, latencies
            expect(agent_line.locator(".who")).to_have_text(agent.display_name)
            expect(agent_line.locator("img.av")).to_have_attribute(
                "src", asgi_live_server.url + photos.photo_url(agent))
            # Delivered by a push frame, not by a ping's answer, and never by the poll.
            assert any('"type": "message"' in frame and f'"id": {answer.pk}' in frame
                       for frame in frames), frames
            assert polls == [], polls

            # An attachment in a reply (the media helper adds `attachments` to the payload):
            # an image as a thumbnail, another file as a link with its size.
            with_files = {**serialize_message(answer), "id": answer.pk + 1000, "text": "Voici",
                          "attachments": [
                              {"name": "colis.png", "size": 2048, "content_type": "image/png",
                               "url": photos.photo_url(agent)},
                              {"name": "facture.pdf", "size": 250_000,
                               "content_type": "application/pdf", "url": "/media/facture.pdf"}]}
            groups = contact_groups(inbox.pk, conversation.contact_id)
            in_thread(push_to_visitor_groups, groups, with_files)
            files = visitor.locator(f".msg.agent[data-id='{answer.pk + 1000}'] .files")
            expect(files.locator("img")).to_have_attribute("alt", "colis.png")
            expect(files.get_by_role("link", name="facture.pdf (244 KB)")).to_be_visible()
            problems += widget_screenshots(visitor, f"{language}-chat")
            problems += accessibility_problems(visitor, f"widget-chat-{language}")

            # Closed, a new reply shows as a badge on the launcher (and its label says so).
            visitor.get_by_role("button", name=words["sound"]).click()
            expect(visitor.get_by_role("button", name=words["sound"])).to_have_attribute(
                "aria-pressed", "false")
            visitor.keyboard.press("Escape")
            in_thread(actions.reply, agent, conversation.pk, "Le numéro de suivi suit.")
            expect(visitor.locator(".badge")).to_have_text("1")
            expect(visitor.get_by_role("button", name=words["unread"])).to_be_visible()
            problems += widget_screenshots(visitor, f"{language}-unread")
            visitor.get_by_role("button", name=words["open"]).click()
            expect(visitor.locator(".badge")).to_be_hidden()
            problems += untranslated(visitor, language)
            assert polls == [], polls
            assert errors == [], errors
        in_thread(actions.set_status, agent, conversation.pk, "resolved")
    assert problems == [], problems
    print(f"web chat push latency (ms): {[round(value) for value in latencies]}")
