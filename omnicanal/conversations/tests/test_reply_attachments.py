"""An agent's reply with files: what the channel takes, what is refused and why, and what is
stored (the type read from the bytes, not the one the browser claimed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Attachment,
    ChannelKind,
    Conversation,
    Inbox,
    Message,
    OutboxEvent,
)
from omnicanal.core.exceptions import InvalidInput
from omnicanal.testing.files import EXE, PDF, PNG, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_URL = "https://help.example.test"


def conversation_on(channel: str, settings: dict[str, Any] | None = None) -> int:
    inbox = Inbox.objects.create(name=channel, channel=channel, settings=settings or {})
    return ingest(inbox, inbound("m-1", phone="+15005550006")).conversation_id


def refusal(agent: User, conversation_id: int, *files: Any, text: str = "Voici") -> str:
    with pytest.raises(InvalidInput) as caught:
        reply(agent, conversation_id, text, attachments=list(files))
    # Nothing half-written: no message, no file row, nothing for the send task.
    assert not Message.objects.filter(direction="outgoing").exists()
    assert not Attachment.objects.exists()
    assert not OutboxEvent.objects.filter(payload__direction="outgoing").exists()
    return caught.value.message


def test_an_email_reply_stores_its_files_typed_from_their_bytes(agent: User) -> None:
    conversation_id = conversation_on(ChannelKind.EMAIL)

    message = reply(agent, conversation_id, "Voici la facture et la photo.", attachments=[
        # The browser's claimed types are wrong on purpose: the bytes decide.
        upload("facture.pdf", PDF, "image/png"),
        upload("../../etc/photo.png", PNG, "text/html"),
    ])

    stored = list(message.attachments.order_by("id"))
    assert [(a.filename, a.content_type, a.size) for a in stored] == [
        ("facture.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
    ]
    assert stored[0].file.read() == PDF
    assert message.delivery_status == "pending"


def test_a_file_alone_is_a_reply(agent: User) -> None:
    conversation_id = conversation_on(ChannelKind.EMAIL)

    message = reply(agent, conversation_id, "  ", attachments=[upload("plan.pdf", PDF)])

    assert message.text == ""
    assert message.attachments.count() == 1
    with pytest.raises(InvalidInput, match="empty"):
        reply(agent, conversation_id, "  ")


def test_an_sms_number_without_mms_refuses_files_in_words(agent: User) -> None:
    conversation_id = conversation_on(ChannelKind.SMS, {"from_number": "+14155238886"})

    message = refusal(agent, conversation_id, upload("photo.png", PNG))

    assert "does not send MMS" in message
    assert "e-mail or WhatsApp" in message


def test_an_mms_number_takes_images_but_not_a_spreadsheet(agent: User) -> None:
    conversation_id = conversation_on(
        ChannelKind.SMS, {"from_number": "+14155238886", "mms": True}
    )

    message = reply(agent, conversation_id, "Photo", attachments=[upload("photo.png", PNG)])
    assert message.attachments.get().content_type == "image/png"
    Message.objects.filter(direction="outgoing").delete()
    OutboxEvent.objects.all().delete()

    text = refusal(agent, conversation_id, upload("notes.txt", b"quantity;price\n3;4\n"))
    assert "cannot send “notes.txt” (text/plain)" in text


def test_channels_that_send_no_files_say_so(agent: User) -> None:
    for channel in (ChannelKind.API, ChannelKind.VOICE):
        inbox = Inbox.objects.create(name=channel, channel=channel)
        conversation_id = ingest(inbox, inbound(f"{channel}-1")).conversation_id
        assert "cannot send attachments" in refusal(agent, conversation_id,
                                                    upload("a.pdf", PDF))


def test_a_provider_that_fetches_files_needs_the_public_address(
    agent: User, settings: Any
) -> None:
    settings.PUBLIC_URL = ""
    conversation_id = conversation_on(ChannelKind.MESSENGER)

    assert "PUBLIC_URL" in refusal(agent, conversation_id, upload("a.pdf", PDF))


def test_programs_and_pages_are_refused_whatever_their_name(agent: User) -> None:
    conversation_id = conversation_on(ChannelKind.EMAIL)

    # A program renamed as a PDF: its first bytes give it away.
    assert "could harm" in refusal(agent, conversation_id, upload("facture.pdf", EXE))
    # A script is text: its name gives it away.
    assert "could harm" in refusal(agent, conversation_id, upload("run.js", b"alert(1)"))
    assert "could harm" in refusal(
        agent, conversation_id, upload("page.txt", b"<!DOCTYPE html><script>x</script>")
    )


def test_too_many_or_too_large_files_are_refused_with_the_limit(
    agent: User, settings: Any
) -> None:
    email = conversation_on(ChannelKind.EMAIL)
    settings.OUTGOING_ATTACHMENTS_MAX_COUNT = 2
    text = refusal(agent, email, *(upload(f"{n}.pdf", PDF) for n in range(3)))
    assert text == "E-mail takes at most 2 files per message."

    settings.OUTGOING_ATTACHMENT_MAX_BYTES = 1000
    text = refusal(agent, email, upload("big.pdf", PDF + b"0" * 2000))
    assert text == "“big.pdf” is 2.0\xa0KB; E-mail takes files up to 1000\xa0bytes."

    assert refusal(agent, email, upload("empty.pdf", b"")) == "“empty.pdf” is empty."


def test_whatsapp_takes_one_file_per_message(agent: User) -> None:
    inbox = Inbox.objects.create(name="WhatsApp", channel=ChannelKind.WHATSAPP,
                                 settings={"phone_number_id": "1"})
    conversation_id = ingest(inbox, inbound("wamid.1", phone="+33612345678")).conversation_id
    Message.objects.filter(direction="incoming").update(sent_at=timezone.now()
                                                        - dt.timedelta(minutes=5))

    text = refusal(agent, conversation_id, upload("a.png", PNG), upload("b.png", PNG))

    assert text == "WhatsApp takes one file per message: send them one at a time."


def test_a_reply_through_another_channel_follows_that_channels_rules(agent: User) -> None:
    from omnicanal.conversations import tools

    email = conversation_on(ChannelKind.EMAIL)
    sms = Inbox.objects.create(name="SMS", channel=ChannelKind.SMS,
                               settings={"from_number": "+14155238886"})
    [choice] = [c for c in tools.reply_channels(Conversation.objects.get(pk=email))
                if c.inbox == sms]

    with pytest.raises(InvalidInput, match="does not send MMS"):
        tools.reply_via(agent, email, "Voici", inbox_id=sms.pk, identity_id=choice.identity.pk,
                        attachments=[upload("photo.png", PNG)])

    # The conversation's own channel (e-mail) takes it.
    message = reply(agent, email, "Voici", attachments=[upload("photo.png", PNG)])
    assert (message.inbox.channel, message.attachments.count()) == (ChannelKind.EMAIL, 1)
