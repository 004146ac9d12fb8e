"""The reply form posts files (multipart): stored on the reply, or refused in words beside
the conversation when the channel sends none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Message
from omnicanal.testing.files import PDF, upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_posts_its_files_and_the_timeline_lists_them(agent: User) -> None:
    inbox = Inbox.objects.create(name="Mail", channel=ChannelKind.EMAIL,
                                 settings={"from_address": "support@example.test"})
    conversation_id = ingest(inbox, inbound("<m-1@example.fr>")).conversation_id
    url = reverse("web:conversation_reply", args=[conversation_id])

    page = client_for(agent).get(reverse("web:conversation", args=[conversation_id]))
    assert b'enctype="multipart/form-data"' in page.content
    assert b'name="attachments"' in page.content

    response = client_for(agent).post(url, {
        "text": "Voici la facture.", "attachments": [upload("facture.pdf", PDF)],
    }, **HTMX)

    assert response.status_code == 200
    sent = Message.objects.get(direction="outgoing")
    assert sent.attachments.get().filename == "facture.pdf"
    assert "facture.pdf" in response.content.decode()


def test_a_file_on_a_channel_without_files_is_refused_in_words(agent: User) -> None:
    inbox = Inbox.objects.create(name="SMS", channel=ChannelKind.SMS,
                                 settings={"from_number": "+14155238886"})
    conversation_id = ingest(inbox, inbound("SM1", phone="+33612345678")).conversation_id
    url = reverse("web:conversation_reply", args=[conversation_id])

    response = client_for(agent).post(url, {
        "text": "Voici la facture.", "attachments": [upload("facture.pdf", PDF)],
    }, **HTMX)

    assert response.status_code == 422
    # In the agent's language (French here): the reason, not a bare "refused".
    assert "pas de MMS" in response.content.decode()
    assert not Message.objects.filter(direction="outgoing").exists()
