"""A conversation's transcript, as a file an agent downloads: standalone HTML (printable:
the browser's "Save as PDF" gives a clean PDF through its print stylesheet) or JSON.

A transcript carries the customer's personal data, so every export is written to the audit
log, with who asked, which format and whether internal notes were included. Notes are left
out unless the agent asks for them (a transcript often ends up with the customer or a third
party); activity lines ("Bob assigned…") are workspace bookkeeping and never exported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import User
from omnicanal.contacts.naming import contact_display_name
from omnicanal.conversations import permissions
from omnicanal.conversations.actions import access_conversation
from omnicanal.conversations.models import (
    Attachment,
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from omnicanal.core.exceptions import InvalidInput, PermissionDenied

ExportFormat = Literal["html", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("html", "json")
EXPORT_VERSION = 1

_CONTENT_TYPES: dict[ExportFormat, str] = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _author(message: Message, contact_name: str) -> dict[str, Any]:
    if message.direction == Direction.INCOMING:
        return {"kind": "contact", "name": contact_name}
    if message.author is not None:
        return {"kind": "agent", "name": message.author.display_name, "id": message.author.pk}
    return {"kind": "system", "name": "Omnicanal"}


def transcript(
    conversation: Conversation,
    *,
    include_notes: bool,
    attachment_url: Callable[[Attachment], str] | None = None,
) -> dict[str, Any]:
    """The conversation as plain data: what both formats are made of."""
    contact = conversation.contact
    identities = list(contact.identities.order_by("kind", "value"))
    contact_name = contact_display_name(contact, identities)
    directions = [Direction.INCOMING, Direction.OUTGOING]
    if include_notes:
        directions.append(Direction.NOTE)
    messages = (
        conversation.messages.filter(direction__in=directions)
        .select_related("inbox", "author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return {
        "format": "omnicanal.conversation",
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "includes_internal_notes": include_notes,
        "conversation": {
            "id": conversation.pk,
            "subject": conversation.subject,
            "status": conversation.status,
            "priority": conversation.priority,
            "channel": conversation.inbox.channel,
            "inbox": conversation.inbox.name,
            "assignee": conversation.assignee.display_name if conversation.assignee else None,
            "team": conversation.team.name if conversation.team else None,
            "labels": sorted(conversation.labels.values_list("name", flat=True)),
            "created_at": _iso(conversation.created_at),
            "last_activity_at": _iso(conversation.last_activity_at),
            "resolved_at": _iso(conversation.resolved_at),
            "merged_into_id": conversation.merged_into_id,
        },
        "contact": {
            "id": contact.pk,
            "name": contact_name,
            "company": contact.company.name if contact.company else None,
            "value_tier": contact.value_tier,
            "identities": [
                {"kind": i.kind, "value": i.value, "is_verified": i.is_verified}
                for i in identities
            ],
        },
        "messages": [
            {
                "id": message.pk,
                "direction": message.direction,
                # Notes were seen by agents only: labelled so that no reader mistakes one.
                "is_internal": message.direction == Direction.NOTE,
                "author": _author(message, contact_name),
                # Each message's own channel: a reply may have gone by another one.
                "channel": message.inbox.channel,
                "inbox": message.inbox.name,
                "recipient": (message.metadata or {}).get("recipient"),
                # What the customer got: a reply with its author's signature.
                "text": message.sent_text,
                "created_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "delivery_status": message.delivery_status,
                "failure_reason": message.failure_reason or None,
                "attachments": [
                    {
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": a.size,
                        "url": attachment_url(a) if attachment_url and a.file else None,
                    }
                    for a in message.attachments.all()
                ],
            }
            for message in messages
        ],
    }


def _shown(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages with what the HTML shows beside the data: times and translated labels."""
    return [
        {
            **message,
            "created": dt.datetime.fromisoformat(message["created_at"]),
            "channel_label": _label(ChannelKind, message["channel"]),
            "delivery_label": _label(DeliveryStatus, message["delivery_status"]),
        }
        for message in data["messages"]
    ]


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def export_filename(conversation: Conversation, export_format: ExportFormat) -> str:
    day = timezone.localdate().strftime("%Y-%m-%d")
    return f"conversation-{conversation.pk}-{day}.{export_format}"


def export_conversation(
    user: User,
    conversation_id: int,
    export_format: str,
    *,
    include_notes: bool = False,
    attachment_url: Callable[[Attachment], str] | None = None,
) -> ExportFile:
    """The conversation's transcript as a file, for an agent who may see it; audit-logged."""
    if export_format not in EXPORT_FORMATS:
        raise InvalidInput(_("Export as HTML or JSON."))
    fmt: ExportFormat = "html" if export_format == "html" else "json"
    conversation = access_conversation(user, conversation_id)
    if not permissions.may_export(user, conversation):
        raise PermissionDenied(_("You may not export this conversation."))
    data = transcript(conversation, include_notes=include_notes, attachment_url=attachment_url)
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    else:
        content = render_to_string(
            "conversations/transcript.html",
            {"transcript": data, "conversation": conversation, "messages": _shown(data)},
        ).encode()
    record_audit(
        user, "conversation.exported", conversation, format=fmt, include_notes=include_notes,
        messages=len(data["messages"]),
    )
    return ExportFile(export_filename(conversation, fmt), _CONTENT_TYPES[fmt], content)
