"""The workspace in a real browser (Debian's Chromium through Playwright) against a live
ASGI server: login, live list, live timeline, a reply delivered to a signed webhook.

Screenshots (French and English, list and conversation) go to test-artifacts/ for review.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django import db
from django_tasks_db.management.commands.db_worker import Worker

from omnicanal.accounts.actions import issue_token
from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.connectors.api.adapter import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from omnicanal.connectors.base import ThreadHints
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Status
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    log_in,
    screenshot,
    wait_until_live,
)

pytestmark = BROWSER_MARKS
# What "live" promises the agent: a message shows within a second of its ingestion.
LIVE_TIMEOUT_MS = 1000

@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, queue.Queue[Delivery]]]:
    """A local HTTP endpoint standing for the integrator's server: records what we send."""
    received: queue.Queue[Delivery] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.put(Delivery(dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/omnicanal", received
    finally:
        server.shutdown()
        server.server_close()


def post_customer_message(server: LiveServer, token: str, inbox: Inbox, external_id: str,
                          text: str) -> dict[str, Any]:
    """A customer's message through the public API, over the network like an integrator."""
    payload = {
        "external_id": external_id,
        "contact": {"name": "Jeanne Martin", "email": "jeanne.martin@example.fr"},
        "text": text,
    }
    request = urllib.request.Request(
        f"{server.url}/api/v1/inboxes/{inbox.pk}/messages",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        body: dict[str, Any] = json.loads(response.read())
    return body


def run_worker_once() -> None:
    """Run the queued tasks with db_worker's own loop (`--batch --queue-name '*'`), in a
    thread: this one hosts Playwright's event loop, where the worker's realtime push could not
    run, and the command itself installs signal handlers, which only the main thread may."""

    def work() -> None:
        try:
            Worker(
                queue_names=["*"], excluded_queue_names=[], interval=0, batch=True,
                backend_name="default", startup_delay=False, max_tasks=None,
                worker_id="browser-test",
            ).run()
        finally:
            db.connection.close()

    worker = threading.Thread(target=work, name="task-worker")
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the task worker did not finish its batch"


def test_an_agent_sees_a_message_arrive_live_and_replies_to_a_signed_webhook(
    asgi_live_server: LiveServer,
    playwright_page: Any,
    webhook_receiver: tuple[str, queue.Queue[Delivery]],
    admin: User,
    agent: User,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    webhook_url, deliveries = webhook_receiver
    inbox = Inbox.objects.create(
        name="Boutique en ligne", channel=ChannelKind.API, settings={"webhook_url": webhook_url}
    )
    token = issue_token(admin)
    # Jeanne wrote by e-mail last month: her history follows her to the new channel.
    email_inbox = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL)
    earlier = ingest(email_inbox, inbound("<colis-1@example.fr>", "Mon colis est abîmé.",
                                          thread=ThreadHints(subject="Colis abîmé")))
    actions.set_status(admin, earlier.conversation_id, Status.RESOLVED)

    log_in(page, server, "bob@example.com", "pw-bob-123")
    expect(page.locator(".empty")).to_be_visible()

    # A customer writes while the list is open: it appears without a reload.
    started = time.monotonic()
    first = post_customer_message(server, token, inbox, "order-1",
                                  "Bonjour, ma commande 4417 n'est toujours pas arrivée.")
    row = page.locator(f'.conversation-row[data-conversation-id="{first["conversation_id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row).to_contain_text("Jeanne Martin")
    expect(row).to_contain_text("Boutique en ligne")
    assert time.monotonic() - started < 2, "the API call and the live refresh took too long"
    screenshot(page, "list-fr")

    row.locator(".row-contact").click()
    page.wait_for_url(f"{server.url}/conversations/{first['conversation_id']}/")
    wait_until_live(page)
    expect(page.locator("#timeline")).to_contain_text("commande 4417")
    # The earlier e-mail conversation is one collapsed block; it opens in place.
    earlier_block = page.locator(".history-block").first
    expect(earlier_block.locator("summary")).to_contain_text("Colis abîmé")
    earlier_block.locator("summary").click()
    expect(earlier_block.locator(".message-incoming")).to_contain_text("Mon colis est abîmé.")
    expect(page.locator(".current-conversation")).to_contain_text("commande 4417")

    # A follow-up from the customer lands in the open timeline, live too.
    post_customer_message(server, token, inbox, "order-2", "Le numéro de suivi ne marche pas.")
    expect(page.locator("#timeline")).to_contain_text("Le numéro de suivi ne marche pas.",
                                                      timeout=LIVE_TIMEOUT_MS)

    # A refused action says why, in the page's alert region, and nothing else changes.
    page.locator("#snooze-menu-button").click()
    page.locator("#snooze-button").click()
    expect(page.locator("#alerts")).to_contain_text("Une mise en pause demande une heure de réveil.")

    page.fill("#reply-text", "Bonjour Jeanne, je relance le transporteur tout de suite.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    reply = page.locator(".message-outgoing").last
    expect(reply).to_contain_text("je relance le transporteur")
    expect(reply).to_contain_text("Envoi en cours")
    # The box is emptied for the next answer, and the earlier error is gone.
    expect(page.locator("#reply-text")).to_have_value("")
    expect(page.locator("#alerts")).to_be_empty()

    page.click("#composer-tab-note")
    page.fill("#reply-text", "Client fidèle : proposer un geste si le colis est perdu.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator(".message-note").last).to_contain_text("proposer un geste")
    screenshot(page, "conversation-fr")

    # The worker sends the reply to the inbox's webhook, signed with the inbox's secret.
    run_worker_once()
    delivery = deliveries.get(timeout=5)
    inbox.refresh_from_db()
    assert verify_signature(
        inbox.secret,
        delivery.headers[TIMESTAMP_HEADER],
        delivery.body,
        delivery.headers[SIGNATURE_HEADER],
    )
    sent = json.loads(delivery.body)
    assert sent["text"] == "Bonjour Jeanne, je relance le transporteur tout de suite."
    assert sent["conversation_id"] == first["conversation_id"]
    assert deliveries.empty(), "the note must never leave the workspace"

    page.reload()
    expect(page.locator(".message-outgoing").last).to_contain_text("Envoyé")

    # The same pages in English for an English-speaking agent.
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    page.reload()
    expect(page.get_by_role("button", name="Send reply")).to_be_visible()
    expect(page.locator(".message-outgoing").last).to_contain_text("Sent")
    screenshot(page, "conversation-en")
    page.goto(f"{server.url}/")
    expect(row).to_contain_text("Jeanne Martin")
    # The other lists are one click away, in the list's view menu.
    page.locator(".view-menu-button").click()
    expect(page.get_by_role("link", name="Unassigned")).to_be_visible()
    screenshot(page, "list-en")


def test_the_login_page_refuses_a_wrong_password_visibly(
    asgi_live_server: LiveServer,
    playwright_page: Any,
    agent: User,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    page.goto(f"{asgi_live_server.url}/login/")
    page.fill("input[name=username]", "bob@example.com")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")

    expect(page.get_by_role("alert")).to_be_visible()
    assert page.url.startswith(f"{asgi_live_server.url}/login/")
    screenshot(page, "login-error")
