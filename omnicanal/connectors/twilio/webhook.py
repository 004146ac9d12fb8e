"""Twilio Programmable Messaging webhooks (SMS, MMS and WhatsApp): signature and parsing.

Twilio posts form fields (`application/x-www-form-urlencoded`): an incoming message has
`MessageSid`, `From`, `To`, `Body`, `NumMedia`, `MediaUrlN`/`MediaContentTypeN`, and for
WhatsApp `whatsapp:+` addresses, `ProfileName`, `WaId`, `ButtonText`/`ButtonPayload`...;
a status callback has `MessageStatus` (and `ErrorCode` when it failed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from omnicanal.connectors.base import (
    DeliveryStatus,
    DeliveryUpdate,
    IdentityKind,
    InboundAttachment,
    InboundMessage,
    InboundRequest,
    ParsedWebhook,
    Sender,
    SenderIdentity,
    ThreadHints,
)
from omnicanal.connectors.webhooks import (
    Event,
    Skipped,
    UnmappedStatus,
    attachment_type_for_mime,
    decode_json,
    header,
    join_label,
    location_attachment,
    phone_e164,
    to_parsed,
)

SIGNATURE_HEADER = "X-Twilio-Signature"

STATUSES: dict[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "partially_delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "undelivered",
    "canceled": "failed",
}
# queued, accepted, scheduled and sending precede "sent": they become UnmappedStatus.
INBOUND_STATUSES = {"received", "receiving"}

Params = Mapping[str, list[str]]


# --- signature -----------------------------------------------------------------------------


def compute_signature(url: str, params: Params | Iterable[tuple[str, str]], auth_token: str) -> str:
    """base64 HMAC-SHA1 of the URL followed by every POST name+value, sorted by name.

    Repeated names contribute each distinct value, sorted (what Twilio's own libraries do).
    """
    grouped: dict[str, set[str]] = {}
    pairs = (
        ((k, v) for k, values in params.items() for v in values)
        if isinstance(params, Mapping)
        else params
    )
    for name, value in pairs:
        grouped.setdefault(name, set()).add(value)
    signed = url + "".join(
        name + value for name in sorted(grouped) for value in sorted(grouped[name])
    )
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _query(url: str) -> dict[str, list[str]]:
    try:
        return parse_qs(urlsplit(url).query, keep_blank_values=True)
    except ValueError:  # e.g. an unclosed IPv6 bracket: no Twilio URL looks like that
        return {}


def _url_variants(url: str) -> list[str]:
    """The URL as received, without its port, and with the scheme's default port.

    Twilio signs the URL as configured, but whether a default port appears in it depends on
    the Twilio product, and proxies rewrite it; Twilio's libraries accept both spellings.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [url]
    userinfo, at, hostport = parts.netloc.rpartition("@")
    prefix = userinfo + at
    variants = [url]
    if port is not None:
        # rpartition keeps an IPv6 literal's brackets and the host's original case.
        host = hostport.rpartition(":")[0]
        variants.append(urlunsplit(parts._replace(netloc=prefix + host)))
    elif parts.scheme in ("http", "https"):
        default = 443 if parts.scheme == "https" else 80
        variants.append(urlunsplit(parts._replace(netloc=f"{prefix}{hostport}:{default}")))
    return variants


def form_params(body: bytes) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    text = body.decode("utf-8", "replace")
    for name, value in parse_qsl(text, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    return params


def verify(request: InboundRequest, secret: str) -> bool:
    """Whether `X-Twilio-Signature` was made with this auth token for this URL and body.

    A JSON body is not signed as params: Twilio adds `bodySHA256` (hex SHA-256 of the raw
    body) to the query string, which the URL signature then covers.
    """
    signature = header(request, SIGNATURE_HEADER)
    if not secret or not signature:
        return False
    query = _query(request.url)
    params: dict[str, list[str]] = {}
    if "bodySHA256" in query:
        body_hash = hashlib.sha256(request.body).hexdigest()
        if not hmac.compare_digest(body_hash, query["bodySHA256"][0].lower()):
            return False
    elif request.method.upper() == "POST":
        params = form_params(request.body)
    received = signature.strip().encode("ascii", "replace")
    valid = False
    for url in _url_variants(request.url):
        expected = compute_signature(url, params, secret).encode()
        # Check every variant so timing does not reveal which one matched.
        valid |= hmac.compare_digest(expected, received)
    return valid


def _field_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value)


def body_from_file(content: bytes, url: str) -> bytes:
    """The form body Twilio posted, rebuilt from a JSON object of its fields.

    With `bodySHA256` in the URL the file is already the raw (JSON) body. A file that is not
    a JSON object is taken as the raw form body.
    """
    if "bodySHA256" in _query(url):
        return content
    fields = decode_json(content)
    if not isinstance(fields, dict):
        return content
    pairs = [
        (name, _field_value(v))
        for name, value in fields.items()
        for v in (value if isinstance(value, list) else [value])
    ]
    return urlencode(pairs).encode()


# --- parsing -------------------------------------------------------------------------------


def parse(request: InboundRequest) -> ParsedWebhook:
    content_type = header(request, "Content-Type") or ""
    if "json" in content_type.lower():
        return to_parsed(events(decode_json(request.body)))
    return to_parsed(events(form_params(request.body)))


def parse_fields(fields: Mapping[str, Any]) -> ParsedWebhook:
    return to_parsed(events(fields))


def _first_values(fields: Mapping[str, Any]) -> dict[str, str]:
    flat = {}
    for name, value in fields.items():
        if isinstance(value, list):
            value = value[0] if value else ""
        flat[str(name)] = _field_value(value)
    return flat


def address(raw: str) -> str:
    """E.164 for a phone number, with or without the `whatsapp:` channel prefix.

    Short codes ("12345") and alphanumeric sender ids have no "+" and stay as they are.
    """
    value = raw.strip()
    bare = value.removeprefix("whatsapp:")
    if bare.startswith("+"):
        return phone_e164(bare) or bare
    return value


def events(payload: Any) -> list[Event]:
    if not isinstance(payload, Mapping) or not payload:
        return [Event(Skipped("not a Twilio webhook body"))]
    fields = _first_values(payload)
    sid = fields.get("MessageSid") or fields.get("SmsMessageSid") or fields.get("SmsSid") or ""
    status = fields.get("MessageStatus") or fields.get("SmsStatus") or ""
    sender, recipient = address(fields.get("From", "")), address(fields.get("To", ""))
    if not sid:
        if fields.get("CallSid"):
            return [Event(Skipped("a voice call webhook, not a message"))]
        return [Event(Skipped("no MessageSid: not a message webhook"))]
    if status and status not in INBOUND_STATUSES:
        return [Event(_status(sid, status, fields), sender=sender, recipient=recipient)]
    return [Event(_message(sid, fields), sender=sender, recipient=recipient)]


def _status(sid: str, status: str, fields: Mapping[str, str]) -> DeliveryUpdate | UnmappedStatus:
    mapped = STATUSES.get(status)
    if mapped is None:
        return UnmappedStatus(sid, status)
    code, message = fields.get("ErrorCode", ""), fields.get("ErrorMessage", "")
    error = f"{code}: {message}" if code and message else code or message
    return DeliveryUpdate(
        external_id=sid,
        status=mapped,
        provider_status=status,
        # Twilio sends ErrorCode on some successful callbacks too (e.g. carrier warnings).
        error=error if mapped in ("failed", "undelivered") or code not in ("", "0") else "",
        recipient=address(fields.get("To", "")),
    )


def _identities(fields: Mapping[str, str]) -> list[SenderIdentity]:
    raw = fields.get("From", "").strip()
    number = address(raw)
    is_whatsapp = raw.startswith("whatsapp:")
    if not number.startswith("+") and fields.get("WaId"):
        number = phone_e164(fields["WaId"]) or number
    if number.startswith("+"):
        found = [SenderIdentity(IdentityKind.PHONE, number)]
        if is_whatsapp:
            found.insert(0, SenderIdentity(IdentityKind.WHATSAPP, number))
        return found
    return [SenderIdentity(IdentityKind.EXTERNAL, raw)] if raw else []


def _media(fields: Mapping[str, str]) -> list[InboundAttachment]:
    # The MediaUrlN fields present, not NumMedia: a forged huge count must not loop for ever.
    indexes = sorted(int(m[1]) for k in fields if (m := re.fullmatch(r"MediaUrl([0-9]{1,3})", k)))
    found = []
    # A WhatsApp sticker arrives as one image/webp medium with MessageType "sticker".
    is_sticker = fields.get("MessageType") == "sticker"
    for index in indexes:
        url = fields.get(f"MediaUrl{index}", "")
        if not url:
            continue
        mime = fields.get(f"MediaContentType{index}", "")
        kind = "sticker" if is_sticker else attachment_type_for_mime(mime)
        found.append(InboundAttachment(type=kind, url_or_id=url, mime_type=mime))
    return found


def _message(sid: str, fields: Mapping[str, str]) -> InboundMessage:
    # A tapped button arrives with Body equal to its text; ButtonText/ListTitle are fallbacks.
    text = fields.get("Body") or fields.get("ButtonText") or fields.get("ListTitle") or ""
    attachments = _media(fields)
    located = location_attachment(
        fields.get("Latitude"),
        fields.get("Longitude"),
        join_label(fields.get("Label", ""), fields.get("Address", "")),
    )
    if located:
        attachments.append(located)
    return InboundMessage(
        external_id=sid,
        sender=Sender(_identities(fields), fields.get("ProfileName", "")),
        text=text,
        attachments=attachments,
        thread=ThreadHints(reply_to_external_id=fields.get("OriginalRepliedMessageSid", "")),
        # WhatsApp content Twilio cannot relay (polls, some interactive types) comes empty.
        kind="message" if text or attachments else "unsupported",
        raw=dict(fields),
    )
