"""The conversation page beyond text: the channel's reply window, web chat typing, and what
the message metadata records (deletions, edits, reactions, attachments and their failures)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conversations import actions
from omnicanal.conversations.models import (
    Attachment,
    ChannelKind,
    Conversation,
    Direction,
    Inbox,
    Message,
)
from omnicanal.web.tests.test_views import client_for, conversation_url, receive


@pytest.fixture
def whatsapp_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="WhatsApp boutique", channel=ChannelKind.WHATSAPP)


@pytest.fixture
def chat_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)


def _customer_wrote(conversation: Conversation, ago: dt.timedelta) -> None:
    moment = timezone.now() - ago
    Message.objects.filter(conversation=conversation, direction=Direction.INCOMING).update(
        created_at=moment, sent_at=moment
    )


def _page(agent: User, conversation: Conversation) -> str:
    return client_for(agent).get(conversation_url(conversation)).content.decode()


# The channel's reply window.


def test_a_closed_whatsapp_window_is_shown_above_the_reply_box(
    agent: User, whatsapp_inbox: Inbox
) -> None:
    conversation = receive(whatsapp_inbox, "wa-1", phone="+33612345678")
    _customer_wrote(conversation, dt.timedelta(hours=25))

    page = _page(agent, conversation)

    assert 'id="reply-restriction"' in page
    assert "WhatsApp" in page and "24" in page.split('id="reply-restriction"')[1][:400]
    # A warning only: the reply box stays usable.
    assert page.index('id="reply-restriction"') < page.index('id="reply-text"')
    assert '<textarea id="reply-text" name="text" rows="2" required' in page


def test_an_open_whatsapp_window_shows_no_warning(agent: User, whatsapp_inbox: Inbox) -> None:
    conversation = receive(whatsapp_inbox, "wa-1", phone="+33612345678")
    _customer_wrote(conversation, dt.timedelta(hours=1))

    assert 'id="reply-restriction"' not in _page(agent, conversation)


def test_a_channel_without_window_shows_no_warning(agent: User, api_inbox: Inbox) -> None:
    conversation = receive(api_inbox, "m-1")
    _customer_wrote(conversation, dt.timedelta(days=30))

    assert 'id="reply-restriction"' not in _page(agent, conversation)


def test_the_live_refresh_carries_the_warning_too(agent: User, whatsapp_inbox: Inbox) -> None:
    conversation = receive(whatsapp_inbox, "wa-1", phone="+33612345678")
    _customer_wrote(conversation, dt.timedelta(hours=25))

    fragment = client_for(agent).get(
        conversation_url(conversation), HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'id="reply-restriction"' in fragment


# Typing, both ways, on the web chat.


def test_a_web_chat_conversation_carries_the_typing_texts_and_endpoint(
    agent: User, chat_inbox: Inbox
) -> None:
    conversation = receive(chat_inbox, "wc-1")

    page = _page(agent, conversation)

    assert 'id="customer-typing"' in page
    assert 'aria-live="polite"' in page.split('id="customer-typing"')[1][:300]
    assert "Le client écrit…" in page
    url = reverse("webchat:agent_typing", args=[conversation.pk])
    assert f'data-agent-typing-url="{url}"' in page


def test_other_channels_have_no_typing(agent: User, api_inbox: Inbox) -> None:
    page = _page(agent, receive(api_inbox, "m-1"))

    assert 'id="customer-typing"' not in page
    assert "data-agent-typing-url" not in page
    assert "Le client écrit" not in page


# Message metadata.


def _set_metadata(conversation: Conversation, **metadata: Any) -> Message:
    message = Message.objects.get(conversation=conversation, direction=Direction.INCOMING)
    Message.objects.filter(pk=message.pk).update(metadata={**message.metadata, **metadata})
    message.refresh_from_db()
    return message


def test_a_message_deleted_by_the_customer_stays_struck_through(
    agent: User, api_inbox: Inbox
) -> None:
    conversation = receive(api_inbox, "m-1", "Annulez ma commande")
    _set_metadata(conversation, deleted_at=timezone.now().isoformat())

    page = _page(agent, conversation)

    assert "Message supprimé par le client" in page
    assert "<s>Annulez ma commande</s>" in page


def test_an_edited_message_is_marked(agent: User, api_inbox: Inbox) -> None:
    conversation = receive(api_inbox, "m-1", "Nouveau texte")
    page = _page(agent, conversation)
    assert "tag-edited" not in page

    _set_metadata(conversation, edit_history=[{"text": "Ancien", "replaced_at": "x"}])

    page = _page(agent, conversation)
    assert "tag-edited" in page
    assert "modifié" in page
    # The earlier versions stay at hand, struck through.
    assert "<s>Ancien</s>" in page


def test_reactions_are_listed(agent: User, api_inbox: Inbox) -> None:
    conversation = receive(api_inbox, "m-1")
    _set_metadata(conversation, reactions={
        "+33612345678": {"emoji": "👍", "at": "2026-01-01T00:00:00+00:00"},
        "other": "❤️",
    })

    page = _page(agent, conversation)

    reactions = page.split('class="reactions"')[1].split("</ul>")[0]
    assert "👍" in reactions and "❤️" in reactions


def _attachment(conversation: Conversation, **fields: Any) -> Attachment:
    message = Message.objects.get(conversation=conversation, direction=Direction.INCOMING)
    return Attachment.objects.create(message=message, **fields)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_media_error_shows_its_reason_and_no_link(agent: User, api_inbox: Inbox) -> None:
    conversation = receive(api_inbox, "m-1")
    attachment = _attachment(conversation, filename="photo.jpg", remote_ref="media-42")
    _set_metadata(conversation, media_errors={str(attachment.pk): "HTTP 404 from Meta"})

    page = _page(agent, conversation)

    assert "photo.jpg" in page
    assert "HTTP 404 from Meta" in page
    assert reverse("web:attachment_download", args=[attachment.pk]) not in page


def test_a_fetched_attachment_links_to_the_download(
    agent: User, api_inbox: Inbox, media_root: Path
) -> None:
    conversation = receive(api_inbox, "m-1")
    attachment = _attachment(conversation, filename="facture.pdf", content_type="application/pdf")
    attachment.file.save("facture.pdf", ContentFile(b"%PDF-1.4"))

    page = _page(agent, conversation)

    url = reverse("web:attachment_download", args=[attachment.pk])
    assert f'<a href="{url}">facture.pdf</a>' in page


def test_a_document_downloads_as_an_attachment(
    agent: User, api_inbox: Inbox, media_root: Path
) -> None:
    conversation = receive(api_inbox, "m-1")
    attachment = _attachment(conversation, filename="facture.pdf", content_type="application/pdf")
    attachment.file.save("facture.pdf", ContentFile(b"%PDF-1.4 data"))

    response = client_for(agent).get(reverse("web:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 data"  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="facture.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_is_shown_inline_but_an_svg_is_downloaded(
    agent: User, api_inbox: Inbox, media_root: Path
) -> None:
    conversation = receive(api_inbox, "m-1")
    photo = _attachment(conversation, filename="photo.png", content_type="image/png")
    photo.file.save("photo.png", ContentFile(b"\x89PNG"))
    drawing = _attachment(conversation, filename="x.svg", content_type="image/svg+xml")
    drawing.file.save("x.svg", ContentFile(b"<svg onload='alert(1)'/>"))
    client = client_for(agent)

    inline = client.get(reverse("web:attachment_download", args=[photo.pk]))
    svg = client.get(reverse("web:attachment_download", args=[drawing.pk]))

    assert inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline")
    assert inline["X-Content-Type-Options"] == "nosniff"
    assert svg["Content-Disposition"].startswith("attachment")


def test_an_attachment_not_fetched_yet_is_a_404(agent: User, api_inbox: Inbox) -> None:
    conversation = receive(api_inbox, "m-1")
    attachment = _attachment(conversation, filename="photo.jpg", remote_ref="media-42")

    response = client_for(agent).get(reverse("web:attachment_download", args=[attachment.pk]))

    assert response.status_code == 404


def test_an_unknown_attachment_is_a_404(agent: User) -> None:
    response = client_for(agent).get(reverse("web:attachment_download", args=[999999]))

    assert response.status_code == 404


def test_the_download_needs_a_login(api_inbox: Inbox, media_root: Path) -> None:
    from django.test import Client

    conversation = receive(api_inbox, "m-1")
    attachment = _attachment(conversation, filename="a.pdf", content_type="application/pdf")
    attachment.file.save("a.pdf", ContentFile(b"secret"))

    response = Client().get(reverse("web:attachment_download", args=[attachment.pk]))

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_download_needs_access_to_the_conversation(
    agent: User, api_inbox: Inbox, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = receive(api_inbox, "m-1")
    attachment = _attachment(conversation, filename="a.pdf", content_type="application/pdf")
    attachment.file.save("a.pdf", ContentFile(b"secret"))

    def nothing_visible(user: User) -> QuerySet[Conversation]:
        return Conversation.objects.none()

    monkeypatch.setattr(actions, "visible_conversations", nothing_visible)
    response = client_for(agent).get(reverse("web:attachment_download", args=[attachment.pk]))

    assert response.status_code == 404
