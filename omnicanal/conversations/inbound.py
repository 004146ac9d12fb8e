"""What `ingest()` takes: a customer's message or a delivery update, parsed by an adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from omnicanal.contacts.senders import Sender

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
# "undelivered": the provider accepted the message but could not deliver it (Twilio's
# "undelivered": the carrier or handset refused it); "failed": it never left the provider.
DeliveryStatus = Literal["sent", "delivered", "read", "failed", "undelivered"]


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
    # The id of the button or list row the customer chose (a WhatsApp list reply, a Messenger
    # quick reply, a Telegram callback), when the text is that choice's title.
    choice_id: str = ""


@dataclass(frozen=True)
class DeliveryUpdate:
    """A provider's news about a message we sent."""

    external_id: str
    status: DeliveryStatus
    provider_status: str = ""
    error: str = ""
    timestamp: datetime | None = None
    recipient: str = ""
