"""Settings → Quarantined mail in a browser: an administrator retries a mail, and the page
looks right in French and in English at both window sizes."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import User
from omnicanal.connectors.email.quarantine import record_failure
from omnicanal.conversations.models import ChannelKind, Inbox, Message
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language, log_in, screenshot

pytestmark = BROWSER_MARKS

ORDER = (
    b"From: =?utf-8?q?Z=C3=A9lie_Martin?= <zelie.martin@example.fr>\r\n"
    b"To: support@omnicanal.example\r\n"
    b"Subject: =?utf-8?q?Commande_4417_:_o=C3=B9_en_est_la_livraison_=3F?=\r\n"
    b"Message-ID: <order-4417@example.fr>\r\n"
    b"Date: Mon, 07 Dec 2026 09:00:00 +0100\r\n"
    b"\r\n"
    b"Bonjour, o\xc3\xb9 en est ma commande ?\r\n"
)
INVOICE = (
    b"From: comptabilite@fournisseur-exemple.fr\r\n"
    b"To: support@omnicanal.example\r\n"
    b"Subject: Facture F-2026-118\r\n"
    b"Message-ID: <invoice-118@fournisseur-exemple.fr>\r\n"
    b"\r\n"
    b"Veuillez trouver notre facture.\r\n"
)


def quarantined(inbox: Inbox) -> None:
    record_failure(inbox, "INBOX", 7, 4417, ORDER,
                   "OperationalError: canceling statement due to lock timeout")
    record_failure(inbox, "INBOX", 7, 4417, ORDER,
                   "OperationalError: canceling statement due to lock timeout",
                   is_permanent=True)
    record_failure(inbox, "Factures/2026", 3, 118, INVOICE,
                   "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 212: "
                   "invalid continuation byte", is_permanent=True)


def shop_inbox() -> Inbox:
    return Inbox.objects.create(
        name="Boutique — service client", channel=ChannelKind.EMAIL,
        settings={"from_address": "support@omnicanal.example"},
    )


def test_an_administrator_retries_a_quarantined_mail_from_the_settings(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    quarantined(shop_inbox())

    log_in(page, asgi_live_server, "admin@example.com", "pw-admin-123")
    page.locator(".topnav a[href='/settings/']").click()
    page.locator(".settings-nav a[href='/settings/quarantine/']").click()
    table = page.locator("#quarantined-mails")
    expect(table).to_contain_text("Zélie Martin <zelie.martin@example.fr>")
    expect(table).to_contain_text("canceling statement due to lock timeout")

    table.locator("tr", has_text="UID 4417").locator("button[type=submit]").click()

    expect(page.locator("#alerts")).not_to_be_empty()
    expect(page.locator("#quarantined-mails tbody tr")).to_have_count(1)
    screenshot(page, "quarantine-retried-fr")
    assert Message.objects.get().external_id == "<order-4417@example.fr>"


def test_the_quarantine_page_looks_right_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

    page = playwright_page
    quarantined(shop_inbox())
    english = english_strings()

    problems: list[str] = []
    for language in in_each_language(page, asgi_live_server, admin, "pw-admin-123"):
        page.goto(f"{asgi_live_server.url}/settings/quarantine/")
        page.locator("#quarantined-mails").wait_for(state="visible")
        problems += check_page(page, language, "settings-quarantine", english)

    assert problems == [], "\n".join(problems)
