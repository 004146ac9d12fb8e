"""A reply's file through the Cloud API: a media message whose `link` Meta fetches from our
signed link, with the text as its caption."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.whatsapp_cloud.tests.conftest import payload, post_signed
from omnicanal.connectors.whatsapp_cloud.tests.stub import PHONE_NUMBER_ID, WhatsAppCloudStub
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message
from omnicanal.testing.files import PDF, PNG, open_link, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_URL = "https://help.example.test"


def _conversation_id(inbox: Inbox) -> int:
    post_signed(inbox, payload("message", "text"))
    return Message.objects.get().conversation_id


def sent_bodies(cloud: WhatsAppCloudStub) -> list[dict[str, Any]]:
    return [r.json() for r in cloud.requests
            if r.method == "POST" and r.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"]


def test_an_image_goes_as_an_image_message_with_the_text_as_caption(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    message = reply(agent, _conversation_id(cloud_inbox), "Voici l'étiquette.",
                    attachments=[upload("etiquette.png", PNG)])

    assert send_message.call(message.pk) == "sent"

    [body] = sent_bodies(cloud)
    link = body["image"]["link"]
    assert body == {"messaging_product": "whatsapp", "recipient_type": "individual",
                    "to": "972987654321", "type": "image",
                    "image": {"link": link, "caption": "Voici l'étiquette."}}
    assert link.startswith("https://help.example.test/files/")
    assert open_link(link)[:2] == (200, PNG)
    message.refresh_from_db()
    assert message.delivery_status == "sent"


def test_a_pdf_goes_as_a_document_with_its_filename(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    message = reply(agent, _conversation_id(cloud_inbox), "",
                    attachments=[upload("facture.pdf", PDF)])

    assert send_message.call(message.pk) == "sent"

    [body] = sent_bodies(cloud)
    assert body["type"] == "document"
    assert body["document"]["filename"] == "facture.pdf"
    assert "caption" not in body["document"]
    assert open_link(body["document"]["link"])[:2] == (200, PDF)


def test_a_text_too_long_for_a_caption_goes_first_on_its_own(
    agent: User, cloud_inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    text = "Détails : " + "x" * 1100
    message = reply(agent, _conversation_id(cloud_inbox), text,
                    attachments=[upload("etiquette.png", PNG)])

    assert send_message.call(message.pk) == "sent"

    first, second = sent_bodies(cloud)
    assert first["type"] == "text" and first["text"]["body"] == text
    assert second["type"] == "image" and "caption" not in second["image"]
