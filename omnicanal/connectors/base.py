"""The one small interface every channel adapter implements.

An adapter is the only code that knows a provider's format. It verifies an inbound request,
parses it into typed events, and sends an outgoing message. It never writes conversations or
contacts: `omnicanal.conversations.ingest.ingest()` does, from the `InboundMessage`s returned here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol


class IdentityKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"
    WEBCHAT = "webchat"
    EXTERNAL = "external"


@dataclass(frozen=True)
class SenderIdentity:
    """One way to reach the sender, as the channel asserts it."""

    kind: IdentityKind
    value: str
    # A provider-asserted id (a phone number Twilio received from, a signed widget user) is
    # verified; an address a customer typed into a form is not.
    is_verified: bool = True


@dataclass(frozen=True)
class Sender:
    identities: Sequence[SenderIdentity]
    name: str = ""


AttachmentType = Literal["image", "audio", "video", "document", "sticker", "location", "contact"]


@dataclass(frozen=True)
class InboundAttachment:
    type: AttachmentType
    # A provider URL or media id to fetch later, or empty when `content` is already here.
    url_or_id: str = ""
    mime_type: str = ""
    filename: str = ""
    content: bytes | None = None
    # Inline parts of an HTML e-mail are referenced by Content-ID (cid:...).
    content_id: str = ""


@dataclass(frozen=True)
class ThreadHints:
    """What the channel knows about which conversation a message belongs to."""

    in_reply_to: str = ""
    references: Sequence[str] = ()
    subject: str = ""
    # The provider's id of the message this one answers (a WhatsApp context id, a Telegram
    # reply_to_message), when there is one.
    reply_to_external_id: str = ""


EventKind = Literal["message", "status", "reaction", "edit", "delete", "unsupported", "ignored"]
DeliveryStatus = Literal["sent", "delivered", "read", "failed"]


@dataclass(frozen=True)
class InboundMessage:
    """Something a customer sent, parsed, ready for `ingest()`."""

    external_id: str
    sender: Sender
    text: str = ""
    html: str = ""
    sent_at: datetime | None = None
    attachments: Sequence[InboundAttachment] = ()
    thread: ThreadHints = field(default_factory=ThreadHints)
    # "unsupported" keeps content a parser did not understand; it is stored and shown, never
    # dropped. "edit"/"delete"/"reaction" refer to `thread.reply_to_external_id`.
    kind: EventKind = "message"
    # An echo of a message the business sent from another tool (direction "out").
    is_outgoing_echo: bool = False
    is_auto_reply: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryUpdate:
    """A provider's news about a message we sent."""

    external_id: str
    status: DeliveryStatus
    provider_status: str = ""
    error: str = ""
    timestamp: datetime | None = None
    recipient: str = ""


@dataclass(frozen=True)
class ParsedWebhook:
    messages: Sequence[InboundMessage] = ()
    updates: Sequence[DeliveryUpdate] = ()
    # Why nothing was ingested, when nothing was: answered 2xx so the provider stops retrying.
    ignored_reason: str = ""


@dataclass(frozen=True)
class InboundRequest:
    """A webhook as received: exact raw body, headers (lower-case names), full URL."""

    body: bytes
    headers: Mapping[str, str]
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class OutgoingAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutboundMessage:
    """An agent's reply, addressed, ready for a provider."""

    message_id: int
    conversation_id: int
    recipient: str
    text: str
    html: str = ""
    subject: str = ""
    attachments: Sequence[OutgoingAttachment] = ()
    # E-mail threading headers, or the provider id of the customer's message being answered.
    in_reply_to: str = ""
    references: Sequence[str] = ()
    reply_to_external_id: str = ""
    sender_name: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


class SendError(Exception):
    """A send that failed. `is_permanent` says whether retrying can help."""

    def __init__(self, message: str, *, is_permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.is_permanent = is_permanent


class ChannelAdapter(Protocol):
    """What every channel provides. `settings` are the inbox's channel settings."""

    kind: str

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool: ...

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook: ...

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        """Deliver the message; return the provider's id for it, or raise SendError."""
        ...
