"""/api/v1: the generic API channel's intake, conversations. (Inboxes themselves:
`connectors/inboxes.py`, which checks their settings against the channel's schema.)"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from omnicanal.accounts.models import User
from omnicanal.contacts.senders import IdentityKind, Sender, SenderIdentity
from omnicanal.conversations import actions
from omnicanal.conversations.inbound import InboundMessage
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation
from omnicanal.conversations.queries import intake_inbox
from omnicanal.core.api_boundary import ErrorOut, customer_content, had_poisoned_text
from omnicanal.core.exceptions import InvalidInput

router = Router(tags=["conversations"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class ContactIn(Schema):
    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    external_id: str | None = Field(None, max_length=200)


class InboundMessageIn(Schema):
    external_id: str = Field(min_length=1, max_length=255)
    contact: ContactIn
    text: str
    sent_at: dt.datetime | None = None


class IngestOut(Schema):
    message_id: int
    conversation_id: int
    contact_id: int
    duplicate: bool


@router.post(
    "/inboxes/{inbox_id}/messages",
    response={200: IngestOut, 201: IngestOut, 409: ErrorOut},
)
@customer_content
def post_inbound_message(
    request: HttpRequest, inbox_id: int, payload: InboundMessageIn
) -> Status:
    """A customer's message through the generic API channel. Idempotent on `external_id`:
    a repeat answers 200 with the stored ids and `"duplicate": true`. An inbox of another
    channel (e-mail, chat…) answers 409: its messages come from that channel. NUL characters
    and unpaired surrogates in the customer's text are removed, not refused (the stored
    message's `metadata.text_repaired` says so)."""
    inbox = intake_inbox(inbox_id, ChannelKind.API)
    identities = []
    contact = payload.contact
    # The integrator's token vouches for who the customer is, so these identities are verified.
    if contact.email:
        identities.append(SenderIdentity(IdentityKind.EMAIL, contact.email))
    if contact.phone:
        identities.append(SenderIdentity(IdentityKind.PHONE, contact.phone))
    if contact.external_id:
        # External ids are the integrator's own, so they are only unique within the inbox.
        scoped_id = f"{inbox.pk}:{contact.external_id}"
        identities.append(SenderIdentity(IdentityKind.EXTERNAL, scoped_id))
    if not identities:
        raise InvalidInput(_("The contact needs an email, a phone or an external_id."))
    if not payload.text.strip():
        raise InvalidInput(_("The message text is empty."))
    result = ingest(
        inbox,
        InboundMessage(
            external_id=payload.external_id,
            sender=Sender(identities=identities, name=contact.name),
            text=payload.text,
            sent_at=payload.sent_at,
            raw={"text_repaired": True} if had_poisoned_text(request) else {},
        ),
    )
    body = {
        "message_id": result.message_id,
        "conversation_id": result.conversation_id,
        "contact_id": result.contact_id,
        "duplicate": result.is_duplicate,
    }
    return Status(200 if result.is_duplicate else 201, body)


class IdentityOut(Schema):
    kind: str
    value: str
    is_verified: bool


class ContactOut(Schema):
    id: int
    name: str
    value_tier: str
    attributes: dict[str, Any]
    identities: list[IdentityOut]

    @staticmethod
    def resolve_identities(contact: Any) -> Any:
        return list(contact.identities.all())


class AttachmentOut(Schema):
    id: int
    filename: str
    # Read from the file's bytes when we stored it, not from what the sender claimed.
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    direction: str
    text: str
    html: str
    external_id: str | None
    delivery_status: str
    failure_reason: str
    author_id: int | None
    sent_at: dt.datetime | None
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(message: Any) -> Any:
        return list(message.attachments.all())


class ConversationOut(Schema):
    id: int
    inbox_id: int
    status: str
    priority: int
    subject: str
    assignee_id: int | None
    team_id: int | None
    created_at: dt.datetime
    last_activity_at: dt.datetime
    contact: ContactOut
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(conversation: Conversation) -> Any:
        return list(conversation.messages.all())


@router.get("/conversations/{conversation_id}", response=ConversationOut)
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    """A conversation with its messages and its contact."""
    return actions.access_conversation(_user(request), conversation_id)


class AttachmentIn(Schema):
    filename: str = Field(min_length=1, max_length=255)
    content_base64: str = Field(
        description="The file's bytes in base64. Its type is read from them; the channel "
                    "decides what it takes (the API answers 422 saying why it refuses a file)."
    )


class ReplyIn(Schema):
    text: str = Field(min_length=1)
    is_note: bool = False
    attachments: list[AttachmentIn] = Field(
        default=[],
        description="Files sent with a reply (not a note), on channels that take them. The "
                    "whole request must fit in DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default).",
    )


def _files(attachments: list[AttachmentIn]) -> list[ContentFile[bytes]]:
    files = []
    for attachment in attachments:
        try:
            content = base64.b64decode(attachment.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                _("“%(name)s”: content_base64 is not valid base64."), name=attachment.filename
            ) from None
        files.append(ContentFile(content, name=attachment.filename))
    return files


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut, 422: ErrorOut},
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": (
                    "Any unique string of yours (a UUID) per message. A request retried "
                    "with the same key answers 201 with the message the first one created, "
                    "never a second message; the same key with a different request is "
                    "refused with 422. Keys are kept per user."
                ),
            }
        ]
    },
)
def post_reply(
    request: HttpRequest, response: HttpResponse, conversation_id: int, payload: ReplyIn
) -> Any:
    """An agent's reply (sent on the conversation's channel) or, with `is_note`, a note.

    Send an `Idempotency-Key` header to retry safely: a request whose answer was lost (a
    timeout, a dropped connection) sent again with the same key returns the same message,
    with `Idempotent-Replayed: true`, and posts nothing twice.
    """
    user = _user(request)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not key.strip():
        raise InvalidInput(_("The Idempotency-Key header is empty."))
    files = _files(payload.attachments)
    if files and payload.is_note:
        raise InvalidInput(_("A note cannot carry files: they are sent with replies."))
    if payload.is_note:
        message, is_new = actions.post_once(
            user, key or "", {"kind": "note", "conversation_id": conversation_id,
                              "text": payload.text},
            lambda: actions.add_note(user, conversation_id, payload.text),
        )
    else:
        message, is_new = actions.post_once(
            user, key or "", {"kind": "reply", "conversation_id": conversation_id,
                              "text": payload.text,
                              "files": [(a.filename, hashlib.sha256(
                                  a.content_base64.encode()).hexdigest())
                                        for a in payload.attachments]},
            lambda: actions.reply(user, conversation_id, payload.text, attachments=files),
        )
    if not is_new:
        response.headers["Idempotent-Replayed"] = "true"
    return Status(201, message)
