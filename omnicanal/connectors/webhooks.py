"""Inbound webhook formats: provider name → verify/parse functions, and what they share.

Each provider module turns one webhook body into an ordered list of `Event`s: an
`InboundMessage` or `DeliveryUpdate` (what `ingest()` consumes), or a `Skipped` /
`UnmappedStatus` saying why a part carries nothing to ingest. An event also carries the
addressing the base types leave out (`from`/`to` as the provider states them), which the
`webhook_parse` command prints; `to_parsed()` folds the events into the `ParsedWebhook`
the webhook views will hand to `ingest()`.

Which formats exist is the adapters' to say (`webhook_formats()` of each adapter in the
channel registry), read on first use: the provider modules import the helpers below, so an
eager import here would be a circular one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import phonenumbers

from omnicanal.connectors.base import (
    AttachmentType,
    DeliveryUpdate,
    InboundAttachment,
    InboundMessage,
    InboundRequest,
    ParsedWebhook,
)


@dataclass(frozen=True)
class Skipped:
    """A part of a webhook deliberately not ingested (an opt-in, a chat-member change...)."""

    reason: str


@dataclass(frozen=True)
class UnmappedStatus:
    """A provider status that says nothing about delivery yet (Twilio "queued", "accepted").

    Our message is already pending on our side, so there is nothing to update, but the
    command still reports it as a status line with `status: null`.
    """

    external_id: str
    provider_status: str
    timestamp: datetime | None = None


EventItem = InboundMessage | DeliveryUpdate | Skipped | UnmappedStatus


@dataclass(frozen=True)
class Event:
    item: EventItem
    # As the payload states them: E.164 for phone numbers, the provider's id otherwise.
    sender: str = ""
    recipient: str = ""


# --- folding events ---------------------------------------------------------------------


def to_parsed(events: Sequence[Event]) -> ParsedWebhook:
    messages = [e.item for e in events if isinstance(e.item, InboundMessage)]
    updates = [e.item for e in events if isinstance(e.item, DeliveryUpdate)]
    if messages or updates:
        return ParsedWebhook(messages=messages, updates=updates)
    reasons: list[str] = []
    for event in events:
        if isinstance(event.item, Skipped):
            reason = event.item.reason
        elif isinstance(event.item, UnmappedStatus):
            reason = f"status {event.item.provider_status!r} says nothing about delivery"
        else:  # pragma: no cover - filtered above
            continue
        if reason not in reasons:
            reasons.append(reason)
    return ParsedWebhook(ignored_reason="; ".join(reasons) or "nothing to ingest")


LINE_KEYS = (
    "file",
    "kind",
    "direction",
    "external_id",
    "from",
    "to",
    "text",
    "attachments",
    "status",
    "provider_status",
    "timestamp",
    "reply_to",
    "error",
)


def _blank_line(file: str) -> dict[str, Any]:
    line: dict[str, Any] = dict.fromkeys(LINE_KEYS)
    line.update(file=file, kind="ignored", direction="in", attachments=[])
    return line


def error_line(file: str, error: str) -> dict[str, Any]:
    line = _blank_line(file)
    line["error"] = error
    return line


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def event_lines(file: str, events: Sequence[Event]) -> list[dict[str, Any]]:
    """The `webhook_parse` lines for one body: one per event, or one "ignored" line."""
    lines = []
    for event in events:
        item = event.item
        if isinstance(item, Skipped):
            continue
        line = _blank_line(file)
        line["from"] = event.sender or None
        line["to"] = event.recipient or None
        if isinstance(item, InboundMessage):
            line.update(
                kind=item.kind,
                direction="out" if item.is_outgoing_echo else "in",
                external_id=item.external_id or None,
                text=item.text or None,
                attachments=[
                    {
                        "type": a.type,
                        "url_or_id": a.url_or_id or None,
                        "mime_type": a.mime_type or None,
                    }
                    for a in item.attachments
                ],
                timestamp=_iso(item.sent_at),
                reply_to=item.thread.reply_to_external_id or None,
            )
        else:
            # A status always concerns a message the business sent.
            line.update(
                kind="status",
                direction="out",
                external_id=item.external_id or None,
                status=item.status if isinstance(item, DeliveryUpdate) else None,
                provider_status=item.provider_status or None,
                timestamp=_iso(item.timestamp),
            )
        lines.append(line)
    return lines or [_blank_line(file)]


# --- helpers shared by the provider modules ----------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def id_str(value: Any) -> str:
    """Provider ids as strings: test payloads (and some SDKs) send them as JSON numbers."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | str):
        return str(value)
    return ""


