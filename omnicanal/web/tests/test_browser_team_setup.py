# ruff: noqa: F811 - the mail servers are fixtures imported here, named as parameters
"""A team sets itself up from an empty database, in a real browser, against real mail servers
(issue 13's bar): the setup page creates the administrator, the administrator connects an
e-mail inbox ("test connection" reaches Dovecot and the SMTP receiver) and invites an agent;
the invitation arrives by SMTP, the agent sets a password from its link, goes online, is given
the customer's mail by routing, replies, and the reply reaches the SMTP receiver."""

from __future__ import annotations

import email
import itertools
import re
import time
from email import policy
from typing import Any

from imapclient import IMAPClient
from playwright.sync_api import expect

from omnicanal.accounts.models import Role, User
from omnicanal.connectors.email.imap import fetch_inbox
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.testing.mail_servers import (  # noqa: F401 - fixtures
    SMTP_PASSWORD,
    SMTP_USERNAME,
    SUPPORT_ADDRESS,
    Dovecot,
    SmtpRecorder,
    dovecot,
    make_mail,
    smtp_server,
)
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.web.tests.browser import BROWSER_MARKS, wait_until_live

pytestmark = BROWSER_MARKS

_folders = itertools.count(1)
CUSTOMER = "jeanne.martin@example.fr"


def received(smtp: SmtpRecorder, to: str) -> list[email.message.EmailMessage]:
    messages = [email.message_from_bytes(raw, policy=policy.default) for raw in smtp.messages]
    return [message for message in messages if to in str(message["To"])]  # type: ignore[misc]


def body(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content())


def wait_for(condition: Any, what: str, seconds: float = 5) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds} s")


def test_a_team_sets_itself_up_from_an_empty_database(
    asgi_live_server: LiveServer, playwright_page: Any, dovecot: Dovecot,
    smtp_server: SmtpRecorder, settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.DEFAULT_FROM_EMAIL = "Omnicanal <noreply@omnicanal.test>"
    folder = f"Setup{next(_folders)}"
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.create_folder(folder)
    server, page = asgi_live_server, playwright_page
    assert not User.objects.exists()

    # 1. The setup page is the only way in; it creates the administrator.
    page.goto(f"{server.url}/")
    page.wait_for_url(f"{server.url}/setup/")
    page.fill("#id_name", "Inès Martin")
    page.fill("#id_email", "ines@example.fr")
    page.fill("#id_password1", "un-long-mot-de-passe")
    page.fill("#id_password2", "un-long-mot-de-passe")
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(r"/settings/inboxes/new/\?welcome=1$"))
    assert User.objects.get().role == Role.ADMINISTRATOR

    # 2. The first inbox: e-mail, tested against the real servers before it is created.
    page.locator('a[href^="/settings/inboxes/new/email/"]').click()
    fields = {
        "name": "Support", "from_address": SUPPORT_ADDRESS,
        "smtp_host": "127.0.0.1", "smtp_port": str(smtp_server.port),
        "smtp_username": SMTP_USERNAME, "smtp_password": SMTP_PASSWORD,
        "imap_host": dovecot.host, "imap_port": str(dovecot.port),
        "imap_username": dovecot.username, "imap_password": dovecot.password,
        "imap_mailbox": folder,
    }

    def fill_inbox_form() -> None:
        for name, value in fields.items():
            page.fill(f"#id_{name}", value)
        page.select_option("#id_smtp_security", "none")
        page.select_option("#id_imap_security", "none")

    fill_inbox_form()
    page.locator("button[name=do][value=check]").click()
    expect(page.locator("#check-results .check-ok")).to_have_count(2)
    assert not Inbox.objects.exists()
    # Passwords are never sent back to the browser: typed again to create the inbox.
    fill_inbox_form()
    page.locator("#inbox-form button.primary").click()
    page.wait_for_url(re.compile(r"/settings/inboxes/\d+/$"))
    inbox = Inbox.objects.get()
    assert inbox.channel == "email" and inbox.is_active

    # 3. An agent is invited; the invitation arrives at the mail server.
    page.goto(f"{server.url}/settings/agents/invite/")
    page.fill("input[name=email]", "nina@example.fr")
    page.fill("input[name=name]", "Nina Durand")
    page.locator("#main form button.primary").click()
    page.wait_for_url(re.compile(r"/settings/agents/\d+/$"))
    run_queued_tasks()
    [invitation] = received(smtp_server, "nina@example.fr")
    link = re.search(r"http://\S+/invitation/\S+/", body(invitation))
    assert link is not None, body(invitation)

    # 4. The agent sets a password from the link, lands in the workspace and goes online.
    page.context.clear_cookies()
    page.goto(link[0])
    page.fill("input[name=new_password1]", "nina-choisit-une-phrase")
    page.fill("input[name=new_password2]", "nina-choisit-une-phrase")
    page.locator("form button.primary").click()
    page.wait_for_url(f"{server.url}/")
    wait_until_live(page)
    page.locator("#presence button[value=online]").click()
    expect(page.locator("#presence button[value=online]")).to_have_attribute(
        "aria-pressed", "true")
    nina = User.objects.get(email="nina@example.fr")

    # 5. A customer writes; the mail is fetched and routing gives it to the online agent.
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.append(folder, make_mail(sender=f"Jeanne Martin <{CUSTOMER}>",
                                        subject="Ma commande 4471",
                                        message_id="<setup-1@example.fr>"))
    fetch_inbox(inbox)
    conversation = wait_for(
        lambda: Conversation.objects.filter(inbox=inbox, assignee=nina).first(),
        "the conversation assigned to the online agent",
    )
    # The mail was fetched outside the web server (here the test, in production the worker):
    # the embedded runtime's in-process channel layer does not carry its push, so the agent
    # sees it on the next load of the list.
    page.reload()
    expect(page.locator("#main")).to_contain_text("Ma commande 4471")

    # 6. The agent replies; the reply reaches the customer's mail server.
    page.goto(f"{server.url}/conversations/{conversation.pk}/")
    page.fill("#reply-text", "Bonjour Jeanne, votre colis part aujourd'hui.")
    page.locator(".reply-form button.primary").click()
    expect(page.locator(".message-outgoing").last).to_contain_text("votre colis part")
    run_queued_tasks()
    [reply] = received(smtp_server, CUSTOMER)
    assert "votre colis part aujourd'hui" in body(reply)
    assert str(reply["From"]).endswith(f"<{SUPPORT_ADDRESS}>")
    assert "Ma commande 4471" in str(reply["Subject"])

