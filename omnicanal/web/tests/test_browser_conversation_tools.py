"""The conversation tools in a real browser: export downloads, merge, split, and a reply by
SMS on an e-mail conversation reaching the SMS provider (a local Twilio stub).

Screenshots go to test-artifacts/ for review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import ThreadHints
from omnicanal.connectors.twilio.tests.stub import ACCOUNT_SID, AUTH_TOKEN, TwilioStub
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Message
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, screenshot, wait_until_live
from omnicanal.web.tests.test_browser import run_worker_once

pytestmark = BROWSER_MARKS

OUR_NUMBER = "+14155238886"


@pytest.fixture
def twilio() -> Iterator[TwilioStub]:
    stub = TwilioStub()
    yield stub
    stub.close()


def open_conversation(page: Any, server: LiveServer, conversation_id: int) -> None:
    log_in(page, server, "bob@example.com", "pw-bob-123")
    page.goto(f"{server.url}/conversations/{conversation_id}/")
    wait_until_live(page)


def test_an_agent_downloads_the_transcript_as_html_and_json(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    result = ingest(shop, inbound("m-1", "Ma commande 4417 n'est pas arrivée."))
    actions.reply(agent, result.conversation_id, "Je relance le transporteur.")
    actions.add_note(agent, result.conversation_id, "Client fidèle : geste possible")

    open_conversation(page, asgi_live_server, result.conversation_id)
    page.locator("#more-menu-button").click()
    page.locator("#more-menu [data-open-dialog=export-dialog]").click()
    expect(page.locator("#export-form")).to_be_visible()
    screenshot(page, "conversation-tools-menu-fr")

    with page.expect_download() as html_download:
        page.locator("#export-form button[value=html]").click()
    html = html_download.value
    assert html.suggested_filename.startswith(f"conversation-{result.conversation_id}-")
    assert html.suggested_filename.endswith(".html")
    html_text = Path(html.path()).read_text()
    assert "Ma commande 4417" in html_text and "Je relance le transporteur." in html_text
    assert "geste possible" not in html_text

    # With the notes ticked, the JSON carries them, labelled as internal.
    page.locator("#export-form input[name=notes]").check()
    with page.expect_download() as json_download:
        page.locator("#export-form button[value=json]").click()
    download = json_download.value
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text())
    assert [(m["direction"], m["text"]) for m in data["messages"]] == [
        ("incoming", "Ma commande 4417 n'est pas arrivée."),
        ("outgoing", "Je relance le transporteur."),
        ("note", "Client fidèle : geste possible"),
    ]
    assert data["messages"][-1]["is_internal"] is True

    # The HTML file stands alone: opened from disk, it shows the conversation.
    saved = tmp_path / html.suggested_filename
    html.save_as(saved)
    page.goto(saved.as_uri())
    expect(page.locator("h1")).to_contain_text("Ma commande 4417")
    expect(page.locator(".message-outgoing")).to_contain_text("Je relance le transporteur.")
    screenshot(page, "conversation-transcript")
    page.emulate_media(media="print")
    expect(page.locator(".print-hint")).to_be_hidden()


def test_merging_shows_the_merged_messages_in_the_target(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    email = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL)
    chat = Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)
    target = ingest(email, inbound("<colis-1@example.fr>", "Mon colis 4417 est abîmé.",
                                   thread=ThreadHints(subject="Colis abîmé")))
    source = ingest(chat, inbound("chat-1", "Je vous ai envoyé une photo du colis par mail."))

    open_conversation(page, asgi_live_server, source.conversation_id)
    page.locator("#more-menu-button").click()
    page.locator("#more-menu [data-open-dialog=merge-dialog]").click()
    page.select_option("#merge-target", str(target.conversation_id))
    page.locator("#merge-button").click()

    page.wait_for_url(f"{asgi_live_server.url}/conversations/{target.conversation_id}/")
    # Both requests, in time order, in one stretch of the target's timeline.
    merged = page.locator(".current-conversation", has_text="Mon colis 4417 est abîmé.")
    expect(merged.locator(".message-incoming")).to_have_count(2)
    expect(merged.locator(".message-incoming").last).to_contain_text(
        "Je vous ai envoyé une photo du colis par mail.")
    # The moved message says which channel it came by; an activity line links the source.
    expect(merged.locator(".tag-via")).to_contain_text("Chat web")
    source_link = f'.current-conversation .activity a[href="/conversations/{source.conversation_id}/"]'
    expect(page.locator(source_link)).to_be_visible()
    screenshot(page, "conversation-merged-fr")
    assert Conversation.objects.get(pk=source.conversation_id).merged_into_id == (
        target.conversation_id
    )


def test_splitting_a_message_creates_a_new_conversation(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    first = ingest(shop, inbound("m-1", "Ma commande 4417 n'est pas arrivée."))
    second = ingest(shop, inbound("m-2", "Autre chose : mon adresse de facturation a changé."))
    assert second.conversation_id == first.conversation_id

    open_conversation(page, asgi_live_server, first.conversation_id)
    message = page.locator(f'.message[data-message-id="{second.message_id}"]')
    message.locator(".message-split button").click()

    page.wait_for_url(f"{asgi_live_server.url}/conversations/{first.conversation_id}/")
    new = Conversation.objects.exclude(pk=first.conversation_id).get()
    link = page.locator(f'.current-conversation .activity a[href="/conversations/{new.pk}/"]')
    expect(link).to_be_visible()
    screenshot(page, "conversation-split-fr")
    link.click()
    page.wait_for_url(f"{asgi_live_server.url}/conversations/{new.pk}/")
    expect(page.locator("#conversation-title")).to_contain_text("Autre chose")
    moved = page.locator(".current-conversation .message-incoming")
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text("mon adresse de facturation")


def test_a_reply_by_sms_on_an_email_conversation_reaches_the_sms_provider(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, twilio: TwilioStub
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    email = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL)
    sms = Inbox.objects.create(
        name="SMS boutique", channel=ChannelKind.SMS,
        settings={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                  "from_number": OUR_NUMBER, "api_base": twilio.url},
    )
    result = ingest(email, inbound("<rappel-1@example.fr>", "Pouvez-vous me rappeler ?",
                                   phone="+33612345678",
                                   thread=ThreadHints(subject="Rappel")))

    open_conversation(page, asgi_live_server, result.conversation_id)
    choice = page.locator("#reply-via option", has_text="+33612345678")
    page.select_option("#reply-via", choice.get_attribute("value"))
    page.fill("#reply-text", "Je vous rappelle à 14 h.")
    screenshot(page, "conversation-reply-via-sms-fr")
    page.locator(".reply-form button[type=submit]").click()
    reply = page.locator(".message-outgoing").last
    expect(reply).to_contain_text("Je vous rappelle à 14 h.")
    expect(reply.locator(".tag-via")).to_contain_text("+33612345678")

    run_worker_once()

    sent = [r.form() for r in twilio.requests
            if r.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"]
    assert sent == [{"To": "+33612345678", "From": OUR_NUMBER,
                     "Body": "Je vous rappelle à 14 h."}]
    message = Message.objects.get(direction="outgoing")
    assert (message.conversation_id, message.inbox_id) == (result.conversation_id, sms.pk)
    assert message.delivery_status == "sent"
    page.reload()
    expect(page.locator(".message-outgoing").last).to_contain_text("Envoyé")
