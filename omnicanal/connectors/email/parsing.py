"""One raw RFC 822 message (bytes) to a typed, frozen `ParsedEmail`. Never raises on content.

The stdlib parser with `email.policy.default` does the MIME work. That policy parses header
values lazily and can raise on malformed ones, so every header read goes through `_header`,
which falls back to the raw value (decoded by hand) and records a defect. Bodies are decoded
from their transfer encoding by the stdlib and from their charset here, with fallbacks for
unknown or wrong charsets, each recorded as a defect.
"""

from __future__ import annotations

import codecs
import email
import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from django.conf import settings

from omnicanal.connectors.base import (
    AttachmentType,
    IdentityKind,
    InboundAttachment,
    InboundMessage,
    Sender,
    SenderIdentity,
    ThreadHints,
)
from omnicanal.connectors.email.bounces import BounceRecipient, DeliveryReport, analyse_report
from omnicanal.connectors.email.htmltext import html_to_text
from omnicanal.connectors.email.limits import readable_part
from omnicanal.connectors.email.replies import ParsedBody, parse_body


@dataclass(frozen=True)
class Address:
    name: str
    address: str  # lower-cased; may be "" for a group or an unparseable value


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    is_inline: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    subject: str
    date: datetime | None
    text: str
    html: str
    body: ParsedBody
    attachments: tuple[Attachment, ...]
    is_auto_reply: bool
    is_bulk: bool
    report: DeliveryReport | None
    defects: tuple[str, ...]
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # What of the mail was not read or not kept (limits.py, attachment limits), for the agent.
    incomplete: tuple[str, ...] = ()

    @property
    def reply_text(self) -> str:
        return self.body.reply_text

    @property
    def signature(self) -> str:
        return self.body.signature

    @property
    def is_bounce(self) -> bool:
        return self.report is not None and self.report.is_bounce

    @property
    def bounce_recipients(self) -> tuple[BounceRecipient, ...]:
        return self.report.recipients if self.is_bounce and self.report else ()


# --- headers -------------------------------------------------------------------------------

_CHARSET_ALIASES = {
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
    "unknown": "utf-8",
    "default": "utf-8",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-sjis": "shift_jis",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ansi_x3.4-1968": "ascii",
    "utf8": "utf-8",
    "x-mac-roman": "mac_roman",
    "uft-8": "utf-8",
}


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """Decode body bytes with the declared charset, falling back to UTF-8 then cp1252."""
    codec = _codec(charset)
    if charset and codec is None:
        defects.append(f"unknown charset {charset!r}")
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            defects.append(f"text not valid in declared charset {charset!r}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if codec is None and charset is None and any(b > 127 for b in data):
            defects.append("8-bit text without charset")
        return data.decode("cp1252", errors="replace")


def _decode_raw_header(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (UnicodeError, LookupError, ValueError, email.errors.HeaderParseError):
        return value


class _Headers:
    """Header access that never raises, recording what had to be repaired."""

    def __init__(self, message: Message, defects: list[str]) -> None:
        self.message = message
        self.defects = defects

    def get(self, name: str) -> str:
        values = self.get_all(name)
        return values[0] if values else ""

    def get_all(self, name: str) -> list[str]:
        try:
            values = self.message.get_all(name) or []
            return [self._clean(str(value)) for value in values]
        except Exception as error:  # any header parser failure is repairable
            self.defects.append(f"malformed header {name}: {type(error).__name__}")
            raw = [v for k, v in self.message.raw_items() if k.lower() == name.lower()]
            return [self._clean(_decode_raw_header(str(v))) for v in raw]

    @staticmethod
    def _clean(value: str) -> str:
        # Surrogates come from undecodable 8-bit bytes in raw headers.
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return " ".join(value.replace("\x00", "").split())

    def items(self) -> list[tuple[str, str]]:
        result = []
        for name, value in self.message.raw_items():
            result.append((name, self._clean(_decode_raw_header(str(value)))))
        return result


def _addresses(values: list[str]) -> tuple[Address, ...]:
    result = []
    for name, address in getaddresses(values):
        address = address.strip().strip("<>").lower()
        if address or name:
            result.append(Address(name=name.strip(), address=address))
    return tuple(result)


_MSGID = re.compile(r"<[^<>\s]+>")


def _message_ids(value: str) -> tuple[str, ...]:
    found = _MSGID.findall(value)
    if found:
        return tuple(found)
    return tuple(token for token in value.split() if "@" in token)


# --- auto-replies and bulk mail ------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[\s_-]*(?:reply|response|answer)|auto:|autoreply|"
    r"out of (?:the )?office|ooo\b|on vacation|vacation|away from (?:the |my )?office|"
    r"abwesenheit|automatische antwort|réponse automatique|reponse automatique|absence|"
    r"respuesta automática|fuera de la oficina|risposta automatica|fuori ufficio|"
    r"automatisch antwoord|afwezig|autosvar|automatisk svar|fraværende|"
    r"automatyczna odpowiedź|resposta automática|ausente|自動応答|自动回复|"
    r"автоматический ответ|"
    r"delivered:|read:|delivery receipt|read receipt|return receipt|"
    r"delivery status notification \(success|successful mail delivery report)",
    re.IGNORECASE,
)
_AUTO_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-autogenerated",
    "x-autoreply-from",
    "x-mail-autoreply",
    "x-autoresponder",
    "x-autoresponse",
    "x-vacation",
    "x-ms-exchange-generated-message-source",
    "x-fc-machinegenerated",
)


