"""Settings → Inboxes as an administrator sees it, in French and English at both window
sizes: the list, the e-mail form (with an error beside its field), the web chat form with
its snippet and the live widget preview, and the delete confirmation."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS


def test_the_inbox_settings_pages_look_right_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    page = playwright_page
    server = asgi_live_server
    english = english_strings()
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API,
                                settings={"webhook_url": "https://shop.example.com/hooks"})
    mail = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL, settings={
        "from_address": "support@example.com", "smtp_host": "smtp.example.com",
        "smtp_username": "support", "smtp_password": "hunter2",
    })
    chat = Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT, settings={
        "site_token": "site-token-123", "allowed_origins": [server.url], "color": "#0f766e",
    })
    Inbox.objects.create(name="WhatsApp Boutique", channel=ChannelKind.WHATSAPP,
                         is_active=False, settings={
                             "phone_number_id": "1234567", "access_token": "t",
                             "app_secret": "s", "verify_token": "v"})
    for index in range(3):
        ingest(shop, inbound(f"m-{index}", f"Question {index}", email=f"c{index}@example.fr"))

    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):
        page.goto(f"{server.url}/settings/inboxes/")
        page.locator("#inbox-list").wait_for()
        problems += check_page(page, language, "settings-inboxes", english)

        page.goto(f"{server.url}/settings/inboxes/new/?welcome=1")
        page.locator("#channel-choices").wait_for()
        problems += check_page(page, language, "settings-inboxes-new", english)

        page.goto(f"{server.url}/settings/inboxes/{mail.pk}/")
        page.fill("#id_smtp_port", "70000")
        page.locator("#inbox-form button.primary").click()
        page.locator("#id_smtp_port_error").wait_for()
        assert "hunter2" not in page.content()
        problems += check_page(page, language, "settings-inbox-email", english)

        page.goto(f"{server.url}/settings/inboxes/{chat.pk}/")
        page.frame_locator(".widget-preview").locator("[data-omnicanal-widget]").wait_for(
            state="attached")
        page.wait_for_timeout(300)
        problems += check_page(page, language, "settings-inbox-webchat", english)

        page.goto(f"{server.url}/settings/inboxes/{shop.pk}/delete/")
        page.locator("#delete-statement").wait_for()
        problems += check_page(page, language, "settings-inbox-delete", english)

    assert problems == [], "\n".join(problems)
