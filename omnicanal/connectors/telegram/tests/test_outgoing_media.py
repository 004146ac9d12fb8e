"""A reply's file through the Bot API: uploaded (multipart/form-data), a photo by sendPhoto,
anything else by sendDocument, with the text as caption."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.telegram.tests.conftest import post_update, update
from omnicanal.connectors.telegram.tests.stub import BOT_TOKEN, BotApiStub
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message
from omnicanal.testing.files import PDF, PNG, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    # An upload needs no public link: Telegram works without PUBLIC_URL.
    settings.PUBLIC_URL = ""


def _conversation_id(inbox: Inbox) -> int:
    post_update(inbox, update("official_webhook_guide_examples/02_message_text.json"))
    return Message.objects.get().conversation_id


def test_a_pdf_is_uploaded_by_send_document_with_its_caption(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    message = reply(agent, _conversation_id(telegram_inbox), "Votre facture",
                    attachments=[upload("facture.pdf", PDF)])

    assert send_message.call(message.pk) == "sent"

    request = bot_api.requests[-1]
    assert request.path == f"/bot{BOT_TOKEN}/sendDocument"
    assert request.multipart() == {
        "chat_id": ("", "text/plain", b"1111111"),
        "caption": ("", "text/plain", b"Votre facture"),
        "document": ("facture.pdf", "application/pdf", PDF),
    }
    message.refresh_from_db()
    assert message.provider_message_id.startswith("1111111:")


def test_an_image_is_uploaded_by_send_photo(
    agent: User, telegram_inbox: Inbox, bot_api: BotApiStub
) -> None:
    message = reply(agent, _conversation_id(telegram_inbox), "",
                    attachments=[upload("photo.png", PNG)])

    assert send_message.call(message.pk) == "sent"

    request = bot_api.requests[-1]
    assert request.path == f"/bot{BOT_TOKEN}/sendPhoto"
    parts = request.multipart()
    assert parts["photo"] == ("photo.png", "image/png", PNG)
    assert "caption" not in parts
