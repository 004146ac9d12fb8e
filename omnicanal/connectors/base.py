"""The one small interface every channel adapter implements.

An adapter is the only code that knows a provider's format. It verifies an inbound request,
parses it into typed events, and sends an outgoing message. It never writes conversations or
contacts: `omnicanal.conversations.ingest.ingest()` does, from the `InboundMessage`s returned here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# The types adapters produce belong to the apps that consume them; adapters import them here.
from omnicanal.contacts.senders import IdentityKind, Sender, SenderIdentity
from omnicanal.conversations.inbound import (
    AttachmentType,
    DeliveryStatus,
    DeliveryUpdate,
    EventKind,
    InboundAttachment,
    InboundMessage,
    ThreadHints,
)

__all__ = [
    "AttachmentType", "ChannelAdapter", "DeliveryStatus", "DeliveryUpdate", "EventKind",
    "IdentityKind", "InboundAttachment", "InboundMessage", "InboundRequest", "OutboundMessage",
    "OutgoingAttachment", "ParsedWebhook", "SendError", "Sender", "SenderIdentity", "ThreadHints",
]


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
