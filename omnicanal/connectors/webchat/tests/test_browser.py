"""The widget on a third-party page with a strict CSP, in Debian's Chromium, against the
live server: a visitor chats with an agent who answers from the workspace, survives a
network cut, leaves an e-mail and gets the reply by SMTP, and a signed user lands on their
contact (a forged signature is refused).
"""

from __future__ import annotations

import datetime
import email
import email.policy
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django import db
from django_tasks_db.management.commands.db_worker import Worker

from omnicanal.accounts.actions import issue_token
from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.email.tests.conftest import SmtpRecorder, make_mail
from omnicanal.connectors.webchat.actions import notify_agent_typing, user_hash
from omnicanal.connectors.webchat.tests.conftest import TOKEN
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Direction, Inbox, Message
from omnicanal.testing.browser import sync_playwright_for_django
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    log_in,
    screenshot,
)

pytestmark = BROWSER_MARKS

# Chromium's own notes about requests that failed while the test cut the network.
NETWORK_NOISE = ("ERR_INTERNET_DISCONNECTED", "WebSocket connection", "Failed to load resource")


class Site:
    """The customer's site: another origin, serving pages that embed the widget."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.pages: dict[str, str] = {}
        self.allows_websockets = True
        # Images from the helpdesk too (agents' photos, attachments' thumbnails), if the site
        # allows them.
        self.img_src = "'self'"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def csp(self) -> str:
        sockets = f" ws://{self.live.host}:{self.live.port}" if self.allows_websockets else ""
        return (
            f"default-src 'self'; script-src {self.live.url}; "
            f"connect-src {self.live.url}{sockets}; "
            f"style-src {self.live.url}; img-src {self.img_src}"
        )

    def page(self, path: str, lang: str = "fr", **attributes: str) -> str:
        extra = " ".join(f'data-{name.replace("_", "-")}="{value}"'
                         for name, value in attributes.items())
        self.pages[path] = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            "<title>Boutique Exemple</title></head><body><h1>Boutique Exemple</h1>"
            "<p>Des chaussettes pour tous les temps.</p>"
            f'<script src="{self.live.url}/widget.js" data-site-token="{TOKEN}" {extra} async>'
            "</script></body></html>"
        )
        return self.origin + path

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", site.csp())
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def site(asgi_live_server: LiveServer) -> Iterator[Site]:
    site = Site(asgi_live_server)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with sync_playwright_for_django(monkeypatch) as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def visitor_page(browser: Any, locale: str = "fr-FR") -> Iterator[tuple[Any, Any, list[str]]]:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error"
            and not any(noise in message.text for noise in NETWORK_NOISE)
            and errors.append(message.text))
    try:
        yield context, page, errors
    finally:
        context.close()


@pytest.fixture
def chat(db: Any, site: Site, smtp_server: SmtpRecorder) -> tuple[Inbox, Inbox]:
    support = Inbox.objects.create(
        name="Support e-mail", channel="email",
        settings={"from_address": "support@omnicanal.test", "from_name": "Support",
                  "smtp_host": "127.0.0.1", "smtp_port": smtp_server.port,
                  "smtp_security": "none"},
    )
    inbox = Inbox.objects.create(
        name="Chat boutique", channel="webchat",
        settings={"site_token": TOKEN, "allowed_origins": [site.origin],
                  "email_inbox_id": support.pk, "away_after_seconds": 1,
                  "wait_message": {"fr": "Un conseiller répond en moins de 2 minutes."}},
    )
    return inbox, support


def run_worker_once() -> None:
    """The queued tasks, with db_worker's own loop, in a thread (see web/tests/test_browser)."""

    def work() -> None:
        try:
            Worker(queue_names=["*"], excluded_queue_names=[], interval=0, batch=True,
                   backend_name="default", startup_delay=False, max_tasks=None,
                   worker_id="webchat-browser-test").run()
        finally:
            db.connection.close()

    worker = threading.Thread(target=work, name="task-worker")
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()


def in_thread(function: Any, *args: Any) -> Any:
    """Call `function` in a thread of its own: its pushes to the channel layer cannot run in
    this one, where Playwright's event loop runs."""
    result: list[Any] = []

    def work() -> None:
        try:
            result.append(function(*args))
        finally:
            db.connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    return result[0]


