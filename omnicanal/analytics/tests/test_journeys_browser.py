"""The journeys page in a real browser, French and English, at a laptop's and a small
screen's size: screenshots to test-artifacts/ and an accessibility check."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.analytics.facts import refresh_facts
from omnicanal.analytics.tests.test_journeys import journey
from omnicanal.contacts.models import Contact, ValueTier
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    playwright_page,
    screenshot,
)

__all__ = ["playwright_page"]

pytestmark = BROWSER_MARKS

NAMES = ["Jeanne Martin", "Paul Durand", "Amina Diallo", "Lucas Bernard", "Chloé Petit",
         "Hugo Moreau", "Léa Laurent", "Nathan Simon", "Inès Michel", "Louis Lefebvre"]
OUTCOMES = [
    ["customer_message", "agent_message", "resolved"],
    ["customer_message", "agent_message", "resolved"],
    ["customer_message", "resolved", "abandoned"],
    ["customer_message", "bot_message"],
    ["customer_message", "agent_message", "resolved", "reopened"],
]


def seed(team: Team) -> None:
    """Sixty customers whose journeys start on the chat or by e-mail, some coming back."""
    chooser = random.Random(16)
    inboxes = {
        kind: Inbox.objects.create(name=str(label), channel=kind)
        for kind, label in ChannelKind.choices
        if kind in ("webchat", "email", "sms", "whatsapp", "voice")
    }
    weights = {"webchat": 5, "email": 3, "whatsapp": 2, "sms": 1, "voice": 1}
    start = timezone.now() - dt.timedelta(days=20)
    created = []
    for number in range(60):
        contact = Contact.objects.create(
            name=f"{NAMES[number % len(NAMES)]} {number + 1}",
            value_tier=ValueTier.GOLD if number % 7 == 0 else ValueTier.STANDARD,
        )
        at = start + dt.timedelta(hours=chooser.randint(0, 300))
        topic = chooser.choice(["livraison", "facture", "retour", "mot de passe"])
        for _ in range(chooser.choice([1, 1, 2, 2, 3, 4])):
            channel = chooser.choices(list(weights), list(weights.values()))[0]
            conversation = journey(contact, inboxes[channel], at, chooser.choice(OUTCOMES), topic)
            conversation.team = team
            conversation.save(update_fields=["team"])
            created.append(conversation.pk)
            at += dt.timedelta(hours=chooser.randint(2, 90))
    refresh_facts(created)


def test_the_journeys_page_in_both_languages_and_two_sizes(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User, team: Team
) -> None:
    from playwright.sync_api import expect

    seed(team)
    page = playwright_page
    problems: list[str] = []
    for language in in_each_language(page, asgi_live_server, supervisor, "pw-sup-123"):
        for width, height in ((1440, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{asgi_live_server.url}/reports/journeys/")
            expect(page.locator(".journeys-sankey svg rect").first).to_be_visible()
            screenshot(page, f"journeys-{language}-{width}x{height}")
            # The workspace scrolls inside <main>: the lower half is a second picture.
            page.locator("#customers-title").scroll_into_view_if_needed()
            screenshot(page, f"journeys-{language}-{width}x{height}-lower")
        problems += accessibility_problems(page, f"journeys-{language}")
        page.goto(f"{asgi_live_server.url}/reports/journeys/?channel=sms")
        expect(page.locator(".journeys-sankey svg")).to_be_visible()
    assert problems == []
