"""An administrator finds a failed event handler in the workspace and retries it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    ChannelKind,
    HandlerRun,
    HandlerRunStatus,
    Inbox,
    OutboxEvent,
)
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language, log_in, screenshot

pytestmark = BROWSER_MARKS


def test_an_administrator_sees_a_failed_handler_with_its_error_and_retries_it(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    ingest(shop, inbound("m-1", "Ma commande 4417 ?"))
    event = OutboxEvent.objects.filter(kind="message.created").get()
    # The notifications' subscriber failed every retry on a lock timeout (since fixed).
    run = HandlerRun.objects.create(
        event=event, subscriber="omnicanal.notifications.subscribers.on_message_created",
        status=HandlerRunStatus.FAILED, attempts=5, next_attempt_at=None,
        last_error="OperationalError: canceling statement due to lock timeout",
    )
    HandlerRun.objects.filter(pk=run.pk).update(updated_at=timezone.now())

    log_in(page, asgi_live_server, "admin@example.com", "pw-admin-123")
    page.locator(".topnav a[href='/settings/']").click()
    page.locator(".settings-nav a[href='/settings/failures/']").click()
    table = page.locator("#failed-runs")
    expect(table).to_contain_text("on_message_created")
    expect(table).to_contain_text("canceling statement due to lock timeout")
    screenshot(page, "failures-fr")

    table.locator("button[type=submit]").click()

    expect(page.locator("#alerts")).not_to_be_empty()
    expect(page.locator("#failed-runs")).to_have_count(0)
    screenshot(page, "failures-retried-fr")
    run.refresh_from_db()
    assert run.status == HandlerRunStatus.SUCCEEDED


def test_the_failures_page_looks_right_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

    page = playwright_page
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    ingest(shop, inbound("m-1", "Ma commande 4417 ?"))
    ingest(shop, inbound("m-2", "Et la facture ?", email="paul@example.fr"))
    failed, retrying = OutboxEvent.objects.filter(kind="message.created").order_by("pk")
    HandlerRun.objects.create(
        event=failed, subscriber="omnicanal.notifications.subscribers.on_message_created",
        status=HandlerRunStatus.FAILED, attempts=5, next_attempt_at=None,
        last_error="OperationalError: canceling statement due to lock timeout",
    )
    HandlerRun.objects.create(
        event=retrying, subscriber="omnicanal.routing.subscribers.on_message_created",
        status=HandlerRunStatus.RETRYING, attempts=2,
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=1),
        last_error="OperationalError: database is locked",
    )
    english = english_strings()

    problems: list[str] = []
    for language in in_each_language(page, asgi_live_server, admin, "pw-admin-123"):
        page.goto(f"{asgi_live_server.url}/settings/failures/")
        page.locator("#retrying-runs").wait_for(state="visible")
        problems += check_page(page, language, "failures", english)

    assert problems == [], "\n".join(problems)
