"""The signed public links to our replies' files: what providers and web chat visitors fetch
without an account, and what they cannot."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.core import signing

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.media_links import public_link, token_for, visitor_links
from omnicanal.connectors.webchat.actions import serialize_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Attachment, ChannelKind, Inbox
from omnicanal.testing.files import PDF, PNG, open_link, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_URL = "https://help.example.test"


@pytest.fixture
def sent_file(agent: User) -> Attachment:
    inbox = Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT)
    conversation_id = ingest(inbox, inbound("chat-1")).conversation_id
    message = reply(agent, conversation_id, "La facture",
                    attachments=[upload("facture.pdf", PDF)])
    return message.attachments.get()


def test_a_valid_link_serves_the_file_as_a_download_to_anyone(sent_file: Attachment) -> None:
    status, body, headers = open_link(public_link(sent_file))

    assert (status, body) == (200, PDF)
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == 'attachment; filename="facture.pdf"'
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]


def test_an_expired_link_is_a_404(sent_file: Attachment, settings: Any) -> None:
    link = public_link(sent_file)
    settings.OUTGOING_MEDIA_LINK_SECONDS = 1
    time.sleep(2)  # the signature's timestamp has a one-second resolution

    assert open_link(link)[0] == 404


def test_a_forged_or_altered_link_is_a_404(sent_file: Attachment) -> None:
    link = public_link(sent_file)
    token = link.split("/")[-2]
    # Another attachment's id under this signature, a token signed with another salt (another
    # feature's signed value), and a plain guess.
    signature = token.partition(":")[2]
    altered = token_for(sent_file.pk + 1).partition(":")[0] + ":" + signature
    assert altered != token
    other_salt = signing.dumps(sent_file.pk, salt="something else")
    for bad in (altered, other_salt, "MQ:1tIY7o:abc", token[:-2]):
        assert open_link(link.replace(token, bad))[0] == 404


def test_a_customers_own_file_is_never_served_by_link(agent: User) -> None:
    inbox = Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT)
    result = ingest(inbox, inbound("chat-1"))
    received = Attachment.objects.create(message_id=result.message_id, filename="id.png",
                                         content_type="image/png")
    received.file.save("id.png", upload("id.png", PNG), save=True)

    assert open_link(public_link(received))[0] == 404


def test_the_web_chat_visitor_gets_the_files_of_a_reply(sent_file: Attachment) -> None:
    payload = serialize_message(sent_file.message)

    assert payload["attachments"] == [{
        "name": "facture.pdf", "size": len(PDF), "content_type": "application/pdf",
        "url": public_link(sent_file),
    }]
    assert open_link(payload["attachments"][0]["url"])[:2] == (200, PDF)


def test_without_a_public_address_the_visitor_gets_a_path_on_the_server(
    sent_file: Attachment, settings: Any
) -> None:
    settings.PUBLIC_URL = ""

    [link] = visitor_links(sent_file.message)

    assert link["url"].startswith("/files/")
    assert open_link(link["url"])[:2] == (200, PDF)
