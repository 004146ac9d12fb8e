"""A reply's file through the Send API: the text, then the file as an attachment whose url
Meta fetches from our signed link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.meta.tests.conftest import CUSTOMER, payload, post_signed
from omnicanal.connectors.meta.tests.stub import SendApiStub
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.tests.stubs import as_json
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message
from omnicanal.core.exceptions import InvalidInput
from omnicanal.testing.files import PDF, PNG, open_link, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_URL = "https://help.example.test"


def _conversation_id(inbox: Inbox, fixture: str = "messenger_batch.json") -> int:
    post_signed(inbox, payload(fixture))
    return Message.objects.get().conversation_id


def test_a_messenger_reply_sends_the_text_then_the_file(
    agent: User, messenger_inbox: Inbox, send_api: SendApiStub
) -> None:
    message = reply(agent, _conversation_id(messenger_inbox), "Votre facture :",
                    attachments=[upload("facture.pdf", PDF)])
    # Meta's answer to the text; the file's request is then checked by the stub.
    send_api.queue(as_json(200, {"recipient_id": CUSTOMER, "message_id": "m_TEXT"}))

    assert send_message.call(message.pk) == "sent"

    text, file = [r.json() for r in send_api.requests if r.path == "/v21.0/me/messages"]
    assert text == {"recipient": {"id": CUSTOMER}, "message": {"text": "Votre facture :"},
                    "messaging_type": "RESPONSE"}
    url = file["message"]["attachment"]["payload"]["url"]
    assert file == {"recipient": {"id": CUSTOMER}, "messaging_type": "RESPONSE",
                    "message": {"attachment": {"type": "file", "payload": {
                        "url": url, "is_reusable": False}}}}
    assert open_link(url)[:2] == (200, PDF)
    message.refresh_from_db()
    # The file's id: its statuses are the ones the agent sees.
    assert message.provider_message_id.startswith("m_OUT")


def test_instagram_takes_images_but_not_documents(
    agent: User, instagram_inbox: Inbox, send_api: SendApiStub
) -> None:
    conversation_id = _conversation_id(instagram_inbox, "instagram_message.json")
    with pytest.raises(InvalidInput, match=r"Instagram .*facture\.pdf"):
        reply(agent, conversation_id, "", attachments=[upload("facture.pdf", PDF)])

    message = reply(agent, conversation_id, "", attachments=[upload("photo.png", PNG)])
    assert send_message.call(message.pk) == "sent"

    [sent] = [r.json() for r in send_api.requests if r.path == "/v21.0/me/messages"]
    assert sent["message"]["attachment"]["type"] == "image"