def decode_json(body: bytes) -> Any:
    """The JSON in a request body, or None when it is not JSON."""
    try:
        return json.loads(body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        return None


def header(request: InboundRequest, name: str) -> str | None:
    wanted = name.lower()
    for key, value in request.headers.items():
        if key.lower() == wanted:
            return value
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,15}", value.strip()):
        return int(value)
    return None


def _since_epoch(**amount: int) -> datetime | None:
    try:
        return _EPOCH + timedelta(**amount)
    except OverflowError:  # a forged timestamp past year 9999
        return None


def utc_from_seconds(value: Any) -> datetime | None:
    seconds = _epoch_number(value)
    # Telegram reports 0 as the date of a message the bot can no longer access.
    return _since_epoch(seconds=seconds) if seconds else None


def utc_from_millis(value: Any) -> datetime | None:
    millis = _epoch_number(value)
    return _since_epoch(milliseconds=millis) if millis else None


def phone_e164(raw: str) -> str | None:
    """E.164 for something written as an international number, else None.

    WhatsApp ids and Telegram contacts write international numbers without the "+";
    numbers a national plan does not know yet stay as "+" and their digits.
    """
    cleaned = re.sub(r"[\s().\-]", "", raw)
    cleaned = cleaned.removeprefix("+")
    if not re.fullmatch(r"[0-9]{7,15}", cleaned):
        return None
    try:
        number = phonenumbers.parse("+" + cleaned)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return "+" + cleaned
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def attachment_type_for_mime(mime_type: str) -> AttachmentType:
    essence = mime_type.split(";")[0].strip().lower()
    major = essence.split("/")[0]
    if major == "image":
        return "image"
    if major == "audio":
        return "audio"
    if major == "video":
        return "video"
    if essence in ("text/vcard", "text/x-vcard", "text/directory"):
        return "contact"
    return "document"


def _coordinate(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def location_attachment(latitude: Any, longitude: Any, label: str = "") -> InboundAttachment | None:
    """A shared place as a geo: URI (RFC 5870); its name/address goes in `filename`."""
    lat, lon = _coordinate(latitude), _coordinate(longitude)
    if lat is None or lon is None:
        return None
    return InboundAttachment(type="location", url_or_id=f"geo:{lat!r},{lon!r}", filename=label)


def contact_attachment(name: str, phone: str, vcard: str = "") -> InboundAttachment:
    """A shared contact card: its number as a tel: URI, the provider's vCard when given."""
    number = phone_e164(phone) or phone.strip()
    return InboundAttachment(
        type="contact",
        url_or_id=f"tel:{number}" if number else "",
        mime_type="text/vcard" if vcard else "",
        filename=name,
        content=vcard.encode() if vcard else None,
    )


def join_label(*parts: str) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


# --- the registry ------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    name: str
    verify: Callable[[InboundRequest, str], bool]
    parse: Callable[[InboundRequest], ParsedWebhook]
    # From the decoded JSON the `webhook_parse` command reads (Twilio: the form fields).
    events: Callable[[Any], list[Event]]
    # The request body `webhook_verify` should check, from the file it was given and the URL.
    body_from_file: Callable[[bytes, str], bytes] = lambda content, url: content


@cache
def _providers() -> dict[str, Provider]:
    from omnicanal.connectors.registry import all_adapters

    providers: dict[str, Provider] = {}
    for adapter in all_adapters():
        for provider in adapter.webhook_formats():
            # WhatsApp over Twilio and SMS share Twilio's format: one entry.
            providers.setdefault(provider.name, provider)
    return providers


def provider_names() -> tuple[str, ...]:
    return tuple(_providers())


def get_provider(name: str) -> Provider:
    try:
        return _providers()[name]
    except KeyError:
        raise LookupError(f"No webhook provider named {name!r}.") from None


def verify(provider: str, request: InboundRequest, secret: str) -> bool:
    return get_provider(provider).verify(request, secret)


def parse(provider: str, request: InboundRequest) -> ParsedWebhook:
    return get_provider(provider).parse(request)


def lines_for_payload(provider: str, file: str, payload: Any) -> list[dict[str, Any]]:
    return event_lines(file, get_provider(provider).events(payload))
