"""The demo's outbox page, seen by an agent in French and in English, at both window sizes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.demo import sinks
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language
from omnicanal.web.tests.browser import playwright_page as playwright_page  # the fixture

pytestmark = BROWSER_MARKS


def what_the_sinks_received() -> None:
    now = timezone.now()
    items = [
        sinks.Item("mail", now - dt.timedelta(minutes=9), "Invitation à rejoindre Omnicanal",
                   "Omnicanal <no-reply@omnicanal.example>", "nouvel.agent@example.com",
                   "Bonjour,\n\nClaire Fontaine vous invite à rejoindre l'équipe. Choisissez "
                   "votre mot de passe : http://127.0.0.1:8000/invitation/"
                   "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjo0Mn0.c2lnbmF0dXJlLXRyZXMtbG9uZ3VlLXNhbnMt"
                   "ZXNwYWNlcy1wb3VyLXZvaXItbGUtcmV0b3Vy/\n"),
        sinks.Item("provider", now - dt.timedelta(minutes=6), "Twilio WhatsApp",
                   "whatsapp:+33700000000", "whatsapp:+33698765432",
                   "Bonjour Marie, votre colis est parti ce matin.",
                   {"sid": "SM3f2a9c0d41b8e7a6c5d4e3f201000001"}),
        sinks.Item("webhook", now - dt.timedelta(minutes=3),
                   "message.created · Application mobile", "Julien Moreau", "CUST-9001",
                   "Votre remboursement de 42,90 € a été validé.",
                   {"idempotency_key": "omnicanal-message-812", "signature": "valid"}),
        sinks.Item("mail", now, "Re: Commande 4417 pas encore arrivée [#318]",
                   "Julien Moreau (Support Omnicanal) <support@omnicanal.example>",
                   "marie.lefevre@example.org",
                   "Bonjour Marie,\n\nVotre commande 4417 est partie hier ; vous la recevrez "
                   "demain avant 13 h.\n\nBonne journée,\nJulien\n\n> Bonjour, où en est ma "
                   "commande ?\n"),
    ]
    for item in items:
        sinks.record(item)


def test_the_outbox_looks_right_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, settings: Any,
    tmp_path: Path,
) -> None:
    from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

    settings.DATA_DIR = tmp_path
    settings.DEMO_SINKS = True
    what_the_sinks_received()
    page = playwright_page
    english = english_strings()

    problems: list[str] = []
    for language in in_each_language(page, asgi_live_server, agent, "pw-bob-123"):
        page.goto(f"{asgi_live_server.url}/demo/outbox/")
        page.locator(".demo-item").first.wait_for(state="visible")
        assert page.locator(".demo-item").count() == 4
        # Newest first: the reply to Marie, then the webhook.
        assert "Commande 4417" in page.locator(".demo-item h2").first.inner_text()
        problems += check_page(page, language, "demo-outbox", english)

    assert problems == [], "\n".join(problems)