def _is_auto_reply(headers: _Headers, subject: str) -> bool:
    auto_submitted = headers.get("auto-submitted").lower().split(";")[0].strip()
    if auto_submitted and auto_submitted != "no":
        return True
    for name in _AUTO_HEADERS:
        value = headers.get(name).lower()
        if value and value not in ("no", "false", "0"):
            return True
    if headers.get("x-precedence").lower() in ("auto_reply", "auto-reply"):
        return True
    if headers.get("precedence").lower() in ("auto_reply", "auto-reply"):
        return True
    if headers.get("x-post-messageclass").strip() == "9; Autoresponder":
        return True
    if "autorespond" in headers.get("delivered-to").lower():
        return True
    return bool(_AUTO_SUBJECT.search(subject))


def _is_bulk(headers: _Headers) -> bool:
    for name in ("list-id", "list-unsubscribe", "list-post", "x-mailing-list", "mailing-list"):
        if headers.get(name):
            return True
    precedence = headers.get("precedence").lower().strip()
    return precedence in ("bulk", "junk", "list")


# --- bodies and attachments ----------------------------------------------------------------


def _safe(call: object, default: str = "") -> str:
    try:
        value = call() if callable(call) else call
    except Exception:  # a malformed parameter is treated as absent
        return default
    return str(value) if value is not None else default


def _filename(part: Message) -> str:
    name = _safe(part.get_filename)
    if not name:
        name = _safe(lambda: part.get_param("name"))
    return _decode_raw_header(name).strip() if name else ""


def _disposition(part: Message) -> str:
    return _safe(part.get_content_disposition).lower()


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as error:
        defects.append(f"undecodable part {part.get_content_type()}: {type(error).__name__}")
        return b""
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _as_bytes(message: Message) -> bytes:
    for policy in (email.policy.compat32, email.policy.default):
        try:
            return message.as_bytes(policy=policy)
        except Exception:  # noqa: S112 - try the next, more lenient serialisation
            continue
    return b""


def _message_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list):
        # message/rfc822 holds one message; delivery-status holds blocks of fields.
        return b"\n".join(_as_bytes(sub) for sub in payload if isinstance(sub, Message))
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _text_of(part: Message, defects: list[str]) -> str:
    data = _payload_bytes(part, defects)
    charset = _safe(part.get_content_charset) or None
    text = decode_bytes(data, charset, defects).replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class _Collected:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attachment_bytes: int = 0
    # Attachments over EMAIL_MAX_ATTACHMENTS(_BYTES): named on the message, not stored.
    skipped: list[str] = field(default_factory=list)

    def add_attachment(self, attachment: Attachment) -> None:
        over_count = len(self.attachments) >= settings.EMAIL_MAX_ATTACHMENTS
        over_size = (
            self.attachment_bytes + attachment.size > settings.EMAIL_MAX_ATTACHMENTS_BYTES
        )
        if over_count or over_size:
            self.skipped.append(attachment.filename or attachment.content_type)
            return
        self.attachments.append(attachment)
        self.attachment_bytes += attachment.size

    def incomplete(self) -> list[str]:
        if not self.skipped:
            return []
        shown = ", ".join(self.skipped[:10]) + (" …" if len(self.skipped) > 10 else "")
        return [
            f"{len(self.skipped)} attachments over the limits "
            f"({settings.EMAIL_MAX_ATTACHMENTS} files, "
            f"{settings.EMAIL_MAX_ATTACHMENTS_BYTES // (1024 * 1024)} MB) were not stored: "
            f"{shown}"
        ]


