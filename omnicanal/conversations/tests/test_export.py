"""Transcripts: what each format carries, what stays out, and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import Identity
from omnicanal.conversations import actions, tools
from omnicanal.conversations.export import export_conversation
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Attachment,
    ChannelKind,
    Conversation,
    Inbox,
)
from omnicanal.core.exceptions import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def conversation(api_inbox: Inbox, agent: User) -> Conversation:
    result = ingest(api_inbox, inbound("m-1", "Ma commande 4417 n'est pas arrivée.",
                                       phone="+33612345678"))
    conversation = Conversation.objects.get(pk=result.conversation_id)
    message = conversation.messages.get()
    Attachment.objects.create(message=message, filename="bon-de-commande.pdf",
                              content_type="application/pdf", size=12,
                              file=ContentFile(b"%PDF-1.4 ...", name="bon-de-commande.pdf"))
    actions.reply(agent, conversation.pk, "Je relance le transporteur.")
    actions.add_note(agent, conversation.pk, "Client fidèle : geste commercial possible")
    return conversation


def as_json(agent: User, conversation: Conversation, **options: Any) -> dict[str, Any]:
    exported = export_conversation(agent, conversation.pk, "json", **options)
    data: dict[str, Any] = json.loads(exported.content)
    return data


def test_the_json_has_every_message_with_its_direction_author_channel_and_status(
    agent: User, conversation: Conversation
) -> None:
    data = as_json(agent, conversation,
                   attachment_url=lambda a: f"https://desk.example.com/attachments/{a.pk}/")

    assert data["conversation"]["id"] == conversation.pk
    assert data["contact"]["name"] == "Jeanne Martin"
    assert {"kind": "phone", "value": "+33612345678", "is_verified": True} in (
        data["contact"]["identities"]
    )
    incoming, outgoing = data["messages"]
    assert (incoming["direction"], incoming["author"]["name"], incoming["channel"]) == (
        "incoming", "Jeanne Martin", "api")
    assert incoming["attachments"][0]["filename"] == "bon-de-commande.pdf"
    assert incoming["attachments"][0]["url"].startswith("https://desk.example.com/attachments/")
    assert (outgoing["direction"], outgoing["author"]["name"]) == ("outgoing", "Bob Agent")
    assert outgoing["delivery_status"] == "pending"
    assert outgoing["created_at"] and incoming["sent_at"]


def test_internal_notes_are_left_out_unless_asked_and_then_labelled(
    agent: User, conversation: Conversation
) -> None:
    without = as_json(agent, conversation)
    assert "geste commercial" not in json.dumps(without)
    assert without["includes_internal_notes"] is False

    with_notes = as_json(agent, conversation, include_notes=True)
    note = with_notes["messages"][-1]
    assert (note["direction"], note["is_internal"]) == ("note", True)
    assert "geste commercial" in note["text"]


def test_activity_lines_are_never_exported(agent: User, conversation: Conversation) -> None:
    data = as_json(agent, conversation, include_notes=True)

    assert "activity" not in {m["direction"] for m in data["messages"]}


def test_the_html_is_a_standalone_printable_page_with_the_messages(
    agent: User, conversation: Conversation
) -> None:
    exported = export_conversation(agent, conversation.pk, "html")
    page = exported.content.decode()

    assert exported.filename.startswith(f"conversation-{conversation.pk}-")
    assert exported.filename.endswith(".html")
    assert page.startswith("<!DOCTYPE html>")
    assert "@media print" in page
    assert "Ma commande 4417 n&#x27;est pas arrivée." in page
    assert "Je relance le transporteur." in page
    assert "geste commercial" not in page
    # Nothing is fetched from the workspace: the file reads the same offline.
    assert "<link" not in page and "<script" not in page


def test_the_html_labels_included_notes(agent: User, conversation: Conversation) -> None:
    page = export_conversation(agent, conversation.pk, "html", include_notes=True).content
    text = page.decode()

    assert "geste commercial" in text
    assert "message-note" in text


def test_customer_text_is_escaped_in_the_html(agent: User, api_inbox: Inbox) -> None:
    result = ingest(api_inbox, inbound("m-x", "<script>alert('pii')</script>"))

    page = export_conversation(agent, result.conversation_id, "html").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_a_reply_sent_through_another_channel_says_which(
    agent: User, conversation: Conversation
) -> None:
    sms = Inbox.objects.create(name="SMS", channel=ChannelKind.SMS)
    phone = Identity.objects.get(kind="phone")
    tools.reply_via(agent, conversation.pk, "Rappel par SMS", inbox_id=sms.pk,
                    identity_id=phone.pk)

    last = as_json(agent, conversation)["messages"][-1]

    assert (last["channel"], last["inbox"], last["recipient"]) == ("sms", "SMS", "+33612345678")


def test_every_export_is_audit_logged(agent: User, conversation: Conversation) -> None:
    export_conversation(agent, conversation.pk, "html", include_notes=True)
    export_conversation(agent, conversation.pk, "json")

    entries = list(AuditLogEntry.objects.filter(action="conversation.exported")
                   .order_by("created_at", "id"))
    assert [(e.actor, e.target_id, e.data["format"], e.data["include_notes"])
            for e in entries] == [
        (agent, str(conversation.pk), "html", True),
        (agent, str(conversation.pk), "json", False),
    ]


def test_an_unknown_format_is_refused_and_not_logged(
    agent: User, conversation: Conversation
) -> None:
    with pytest.raises(InvalidInput):
        export_conversation(agent, conversation.pk, "pdf")
    assert not AuditLogEntry.objects.exists()


def test_an_inactive_agent_exports_nothing(agent: User, conversation: Conversation) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)
    agent.refresh_from_db()

    with pytest.raises(NotFound):
        export_conversation(agent, conversation.pk, "json")
    assert not AuditLogEntry.objects.exists()
