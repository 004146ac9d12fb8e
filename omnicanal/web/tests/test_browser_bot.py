"""The bot through the real widget, in Debian's Chromium against the live server, in French
then English: a question answered from the help center with its source linked, under the
bot's name marked as an automated assistant; "conseiller" hands over at once; an
out-of-scope question makes the bot abstain and offer a person, which the visitor picks.
The agent who opens each handed-over conversation reads the bot's summary in the timeline.
Screenshots of the widget and the timeline go to test-artifacts/bot/, and of /settings/bot/
at 1440x900 and 1024x768 in both languages.
"""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.webchat.tests.conftest import TOKEN
from omnicanal.connectors.webchat.tests.test_browser import (
    Site,
    browser,
    site,
    visitor_page,
)
from omnicanal.conversations.models import ChannelKind, Conversation, Direction, Inbox, Message
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.vectors_store import reindex_all
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import ARTIFACTS, BROWSER_MARKS, accessibility_problems, log_in

__all__ = ["browser", "site"]

pytestmark = BROWSER_MARKS

WINDOWS = ((1440, 900), (1024, 768))
PASSWORD = "pw-admin-123"

ROUNDS = {
    "fr": {"locale": "fr-FR", "open": "Discuter avec nous", "chat": "Discuter maintenant",
           "question": "Quand serai-je remboursé de mon retour ?",
           "passage": "Le remboursement arrive sous dix jours",
           "source": "/help/fr/quand-suis-je-rembourse/",
           "out_of_scope": "Quelle est la capitale du Pérou ?",
           "human": "Je voudrais parler à un conseiller", "bot": "Assistant automatique"},
    "en": {"locale": "en-GB", "open": "Chat with us", "chat": "Chat now",
           "question": "How do I return an item?",
           "passage": "Return an item",
           "source": "/help/en/return-an-item/",
           "out_of_scope": "What is the capital of Peru?",
           "human": "I want to talk to a human", "bot": "Automated assistant"},
}


@pytest.fixture
def admin_user(transactional_db: Any) -> User:
    from omnicanal.accounts.models import Role

    return User.objects.create_user("admin@example.com", PASSWORD, name="Alice Admin",
                                    role=Role.ADMINISTRATOR)


def bot_inbox(site: Site) -> Inbox:
    return Inbox.objects.create(
        name="Chat boutique", channel=ChannelKind.WEBCHAT, bot_enabled=True,
        settings={"site_token": TOKEN, "allowed_origins": [site.origin],
                  "away_after_seconds": 3600},
    )


def shots(page: Any, name: str, show: Any = None) -> None:
    folder = ARTIFACTS / "bot"
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in WINDOWS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        if show is not None:
            show.scroll_into_view_if_needed()
        page.screenshot(path=str(folder / f"{name}-{width}.png"))
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})


def write(visitor: Any, text: str) -> None:
    box = visitor.locator(".composer textarea")
    box.fill(text)
    box.press("Enter")


def start_chat(visitor: Any, site: Site, words: dict[str, str], language: str) -> None:
    visitor.goto(site.page(f"/{language}", lang=language))
    visitor.get_by_role("button", name=words["open"]).click()
    visitor.get_by_role("button", name=words["chat"]).click()


def conversation_of(text: str) -> Conversation:
    return Message.objects.select_related("conversation").get(
        direction=Direction.INCOMING, text=text).conversation