def _walk(part: Message, collected: _Collected, defects: list[str], depth: int = 0) -> None:
    content_type = part.get_content_type()
    payload = part.get_payload()
    # The stdlib calls message/* parts multipart too; an attached message is one attachment.
    if (
        part.is_multipart()
        and isinstance(payload, list)
        and part.get_content_maintype() != ("message")
    ):
        if depth > 50:
            defects.append("MIME nesting too deep")
            return
        if content_type == "multipart/alternative":
            # Alternatives say the same thing: keep the first readable plain and HTML one.
            plain = [
                p
                for p in payload
                if isinstance(p, Message)
                and p.get_content_type() == "text/plain"
                and not _filename(p)
            ]
            html = [
                p
                for p in payload
                if isinstance(p, Message)
                and p.get_content_type() == "text/html"
                and not _filename(p)
            ]
            others = [
                p for p in payload if isinstance(p, Message) and p not in plain and p not in html
            ]
            if plain:
                collected.texts.append(_text_of(plain[0], defects))
            if html:
                collected.htmls.append(_text_of(html[0], defects))
            for other in others:
                _walk(other, collected, defects, depth + 1)
            return
        for sub in payload:
            if isinstance(sub, Message):
                _walk(sub, collected, defects, depth + 1)
        return
    filename = _filename(part)
    disposition = _disposition(part)
    is_attachment = disposition == "attachment" or bool(filename)
    if content_type == "text/plain" and not is_attachment:
        collected.texts.append(_text_of(part, defects))
        return
    if content_type == "text/html" and not is_attachment:
        collected.htmls.append(_text_of(part, defects))
        return
    if part.get_content_maintype() == "multipart":
        # A multipart whose boundary is missing: the parser kept it as text.
        defects.append(f"{content_type} without usable parts")
        if isinstance(payload, str) and payload.strip():
            collected.texts.append(
                payload.encode("utf-8", "surrogateescape")
                .decode("utf-8", "replace")
                .replace("\r\n", "\n")
            )
        return
    if part.get_content_maintype() == "message":
        content = _message_bytes(part)
        if not filename:
            filename = "message.eml" if content_type == "message/rfc822" else ""
    else:
        content = _payload_bytes(part, defects)
    content_id = _safe(lambda: part.get("content-id", "")).strip().strip("<>")
    collected.add_attachment(
        Attachment(
            filename=filename,
            content_type=content_type,
            content=content,
            content_id=content_id,
            is_inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        )
    )