def agent_reply(agent: User, conversation_id: int, text: str) -> Message:
    message: Message = in_thread(actions.reply, agent, conversation_id, text)
    return message


def wait_for(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def send_in_widget(page: Any, text: str) -> None:
    page.fill("textarea[placeholder='Écrivez votre message…']", text)
    page.keyboard.press("Enter")


def test_a_visitor_chats_with_an_agent_and_loses_nothing_in_a_network_cut(
    browser: Any, site: Site, chat: tuple[Inbox, Inbox], asgi_live_server: LiveServer,
    agent: User,
) -> None:
    from playwright.sync_api import expect

    inbox, _ = chat
    with visitor_page(browser) as (visitor_context, visitor, errors):
        visitor.goto(site.page("/"))
        # Keyboard only: the launcher, then the customer's choice.
        visitor.get_by_role("button", name="Discuter avec nous").focus()
        visitor.keyboard.press("Enter")
        expect(visitor.get_by_text("Un conseiller répond en moins de 2 minutes.")).to_be_visible()
        screenshot(visitor, "webchat-choice-fr")
        visitor.get_by_role("button", name="Discuter maintenant").click()
        send_in_widget(visitor, "Bonjour, ma commande 4471 n'est pas arrivée.")
        expect(visitor.locator(".msg.visitor .state")).to_have_text("Envoyé")
        conversation = Conversation.objects.get(inbox=inbox)

        # The agent answers from the workspace, in another browser.
        agent_context = browser.new_context(locale="fr-FR")
        workspace = agent_context.new_page()
        workspace.set_default_timeout(10_000)
        log_in(workspace, asgi_live_server, "bob@example.com", "pw-bob-123")
        workspace.goto(f"{asgi_live_server.url}/conversations/{conversation.pk}/")
        expect(workspace.locator("#timeline")).to_contain_text("commande 4471")
        # The agent starts typing: the visitor sees who.
        in_thread(notify_agent_typing, conversation, agent.display_name, True)
        expect(visitor.get_by_text(f"{agent.display_name} écrit…")).to_be_visible()
        workspace.fill("#reply-text", "Bonjour ! Je regarde votre colis.")
        workspace.get_by_role("button", name="Envoyer la réponse").click()
        expect(workspace.locator(".message-outgoing").last).to_contain_text("Je regarde")
        run_worker_once()
        agent_line = visitor.locator(".msg.agent").first
        expect(agent_line).to_contain_text("Je regarde votre colis.")
        expect(agent_line).to_contain_text(agent.display_name)
        # The live region announces it to screen readers.
        expect(visitor.get_by_role("log")).to_contain_text("Je regarde votre colis.")
        screenshot(visitor, "webchat-widget-fr")

        # The network drops: what the visitor writes waits in the page, then goes once.
        visitor_context.set_offline(True)
        expect(visitor.get_by_text("Hors ligne")).to_be_visible()
        send_in_widget(visitor, "Le numéro de suivi est FR123.")
        send_in_widget(visitor, "Vous êtes toujours là ?")
        expect(visitor.locator(".msg.visitor .state").last).to_have_text("En attente d'envoi")
        agent_reply(agent, conversation.pk, "Oui, le transporteur confirme : demain.")
        run_worker_once()
        time.sleep(1)
        visitor_context.set_offline(False)

        expect(visitor.locator(".msg.agent").last).to_contain_text("transporteur confirme")
        expect(visitor.locator(".msg.visitor .state")).to_have_text(["Envoyé"] * 3)
        expect(visitor.locator(".msg.visitor")).to_have_count(3)
        expect(visitor.locator(".msg.agent")).to_have_count(2)
        incoming = list(Message.objects.filter(inbox=inbox, direction=Direction.INCOMING)
                        .values_list("text", flat=True))
        assert incoming == [
            "Bonjour, ma commande 4471 n'est pas arrivée.",
            "Le numéro de suivi est FR123.",
            "Vous êtes toujours là ?",
        ]
        # Read receipts: the open widget showed the agent's replies.
        first_reply = Message.objects.filter(
            inbox=inbox, direction=Direction.OUTGOING).order_by("id").first()
        assert first_reply is not None
        wait_for(lambda: Message.objects.get(pk=first_reply.pk).delivery_status == "read",
                 timeout=15)
        expect(workspace.locator("#timeline")).to_contain_text("Vous êtes toujours là ?")
        agent_context.close()
        assert errors == [], errors


def test_a_visitor_who_left_gets_the_reply_by_email_and_answers_on_the_conversation(
    browser: Any, site: Site, chat: tuple[Inbox, Inbox], asgi_live_server: LiveServer,
    agent: User, admin: User, smtp_server: SmtpRecorder,
) -> None:
    from playwright.sync_api import expect

    inbox, support = chat
    with visitor_page(browser) as (context, visitor, errors):
        visitor.goto(site.page("/"))
        visitor.get_by_role("button", name="Discuter avec nous").click()
        visitor.get_by_role("button", name="Laisser un e-mail").click()
        visitor.get_by_label("Votre e-mail").fill("jeanne.martin@example.fr")
        visitor.locator("form.stack textarea").fill("Pouvez-vous me rappeler pour la facture ?")
        visitor.locator("form.stack").get_by_role("button", name="Envoyer").click()
        expect(visitor.get_by_text("Merci, nous vous répondrons par e-mail.")).to_be_visible()
        assert errors == [], errors
        visitor.close()  # the visitor goes away

        conversation = Conversation.objects.get(inbox=inbox)
        answer = agent_reply(agent, conversation.pk, "Votre facture est dans votre espace.")
        run_worker_once()
        time.sleep(1.2)  # away_after_seconds: nobody saw it
        run_worker_once()
        wait_for(lambda: smtp_server.messages)
        sent = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
        assert smtp_server.envelopes[-1][1] == ["jeanne.martin@example.fr"]
        assert "Votre facture est dans votre espace." in sent.get_body(("plain",)).get_content()
        answer.refresh_from_db()
        assert answer.metadata["email"]["message_id"] == sent["Message-ID"]

        # Her mail answer, through the raw-MIME intake of the support mailbox.
        raw = make_mail(sender="Jeanne Martin <jeanne.martin@example.fr>",
                        subject="Re: " + sent["Subject"], body="Merci, je l'ai trouvée !",
                        message_id="<merci-1@example.fr>", in_reply_to=sent["Message-ID"],
                        references=sent["Message-ID"])
        request = urllib.request.Request(
            f"{asgi_live_server.url}/api/v1/inboxes/{support.pk}/email", data=raw,
            headers={"Authorization": f"Bearer {issue_token(admin)}",
                     "Content-Type": "message/rfc822"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        assert Message.objects.filter(
            conversation=conversation, text__startswith="Merci, je l'ai trouvée").exists()
        assert not Conversation.objects.filter(inbox=support).exists()

        # Back on the site later, the widget shows the whole exchange.
        page = context.new_page()
        page.goto(site.page("/"))
        page.get_by_role("button", name="Discuter avec nous").click()
        expect(page.locator(".msg.agent")).to_contain_text("Votre facture est dans votre espace.")
        expect(page.locator(".msg.visitor").last).to_contain_text("Merci, je l'ai trouvée")


def test_a_signed_user_joins_their_email_history_and_a_forged_signature_is_refused(
    browser: Any, site: Site, chat: tuple[Inbox, Inbox]
) -> None:
    from playwright.sync_api import expect

    inbox, support = chat
    earlier = ingest(support, inbound("<colis@example.fr>", "Mon colis est abîmé."))
    signed = site.page("/signed", user_id="42", user_email="jeanne.martin@example.fr",
                       user_name="Jeanne Martin", user_hash=user_hash(inbox.secret, "42"))
    forged = site.page("/forged", user_id="42", user_email="jeanne.martin@example.fr",
                       user_hash=user_hash("guessed", "42"))

    with visitor_page(browser) as (_, visitor, errors):
        visitor.goto(signed)
        visitor.get_by_role("button", name="Discuter avec nous").click()
        visitor.get_by_role("button", name="Discuter maintenant").click()
        send_in_widget(visitor, "C'est encore moi pour le colis.")
        expect(visitor.locator(".msg.visitor .state")).to_have_text("Envoyé")
        assert errors == [], errors
    chat_conversation = Conversation.objects.get(inbox=inbox)
    assert chat_conversation.contact_id == earlier.contact_id

    with visitor_page(browser) as (_, visitor, _errors):
        visitor.goto(forged)
        visitor.get_by_role("button", name="Discuter avec nous").click()
        expect(visitor.get_by_role("status").first).to_contain_text("user_hash")
    assert Message.objects.filter(inbox=inbox).count() == 1


def test_a_site_that_forbids_websockets_still_chats_through_long_polling(
    browser: Any, site: Site, chat: tuple[Inbox, Inbox], agent: User
) -> None:
    from playwright.sync_api import expect

    inbox, _ = chat
    site.allows_websockets = False
    with visitor_page(browser) as (_, visitor, _errors):
        visitor.goto(site.page("/"))
        visitor.get_by_role("button", name="Discuter avec nous").click()
        visitor.get_by_role("button", name="Discuter maintenant").click()
        send_in_widget(visitor, "Votre socket est bloqué chez nous.")
        expect(visitor.locator(".msg.visitor .state")).to_have_text("Envoyé", timeout=15_000)
        conversation = Conversation.objects.get(inbox=inbox)
        agent_reply(agent, conversation.pk, "Pas de souci, je vous lis.")
        run_worker_once()

        expect(visitor.locator(".msg.agent")).to_contain_text("Pas de souci, je vous lis.")
    assert Message.objects.filter(inbox=inbox, direction=Direction.INCOMING).count() == 1


def test_outside_business_hours_the_widget_says_when_the_team_is_back(
    browser: Any, site: Site, chat: tuple[Inbox, Inbox]
) -> None:
    from playwright.sync_api import expect

    inbox, _ = chat
    # Open tomorrow only: closed now, back tomorrow at nine.
    tomorrow = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (datetime.datetime.now(datetime.UTC).weekday() + 1) % 7
    ]
    inbox.settings["business_hours"] = {"timezone": "UTC",
                                        "days": {tomorrow: [["09:00", "18:00"]]}}
    inbox.save()
    with visitor_page(browser) as (_, visitor, errors):
        visitor.goto(site.page("/"))
        visitor.get_by_role("button", name="Discuter avec nous").click()
        expect(visitor.get_by_text("L'équipe est absente. Retour prévu :")).to_be_visible()
        expect(visitor.get_by_role("button", name="Discuter maintenant")).to_be_hidden()
        expect(visitor.get_by_role("button", name="Laisser un e-mail")).to_be_visible()
        assert errors == [], errors


def test_the_help_center_in_french_and_english_with_search_and_feedback(
    browser: Any, asgi_live_server: LiveServer, db: Any
) -> None:
    from playwright.sync_api import expect

    from omnicanal.knowledge.demo import load_help_center_demo
    from omnicanal.knowledge.models import ArticleFeedback

    load_help_center_demo()
    with visitor_page(browser, locale="en-GB") as (_, page, errors):
        page.goto(f"{asgi_live_server.url}/help/")
        expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
        page.get_by_role("link", name="Français").click()
        # The article is both in its category's card and among the popular ones.
        expect(page.get_by_role("link", name="Suivre ma commande").first).to_be_visible()
        page.get_by_role("searchbox").fill("entrepôt")
        page.keyboard.press("Enter")
        page.locator(".hc-results").get_by_role("link", name="Suivre ma commande").click()
        expect(page.get_by_role("heading", name="Suivre ma commande")).to_be_visible()
        page.get_by_role("button", name="Oui").click()
        # (Its French wording waits for the translators: the form is gone, the vote is kept.)
        expect(page.locator("#feedback form")).to_have_count(0)
        assert errors == [], errors
    feedback = ArticleFeedback.objects.get()
    assert (feedback.article.slug, feedback.is_helpful) == ("suivre-ma-commande", True)