def test_the_bot_answers_with_its_source_and_hands_over_with_a_summary(
    browser: Any, site: Site, asgi_live_server: LiveServer, admin_user: User,
) -> None:
    from playwright.sync_api import expect

    load_help_center_demo()
    reindex_all()  # what the task worker does after each article is saved
    bot_inbox(site)
    problems: list[str] = []
    for language, words in ROUNDS.items():
        with visitor_page(browser, locale=words["locale"]) as (_context, visitor, errors):
            start_chat(visitor, site, words, language)
            # A question the help center answers: the passage, its source, under the bot's
            # name and the "automated assistant" mark.
            write(visitor, words["question"])
            answer = visitor.locator(".msg.agent").last
            expect(answer).to_contain_text(words["passage"])
            expect(answer).to_contain_text(words["source"])
            expect(answer.locator(".who")).to_contain_text("Assistant")
            expect(answer.locator(".botmark")).to_have_text(words["bot"])
            expect(answer.locator(".quick button")).to_have_count(2)
            shots(visitor, f"widget-answer-{language}")
            problems += accessibility_problems(visitor, f"bot-widget-{language}")
            # "conseiller" / "human": a person at once, said so.
            write(visitor, words["human"])
            expect(visitor.locator(".msg.agent")).to_have_count(2)
            expect(answer.locator(".quick")).to_have_count(0)
            shots(visitor, f"widget-handover-{language}")
            assert errors == [], errors
        answered = conversation_of(words["question"])
        assert not answered.with_bot

        with visitor_page(browser, locale=words["locale"]) as (_context, visitor, errors):
            start_chat(visitor, site, words, language)
            # A question it cannot answer: it says so and offers a person, a callback or an
            # e-mail; the visitor picks a person.
            write(visitor, words["out_of_scope"])
            offer = visitor.locator(".msg.agent").last
            expect(offer.locator(".quick button")).to_have_count(3)
            shots(visitor, f"widget-abstain-{language}")
            offer.locator(".quick button").first.click()
            expect(visitor.locator(".msg.agent")).to_have_count(2)
            assert errors == [], errors
        abstained = conversation_of(words["out_of_scope"])
        assert not abstained.with_bot

        # The agent opens each conversation: the bot's turns are marked, and its note says
        # what was asked, which articles it tried, and why it handed over.
        User.objects.filter(pk=admin_user.pk).update(language=language)
        agent = browser.new_page(viewport={"width": 1440, "height": 900})
        agent.set_default_timeout(10_000)
        log_in(agent, asgi_live_server, admin_user.email, PASSWORD)
        for conversation, name, expected in (
            (answered, "timeline-asked", words["question"]),
            (abstained, "timeline-abstained", words["out_of_scope"]),
        ):
            agent.goto(f"{asgi_live_server.url}/conversations/{conversation.pk}/")
            note = agent.locator(".group-note").filter(has=agent.locator(".tag-bot")).last
            summary = note.locator(".bot-handover")
            expect(summary.locator("li").first).to_have_text(expected)
            if name == "timeline-asked":
                expect(summary).to_have_attribute("data-reason", "asked_for_human")
                expect(summary.locator("li").nth(1)).to_have_text(words["human"])
                expect(summary.locator(f"a[href$='{words['source']}']")).to_be_visible()
            else:
                expect(summary).to_have_attribute("data-reason", "low_confidence")
            expect(agent.locator(".group-outgoing .tag-bot").first).to_be_visible()
            shots(agent, f"{name}-{language}", show=summary.locator("p").last)
        agent.close()
    assert problems == [], problems


def test_settings_bot_page_in_both_languages_and_window_sizes(
    browser: Any, asgi_live_server: LiveServer, admin_user: User, site: Site,
) -> None:
    from playwright.sync_api import expect

    inbox = bot_inbox(site)
    Inbox.objects.create(name="WhatsApp boutique", channel=ChannelKind.WHATSAPP, settings={})
    Inbox.objects.create(name="Support mail", channel=ChannelKind.EMAIL,
                         settings={"address": "support@example.com"})
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(10_000)
    log_in(page, asgi_live_server, admin_user.email, PASSWORD)
    problems: list[str] = []
    for language in ("fr", "en"):
        User.objects.filter(pk=admin_user.pk).update(language=language)
        page.goto(f"{asgi_live_server.url}/settings/bot/")
        checkbox = page.get_by_label("Chat boutique · ")
        expect(checkbox).to_be_checked()
        expect(page.get_by_label("Support mail · ")).to_have_count(0)
        shots(page, f"settings-{language}")
        problems += accessibility_problems(page, f"settings-bot-{language}")
    # Turning it off in an inbox and renaming the bot.
    page.get_by_label("Chat boutique · ").uncheck()
    page.get_by_label("Bot's name").fill("Lumi")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Bot settings saved.")).to_be_visible()
    inbox.refresh_from_db()
    assert not inbox.bot_enabled
    assert problems == [], problems