def _sender_hint(sender: Address | None) -> str:
    if sender is None:
        return ""
    return sender.name or sender.address


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse one raw RFC 822 message. Malformed input gives defects, never an exception."""
    defects: list[str] = []
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    # Bare CR line ends (old Mac) confuse the header parser; normalise them first.
    if b"\r" in raw and b"\n" not in raw:
        raw = raw.replace(b"\r", b"\n")
        defects.append("bare CR line endings")
    # Blank lines before the first header would make every header part of the body.
    stripped = raw.lstrip(b" \t\r\n")
    if stripped != raw and re.match(rb"[!-9;-~]+:", stripped):
        raw = stripped
        defects.append("blank lines before the headers")
    readable = readable_part(raw)
    raw = readable.raw
    incomplete = list(readable.incomplete)
    message: Message
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except RecursionError:
        message = _headers_only(raw, defects, incomplete)
    except Exception as error:  # the lenient legacy policy parses anything
        defects.append(f"reparsed with compat32: {type(error).__name__}")
        try:
            message = email.message_from_bytes(raw, policy=email.policy.compat32)
        except RecursionError:
            message = _headers_only(raw, defects, incomplete)
    headers = _Headers(message, defects)

    subject = headers.get("subject")
    senders = _addresses(headers.get_all("from"))
    sender = senders[0] if senders else None
    to = _addresses(headers.get_all("to"))
    cc = _addresses(headers.get_all("cc"))
    reply_to = _addresses(headers.get_all("reply-to"))
    message_ids = _message_ids(headers.get("message-id"))
    in_reply_to_ids = _message_ids(headers.get("in-reply-to"))
    references = _message_ids(" ".join(headers.get_all("references")))
    date: datetime | None = None
    date_value = headers.get("date")
    if date_value:
        try:
            date = parsedate_to_datetime(date_value)
        except (TypeError, ValueError, IndexError):
            defects.append("unparseable Date header")

    collected = _Collected()
    try:
        _walk(message, collected, defects)
    except Exception as error:  # keep whatever was collected before the failure
        defects.append(f"MIME structure error: {type(error).__name__}")

    for defect in _all_defects(message):
        defects.append(defect)
    incomplete.extend(collected.incomplete())

    text = "\n\n".join(t.strip("\n") for t in collected.texts if t.strip())
    html = collected.htmls[0] if collected.htmls else ""
    hint = _sender_hint(sender)
    if text:
        body = parse_body(text, is_html=False, sender=hint)
    elif html:
        body = parse_body(html, is_html=True, sender=hint)
        text = body.text
    else:
        body = parse_body("", is_html=False)

    human = text or (html_to_text(html) if html else "")
    all_headers = headers.items()
    try:
        report = analyse_report(
            message,
            sender=(f"{sender.name} <{sender.address}>" if sender else headers.get("from")),
            subject=subject,
            to=[a.address for a in to],
            human_text=human,
            headers=all_headers,
        )
    except Exception as error:  # a report we cannot read is not taken for a bounce
        defects.append(f"unreadable delivery report: {type(error).__name__}")
        report = None

    is_receipt = (
        message.get_content_type() == "multipart/report"
        and str(_safe(lambda: message.get_param("report-type"))).lower()
        == "disposition-notification"
    )
    is_auto_reply = _is_auto_reply(headers, subject) or report is not None or is_receipt
    return ParsedEmail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=in_reply_to_ids[0] if in_reply_to_ids else "",
        references=references,
        sender=sender,
        to=to,
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        date=date,
        text=text,
        html=html,
        body=body,
        attachments=tuple(collected.attachments),
        is_auto_reply=is_auto_reply,
        is_bulk=_is_bulk(headers),
        report=report,
        defects=tuple(dict.fromkeys(defects)),
        headers=tuple(all_headers),
        incomplete=tuple(incomplete),
    )


def _headers_only(raw: bytes, defects: list[str], incomplete: list[str]) -> Message:
    """The mail's headers with its body as unparsed text: what is left when the structure
    is too deep for the parser even within the limits (limits.py should prevent it)."""
    defects.append("MIME structure too deep to parse")
    incomplete.append("the MIME structure could not be read: the body is shown as received")
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        raw, headersonly=True
    )


def _all_defects(message: Message) -> list[str]:
    found = []
    for part in message.walk():
        for defect in getattr(part, "defects", []):
            found.append(type(defect).__name__)
    return found


# --- adapter output ------------------------------------------------------------------------


def _attachment_type(content_type: str) -> AttachmentType:
    major = content_type.split("/", 1)[0]
    if major == "image":
        return "image"
    if major == "audio":
        return "audio"
    if major == "video":
        return "video"
    return "document"


def to_inbound_message(parsed: ParsedEmail) -> InboundMessage:
    """The `InboundMessage` for ingest(): sender identity by e-mail, threading hints, files."""
    identities = []
    name = ""
    if parsed.sender is not None:
        name = parsed.sender.name
        if parsed.sender.address:
            identities.append(SenderIdentity(kind=IdentityKind.EMAIL, value=parsed.sender.address))
    attachments = tuple(
        InboundAttachment(
            type=_attachment_type(a.content_type),
            mime_type=a.content_type,
            filename=a.filename,
            content=a.content,
            content_id=a.content_id,
        )
        for a in parsed.attachments
    )
    return InboundMessage(
        external_id=parsed.message_id,
        sender=Sender(identities=tuple(identities), name=name),
        text=parsed.reply_text or parsed.text,
        html=parsed.html,
        sent_at=parsed.date,
        attachments=attachments,
        thread=ThreadHints(
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            subject=parsed.subject,
        ),
        is_auto_reply=parsed.is_auto_reply,
        raw={
            "message_id": parsed.message_id,
            "is_bulk": parsed.is_bulk,
            "is_bounce": parsed.is_bounce,
            "signature": parsed.signature,
            "full_text": parsed.text,
            "defects": list(parsed.defects),
            "incomplete": list(parsed.incomplete),
        },
    )
