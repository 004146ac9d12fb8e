"""/api/v1/inboxes/{id}/email: raw MIME intake, for an MTA pipe or an inbound-mail service."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from omnicanal.connectors.email.intake import receive_email
from omnicanal.conversations.models import ChannelKind
from omnicanal.conversations.queries import intake_inbox
from omnicanal.core.api_boundary import ErrorOut
from omnicanal.core.exceptions import DomainError, InvalidInput

router = Router(tags=["email"])

# Mail providers cap messages around 25 MB (Gmail, Outlook.com); larger is not mail we owe
# anyone. Read from the stream, so Django's 2.5 MB form-body limit does not apply.
MAX_RAW_EMAIL_BYTES = 25 * 1024 * 1024


class UnsupportedMediaType(DomainError):
    status = 415


class TooLarge(DomainError):
    status = 413


class EmailIntakeOut(Schema):
    action: str
    message_id: int | None
    conversation_id: int | None
    contact_id: int | None
    duplicate: bool
    updated_message_ids: list[int]
    undeliverable: list[str]
    detail: str


@router.post(
    "/inboxes/{inbox_id}/email",
    response={200: EmailIntakeOut, 201: EmailIntakeOut, 409: ErrorOut, 413: ErrorOut,
              415: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def post_raw_email(request: HttpRequest, inbox_id: int) -> Status:
    """One raw e-mail (`Content-Type: message/rfc822`, the exact bytes an MTA received) into
    an e-mail inbox. A new customer message answers 201 with its ids (`action` "created");
    a repeat of a stored Message-ID answers 200 with `"duplicate": true`. Delivery reports
    never open a conversation and answer 200: `action` "bounce" (the messages marked failed
    in `updated_message_ids`, the addresses a hard bounce made undeliverable in
    `undeliverable`), "delivered", "complaint"; "ignored" says in `detail` why nothing was
    stored. An inbox of another channel answers 409."""
    inbox = intake_inbox(inbox_id, ChannelKind.EMAIL)
    content_type = request.content_type or ""
    if content_type.lower() != "message/rfc822":
        raise UnsupportedMediaType(_("Send the raw e-mail as Content-Type: message/rfc822."))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_RAW_EMAIL_BYTES:
        raise TooLarge(_("The e-mail is larger than %(limit)s bytes."), limit=MAX_RAW_EMAIL_BYTES)
    raw = request.read(MAX_RAW_EMAIL_BYTES + 1)
    if len(raw) > MAX_RAW_EMAIL_BYTES:
        raise TooLarge(_("The e-mail is larger than %(limit)s bytes."), limit=MAX_RAW_EMAIL_BYTES)
    if not raw.strip():
        raise InvalidInput(_("The body is empty."))
    result = receive_email(inbox, raw)
    body = {
        "action": result.action,
        "message_id": result.message_id,
        "conversation_id": result.conversation_id,
        "contact_id": result.contact_id,
        "duplicate": result.action == "duplicate",
        "updated_message_ids": list(result.updated_message_ids),
        "undeliverable": list(result.undeliverable),
        "detail": result.detail,
    }
    return Status(201 if result.action == "created" else 200, body)
