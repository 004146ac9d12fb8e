"""An agent attaches a file on a WhatsApp conversation and it reaches the provider (a local
Twilio stub) as media: Twilio gets a MediaUrl, fetches our signed link and gets the bytes. On
an SMS number without MMS the same file is refused in words.

Screenshots go to test-artifacts/ for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.twilio.tests.stub import ACCOUNT_SID, AUTH_TOKEN, TwilioStub
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Message
from omnicanal.testing.files import PNG
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot, wait_until_live
from omnicanal.web.tests.test_browser import run_worker_once

pytestmark = BROWSER_MARKS

OUR_NUMBER = "+14155238886"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def twilio() -> Iterator[TwilioStub]:
    stub = TwilioStub()
    # Twilio really fetches each MediaUrl: the stub does too, from the live server.
    stub.fetch_links = True
    yield stub
    stub.close()


def test_a_file_attached_on_whatsapp_reaches_the_provider_as_media(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, twilio: TwilioStub,
    settings: Any, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_URL = asgi_live_server.url
    page = playwright_page
    twilio_settings = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                       "from_number": OUR_NUMBER, "api_base": twilio.url}
    whatsapp = Inbox.objects.create(name="WhatsApp boutique", channel=ChannelKind.WHATSAPP,
                                    settings={"provider": "twilio", **twilio_settings})
    sms = Inbox.objects.create(name="SMS boutique", channel=ChannelKind.SMS,
                               settings=twilio_settings)
    chat = ingest(whatsapp, inbound("SMwa1", "Vous avez l'étiquette de retour ?",
                                    email=None, phone="+33612345678"))
    texto = ingest(sms, inbound("SMsms1", "Et la facture ?", email=None,
                                phone="+33698765432", name="Paul Durand"))

    log_in(page, asgi_live_server, "bob@example.com", "pw-bob-123")
    page.goto(f"{asgi_live_server.url}/conversations/{chat.conversation_id}/")
    wait_until_live(page)
    page.fill("#reply-text", "Voici l'étiquette à imprimer.")
    page.set_input_files("input[name=attachments]", files=[
        {"name": "etiquette-retour.png", "mimeType": "image/png", "buffer": PNG},
    ])
    screenshot(page, "conversation-attachment-fr")
    page.locator(".reply-form button[type=submit]").click()

    sent = page.locator(".message-outgoing").last
    expect(sent).to_contain_text("Voici l'étiquette à imprimer.")
    expect(sent.locator(".attachments")).to_contain_text("etiquette-retour.png")
    # The form is ready for the next reply: no file left in it.
    assert page.locator("input[name=attachments]").evaluate("input => input.files.length") == 0

    run_worker_once()

    [request] = [r for r in twilio.requests if r.path == MESSAGES]
    form = request.form_lists()
    assert form["To"] == ["whatsapp:+33612345678"]
    assert form["Body"] == ["Voici l'étiquette à imprimer."]
    [media_url] = form["MediaUrl"]
    assert media_url.startswith(f"{asgi_live_server.url}/files/")
    [fetched] = twilio.fetched
    assert (fetched.url, fetched.status, fetched.body) == (media_url, 200, PNG)
    assert fetched.content_type == "image/png"
    message = Message.objects.get(direction="outgoing")
    assert message.delivery_status == "sent"

    # The same file on an SMS number that sends no MMS: refused, saying why and what to do.
    page.goto(f"{asgi_live_server.url}/conversations/{texto.conversation_id}/")
    wait_until_live(page)
    page.fill("#reply-text", "Voici la facture.")
    page.set_input_files("input[name=attachments]", files=[
        {"name": "facture.png", "mimeType": "image/png", "buffer": PNG},
    ])
    page.locator(".reply-form button[type=submit]").click()
    expect(page.locator("#alerts")).to_contain_text("MMS")
    screenshot(page, "conversation-attachment-refused-fr")
    assert Message.objects.filter(direction="outgoing").count() == 1
