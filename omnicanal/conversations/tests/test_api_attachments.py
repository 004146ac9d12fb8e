"""POST /api/v1/conversations/{id}/messages with files in base64."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer, inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Message
from omnicanal.testing.files import EXE, PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def post(user: User, conversation_id: int, payload: dict[str, Any], **headers: str) -> Any:
    return Client().post(f"/api/v1/conversations/{conversation_id}/messages",
                         json.dumps(payload), content_type="application/json",
                         **bearer(user), **headers)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.fixture
def email_conversation(email_inbox: Inbox) -> int:
    return ingest(email_inbox, inbound("<m-1@example.fr>")).conversation_id


def test_a_reply_with_a_file_is_stored_and_described(
    agent: User, email_conversation: int
) -> None:
    response = post(agent, email_conversation, {
        "text": "La facture", "attachments": [{"filename": "facture.pdf",
                                               "content_base64": b64(PDF)}],
    }, HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 201
    [described] = response.json()["attachments"]
    assert {k: described[k] for k in ("filename", "content_type", "size")} == {
        "filename": "facture.pdf", "content_type": "application/pdf", "size": len(PDF)}
    # The same key again: the same message, no second file.
    again = post(agent, email_conversation, {
        "text": "La facture", "attachments": [{"filename": "facture.pdf",
                                               "content_base64": b64(PDF)}],
    }, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json()["id"] == response.json()["id"]
    assert Message.objects.get(direction="outgoing").attachments.count() == 1


def test_refusals_say_why(agent: User, email_conversation: int) -> None:
    sms = Inbox.objects.create(name="SMS", channel=ChannelKind.SMS)
    texto = ingest(sms, inbound("SM1", phone="+33612345678")).conversation_id
    cases = [
        (email_conversation, {"filename": "a.pdf", "content_base64": "not base64!"},
         "not valid base64"),
        (email_conversation, {"filename": "a.pdf", "content_base64": b64(EXE)}, "could harm"),
        (texto, {"filename": "a.pdf", "content_base64": b64(PDF)}, "does not send MMS"),
    ]
    for conversation_id, attachment, reason in cases:
        response = post(agent, conversation_id, {"text": "x", "attachments": [attachment]})
        assert response.status_code == 422, response.content
        assert reason in response.json()["detail"]
    note = post(agent, email_conversation, {"text": "x", "is_note": True, "attachments": [
        {"filename": "a.pdf", "content_base64": b64(PDF)}]})
    assert note.status_code == 422
    assert not Message.objects.filter(direction__in=["outgoing", "note"]).exists()
