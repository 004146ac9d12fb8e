"""Delivery reports: bounces (RFC 3464 DSNs and MTA prose), ARF complaints, delivered reports.

A bounce is recognised from a machine-readable report when there is one, otherwise from the
mailer daemon's prose. Each failed recipient gets a DSN status and a reason. The reason names
follow sisimai's vocabulary (userunknown, mailboxfull, hostunknown, filtered, ...) so that
figures can be compared with it; when a report has no status code, the status is the
"X.0.9xx" pseudo code sisimai assigns to the reason, so that an inferred status is never
mistaken for one the remote server gave.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import Message

ReportKind = str  # "bounce", "complaint" or "delivered"


@dataclass(frozen=True)
class BounceRecipient:
    recipient: str
    status: str
    action: str
    reason: str
    hard: bool
    reply_code: str = ""
    diagnostic: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    kind: ReportKind
    recipients: tuple[BounceRecipient, ...]

    @property
    def is_bounce(self) -> bool:
        return self.kind in ("bounce", "complaint")


# Reasons meaning the address itself is wrong: retrying or resending cannot help.
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Pseudo status codes for reports without one (the values sisimai uses, for comparability).
_PSEUDO_PERMANENT = {
    "authfailure": "5.0.975",
    "badreputation": "5.0.976",
    "blocked": "5.0.971",
    "contenterror": "5.0.960",
    "exceedlimit": "5.0.923",
    "expired": "5.0.947",
    "failedstarttls": "5.0.977",
    "filtered": "5.0.910",
    "hasmoved": "5.0.916",
    "hostunknown": "5.0.912",
    "mailboxfull": "5.0.922",
    "mailererror": "5.0.939",
    "mesgtoobig": "5.0.934",
    "networkerror": "5.0.944",
    "norelaying": "5.0.909",
    "notaccept": "5.0.932",
    "notcompliantrfc": "5.0.978",
    "onhold": "5.0.901",
    "policyviolation": "5.0.972",
    "rejected": "5.0.918",
    "requireptr": "5.0.973",
    "securityerror": "5.0.970",
    "spamdetected": "5.0.980",
    "speeding": "5.0.946",
    "suspend": "5.0.921",
    "syntaxerror": "5.0.902",
    "systemerror": "5.0.930",
    "systemfull": "5.0.931",
    "toomanyconn": "5.0.945",
    "userunknown": "5.0.911",
    "undefined": "5.0.900",
    "virusdetected": "5.0.981",
}
_PSEUDO_TEMPORARY = {
    "blocked": "4.0.971",
    "contenterror": "4.0.960",
    "expired": "4.0.947",
    "filtered": "4.0.924",
    "mailboxfull": "4.0.922",
    "networkerror": "4.0.944",
    "notaccept": "4.0.932",
    "onhold": "4.0.901",
    "rejected": "4.0.918",
    "securityerror": "4.0.970",
    "spamdetected": "4.0.980",
    "systemerror": "4.0.930",
    "systemfull": "4.0.931",
    "toomanyconn": "4.0.945",
    "undefined": "4.0.900",
}

# Reason implied by a standard enhanced status code (RFC 3463 and its registry).
_STATUS_REASON = {
    "1.0": "userunknown",
    "1.1": "userunknown",
    "1.2": "hostunknown",
    "1.3": "userunknown",
    "1.4": "filtered",
    "1.6": "hasmoved",
    "1.7": "rejected",
    "1.8": "rejected",
    "1.9": "systemerror",
    "1.10": "notaccept",
    "2.0": "filtered",
    "2.1": "filtered",
    "2.2": "mailboxfull",
    "2.3": "exceedlimit",
    "2.4": "filtered",
    "3.0": "systemerror",
    "3.1": "systemfull",
    "3.2": "notaccept",
    "3.3": "systemerror",
    "3.4": "mesgtoobig",
    "3.5": "systemerror",
    "4.0": "networkerror",
    "4.1": "expired",
    "4.2": "networkerror",
    "4.3": "systemerror",
    "4.4": "networkerror",
    "4.5": "toomanyconn",
    "4.6": "networkerror",
    "4.7": "expired",
    "5.3": "toomanyconn",
    "5.4": "systemerror",
    "5.5": "systemerror",
    "5.6": "securityerror",
    "6.0": "contenterror",
    "6.1": "contenterror",
    "6.2": "contenterror",
    "6.3": "contenterror",
    "6.5": "contenterror",
    "7.0": "securityerror",
    "7.1": "blocked",
    "7.2": "blocked",
    "7.8": "securityerror",
    "7.13": "suspend",
    "7.17": "hasmoved",
    "7.18": "hasmoved",
    "7.23": "authfailure",
    "7.25": "requireptr",
    "7.26": "authfailure",
    "7.27": "rejected",
}

# What MTAs write, per reason. Checked in this order: specific before generic.
_REASON_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("virusdetected", ("virus", "malware", "infected")),
    (
        "requireptr",
        (
            "reverse dns",
            "ptr record",
            "no ptr",
            "reverse lookup",
            "rdns",
            "reverse-dns",
            "cannot find your hostname",
            "unresolvable",
        ),
    ),
    (
        "authfailure",
        (
            "spf ",
            "spf:",
            "dkim",
            "dmarc",
            "sender policy framework",
            "not authorized to send on behalf",
        ),
    ),
    (
        "norelaying",
        (
            "relay access denied",
            "relaying denied",
            "not permitted to relay",
            "relay not permitted",
            "unable to relay",
            "relaying not allowed",
        ),
    ),
    (
        "mesgtoobig",
        (
            "message too big",
            "message size exceeds",
            "size limit exceeded",
            "message is too large",
            "message too large",
            "mail size limit",
            "exceeds size limit",
            "exceeds the maximum size",
            "size exceeds",
        ),
    ),
    (
        "exceedlimit",
        ("exceeds administrative limit", "message length exceeds", "too many recipients"),
    ),
    (
        "mailboxfull",
        (
            "mailbox full",
            "mailbox is full",
            "quota",
            "mailbox size limit",
            "insufficient storage",
            "exceeded storage",
            "disk full",
            "mailbox exceeds",
            "not enough space",
            "mail box full",
            "user is over",
        ),
    ),
    ("hasmoved", ("has moved", "address has changed", "no longer at this address")),
    (
        "suspend",
        (
            "suspended",
            "disabled",
            "deactivated",
            "inactive",
            "not active",
            "account is locked",
            "temporarily unavailable",
            "account has been closed",
            "expired account",
            "blocked account",
        ),
    ),
    (
        "hostunknown",
        (
            "host unknown",
            "unknown host",
            "domain not found",
            "no such domain",
            "host not found",
            "host or domain name not found",
            "name or service not",
            "unrouteable mail domain",
            "unrouteable address",
            "domain does not exist",
            "nxdomain",
            "no mx",
            "dns error",
            "mx lookup",
            "domain name not found",
            "unknown domain",
            "domain is not",
        ),
    ),
    (
        "userunknown",
        (
            "user unknown",
            "unknown user",
            "no such user",
            "does not exist",
            "doesn't exist",
            "not exist",
            "invalid recipient",
            "unknown recipient",
            "recipient unknown",
            "recipient not found",
            "user not found",
            "mailbox not found",
            "no mailbox",
            "mailbox unavailable",
            "invalid mailbox",
            "address unknown",
            "unknown address",
            "bad address",
            "invalid address",
            "no such recipient",
            "no such mailbox",
            "recipient rejected",
            "address rejected",
            "not a valid",
            "addressee unknown",
            "unknown local",
            "recipientnotfound",
            "no such account",
            "account does not",
            "user doesn't have",
            "invalid user",
            "not our customer",
            "is not a known user",
            "address not found",
            "couldn't be found",
        ),
    ),
    ("spamdetected", ("spam", "junk mail", "bulk mail", "unsolicited")),
    (
        "policyviolation",
        ("policy violation", "violates", "prohibited", "policy reasons", "content policy"),
    ),
    (
        "blocked",
        (
            "blocked",
            "blacklist",
            "block list",
            "blocklist",
            "denylist",
            "rbl",
            "spamhaus",
            "reputation",
            "client host rejected",
            "banned",
            "access denied",
            "not allowed to send",
            "connection refused by",
        ),
    ),
    (
        "expired",
        (
            "retry timeout exceeded",
            "delivery time expired",
            "too long",
            "could not be delivered within",
            "has been delayed",
            "deferred",
            "expired",
            "timeout",
            "timed out",
            "giving up",
            "attempts",
            "cannot send message for",
            "not delivered within",
        ),
    ),
    (
        "networkerror",
        (
            "connection refused",
            "unable to connect",
            "network is unreachable",
            "routing loop",
            "too many hops",
            "mail loop",
            "loops back",
            "establish an smtp connection",
            "could not connect",
        ),
    ),
    ("toomanyconn", ("too many connections", "too many concurrent")),
    (
        "securityerror",
        (
            "authentication required",
            "tls required",
            "encryption required",
            "must issue a starttls",
            "not authenticated",
        ),
    ),
    ("contenterror", ("content rejected", "invalid mime", "header error", "8bit")),
    (
        "rejected",
        (
            "sender rejected",
            "sender address rejected",
            "domain of sender",
            "unroutable sender",
            "sender verify failed",
            "sender denied",
            "sender address",
            "mail from",
        ),
    ),
    ("syntaxerror", ("syntax error",)),
    ("systemfull", ("system full", "insufficient system storage")),
    (
        "systemerror",
        ("system error", "internal error", "server error", "local error", "misconfiguration"),
    ),
    ("filtered", ("filtered", "refused", "not accepted", "rejected", "denied")),
)

_ENHANCED_IN_PARENS = re.compile(r"\(#?([245]\.\d{1,3}\.\d{1,3})\)")
_ENHANCED_AFTER_REPLY = re.compile(r"\b[245]\d\d[- ]#?([245]\.\d{1,3}\.\d{1,3})\b")
_ENHANCED = re.compile(r"(?<![\d.])([45]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)")
_REPLY_CODE = re.compile(r"(?<![\d.\-])([45][0-5]\d)(?:[ -]|$)", re.MULTILINE)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

_DAEMON_SENDER = re.compile(
    r"mailer-daemon|post_?master|mail delivery|mail administrator|mail system|"
    r"maildelivery|bounce|nobody|returned mail|delivery subsystem",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery status notification \((?:failure|delay)|"
    r"delivery (?:status )?notification.*(?:fail|delay)|mail delivery fail|delivery fail|"
    r"failure notice|returned mail|returned to sender|could not be delivered|"
    r"non.?delivery|not delivered|delivery problem|delivery error|mail system error|"
    r"failed delivery|rejected|warning: could not send|message not delivered|"
    r"delivery has failed|unable to deliver|nicht zustellbar|unzustellbar|"
    r"non remis|no entregado|non recapitabile|onbestelbaar|olevererbart",
    re.IGNORECASE,
)
_ORIGINAL_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:below this line is a copy|this is a copy of the message|"
    r"original message follows|the header of the original message|original message\b|"
    r"message headers follow|undelivered message|the original message headers|"
    r"content-type:\s*message/rfc822|return-path:|received:\s*from)",
    re.IGNORECASE,
)
_DELIVERED_ACTIONS = frozenset({"delivered", "relayed", "expanded"})


def find_status(text: str) -> str:
    """The first enhanced status code (e.g. "5.1.1") in an MTA's text, or ""."""
    for pattern in (_ENHANCED_IN_PARENS, _ENHANCED_AFTER_REPLY, _ENHANCED):
        match = pattern.search(text)
        if match:
            return match.group(1)
    return ""


def find_reply_code(text: str) -> str:
    match = _REPLY_CODE.search(text)
    return match.group(1) if match else ""


def classify_reason(diagnostic: str, status: str = "") -> str:
    """A sisimai-style reason name from the diagnostic text, else from the status code."""
    lowered = " ".join(diagnostic.lower().split())
    for reason, phrases in _REASON_PHRASES:
        if any(phrase in lowered for phrase in phrases):
            return reason
    if status and status[0] in "45":
        subject_detail = status.split(".", 1)[1] if "." in status else ""
        reason = _STATUS_REASON.get(subject_detail, "")
        if reason:
            return reason
    return "undefined" if status.endswith(".0.0") or not status else "onhold"


def pseudo_status(reason: str, *, temporary: bool) -> str:
    table = _PSEUDO_TEMPORARY if temporary else _PSEUDO_PERMANENT
    return table.get(reason) or _PSEUDO_PERMANENT.get(reason, "5.0.900")


def _fields(text: str) -> list[dict[str, str]]:
    """Blocks of "Name: value" fields (RFC 3464 / RFC 5965 bodies), lower-case names."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
                current, last = {}, ""
            continue
        if line[0] in " \t" and last:
            current[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if sep and re.fullmatch(r"[A-Za-z][\w-]*", name.strip()):
            last = name.strip().lower()
            current.setdefault(last, value.strip())
    if current:
        blocks.append(current)
    return blocks


def _part_text(part: Message) -> str:
    """Text of a leaf or message/* part, whatever the parser made of it."""
    payload = part.get_payload()
    if isinstance(payload, list):
        chunks = []
        for sub in payload:
            if isinstance(sub, Message):
                chunks.append("\n".join(f"{k}: {v}" for k, v in sub.items()))
                inner = sub.get_payload()
                if isinstance(inner, str) and inner.strip():
                    chunks.append(inner)
        text = "\n\n".join(chunks)
        encoding = str(part.get("content-transfer-encoding", "")).lower().strip()
        if encoding == "quoted-printable":
            # Not allowed on message/* by RFC 2046, written by some MTAs all the same.
            text = quopri.decodestring(text.encode("utf-8", "replace")).decode("utf-8", "replace")
        return text
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return str(payload or "")


def _address_of(value: str) -> str:
    # "rfc822; <user@example.com>" or "RFC822; user@example.com"
    match = _ADDRESS.search(value.split(";", 1)[-1])
    return match.group(0).lower().strip(".") if match else ""


def _recipient_from_fields(fields: dict[str, str]) -> str:
    for name in ("final-recipient", "original-recipient", "x-actual-recipient"):
        if name in fields:
            address = _address_of(fields[name])
            if address:
                return address
    return ""


def _clean_status(value: str) -> str:
    match = re.search(r"[245]\.\d{1,3}\.\d{1,3}", value)
    return match.group(0) if match else ""


# Evidence that a refusal came at the RCPT command: only then does "user unknown" mean it.
_AT_RCPT = re.compile(r"(?:in reply to|after)\s+(?:the\s+)?rcpt\b", re.IGNORECASE)


def _make_recipient(
    address: str, diagnostic: str, *, status: str = "", action: str = "failed"
) -> BounceRecipient:
    diagnostic = " ".join(diagnostic.split())
    reply_code = find_reply_code(diagnostic)
    if not status:
        status = find_status(diagnostic)
    reason = classify_reason(diagnostic, status)
    if reason == "userunknown" and not status and not _AT_RCPT.search(diagnostic):
        # Without a status code, "user unknown" refused after the RCPT stage (at DATA, or at
        # an unknown stage) may be the recipient's filter speaking, not a missing mailbox:
        # sisimai files it as "filtered", and so a soft failure (Sisimai::Reason::Filtered).
        reason = "filtered"
    if address.endswith("@googlegroups.com"):
        # Google Groups refuses posts from non-members in many languages, with no code.
        reason = "rejected"
    if not status or status.startswith("2"):
        temporary = (
            reply_code.startswith("4")
            or (reason == "expired" and "retry timeout" in diagnostic.lower())
            or action == "delayed"
        )
        status = pseudo_status(reason, temporary=temporary)
    return BounceRecipient(
        recipient=address,
        status=status,
        action=action or ("delayed" if status.startswith("4") else "failed"),
        reason=reason,
        hard=reason in HARD_REASONS,
        reply_code=reply_code,
        diagnostic=diagnostic[:1000],
    )


def _leaf_parts(message: Message) -> Iterable[Message]:
    """Parts of the report itself: stops at attached messages (the returned original)."""
    stack = [message]
    while stack:
        part = stack.pop(0)
        payload = part.get_payload()
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            stack = [p for p in payload if isinstance(p, Message)] + stack
            continue
        yield part


def _complaint(message: Message, parts: Sequence[Message]) -> DeliveryReport | None:
    feedback = [p for p in parts if p.get_content_type() == "message/feedback-report"]
    report_type = (message.get_param("report-type") or "") if message else ""
    if not feedback and str(report_type).lower() != "feedback-report":
        return None
    fields: dict[str, str] = {}
    for part in feedback:
        for block in _fields(_part_text(part)):
            for name, value in block.items():
                fields.setdefault(name, value)
    recipient = ""
    for name in ("original-rcpt-to", "removal-recipient"):
        if fields.get(name):
            recipient = _address_of(fields[name])
            if recipient:
                break
    if not recipient:
        for part in message.walk():
            if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                match = re.search(r"^To:(.*)$", _part_text(part), re.MULTILINE | re.IGNORECASE)
                if match:
                    recipient = _address_of(match.group(1))
                    break
    feedback_type = fields.get("feedback-type", "abuse").strip().lower()
    recipient_entry = BounceRecipient(
        recipient=recipient,
        status="",
        action=feedback_type,
        reason="feedback",
        hard=False,
    )
    return DeliveryReport(kind="complaint", recipients=(recipient_entry,))


def _from_dsn(parts: Sequence[Message], human: str) -> DeliveryReport | None:
    blocks: list[dict[str, str]] = []
    for part in parts:
        content_type = part.get_content_type()
        text = ""
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            text = _part_text(part)
        elif content_type == "text/plain":
            # Some MTAs send the report fields as text/plain.
            candidate = _part_text(part)
            has_recipient = re.search(
                r"^(?:final-recipient|original-recipient)\s*:", candidate, re.I | re.M
            )
            if has_recipient and re.search(r"^action\s*:", candidate, re.I | re.M):
                text = candidate
        if text:
            blocks.extend(b for b in _fields(text) if _recipient_from_fields(b))
    if not blocks:
        return None
    failed: list[BounceRecipient] = []
    delivered = 0
    for fields in blocks:
        action = (
            fields.get("action", "").strip().lower().split()[0]
            if fields.get("action", "").strip()
            else ""
        )
        status = _clean_status(fields.get("status", ""))
        if action in _DELIVERED_ACTIONS or (not action and status.startswith("2")):
            delivered += 1
            continue
        diagnostic = fields.get("diagnostic-code", "")
        diagnostic_text = diagnostic.split(";", 1)[-1] if ";" in diagnostic[:12] else diagnostic
        address = _recipient_from_fields(fields)
        if not diagnostic_text.strip():
            diagnostic_text = _human_diagnostic_for(address, human)
        found = find_status(diagnostic_text)
        if status and (status.endswith(".0.0") or status[2:] == "4.7") and found in ("", status):
            window = _human_diagnostic_for(address, human)
            others = [c for c in _ENHANCED.findall(window) if c != status and c[0] == status[0]]
            found = others[0] if others else ""
        # "5.0.0" or "4.4.7" (gave up) says less than the remote server's own code, if any.
        if not status or (
            found and found != status and (status.endswith(".0.0") or status[2:] == "4.7")
        ):
            status = found or status
        failed.append(
            _make_recipient(
                address,
                diagnostic_text,
                status=status,
                action=action or ("delayed" if status.startswith("4") else "failed"),
            )
        )
    if failed:
        return DeliveryReport(kind="bounce", recipients=tuple(failed))
    if delivered:
        return DeliveryReport(kind="delivered", recipients=())
    return None


def _human_part(lines: list[str]) -> list[str]:
    """The daemon's own explanation: up to the copy of the returned message."""
    for index, line in enumerate(lines):
        if index > 2 and _ORIGINAL_MARKER.match(line):
            return lines[:index]
    return lines


def _human_diagnostic_for(address: str, human: str) -> str:
    lines = _human_part(human.split("\n"))
    for index, line in enumerate(lines):
        if address and address in line.lower():
            return "\n".join(lines[index : index + 20])
    return "\n".join(lines)


def _from_prose(
    human: str, *, failed_header: Sequence[str], excluded: set[str]
) -> DeliveryReport | None:
    lines = _human_part(human.replace("\r\n", "\n").split("\n"))
    hits: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if re.search(r"https?://\S*@", line):
            continue
        for match in _ADDRESS.finditer(line):
            address = match.group(0).lower().strip(".")
            if address in excluded or address in seen:
                continue
            if re.match(r"(?:mailer-daemon|postmaster|support|abuse|help|noreply)@", address):
                continue
            if re.search(
                r"(?:mail\s+from|from:|sender|envelope-from)\s*:?\s*<?$",
                line[: match.start()],
                re.IGNORECASE,
            ):
                continue
            hits.append((index, address))
            seen.add(address)
    if failed_header:
        wanted = [a.lower() for a in failed_header]
        hits = [(i, a) for i, a in hits if a in wanted] or [(0, a) for a in wanted]
    if not hits and excluded:
        # Some reports go back to the failed address itself (aliases, tests): try it too.
        return _from_prose(human, failed_header=failed_header, excluded=set())
    if not hits:
        return None
    recipients = []
    for position, (index, address) in enumerate(hits):
        following = hits[position + 1][0] if position + 1 < len(hits) else len(lines)
        end = max(following, index + 1)
        window = "\n".join(lines[index:end])
        if not find_status(window) and not find_reply_code(window):
            # The reason is often written once, above or below the list of addresses.
            window = window + "\n" + "\n".join(lines)
        recipients.append(_make_recipient(address, window))
    return DeliveryReport(kind="bounce", recipients=tuple(recipients))


def _addresses(values: Iterable[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        found.extend(m.group(0).lower() for m in _ADDRESS.finditer(value))
    return found


def analyse_report(
    message: Message,
    *,
    sender: str,
    subject: str,
    to: Sequence[str],
    human_text: str,
    headers: Sequence[tuple[str, str]] = (),
) -> DeliveryReport | None:
    """The delivery report carried by `message`, or None when it is not one.

    `human_text` is the readable body already decoded by the caller, `headers` the top-level
    header fields as (name, value) strings.
    """
    parts = list(_leaf_parts(message))
    complaint = _complaint(message, parts)
    if complaint is not None:
        return complaint
    dsn = _from_dsn(parts, human_text)
    if dsn is not None:
        return dsn
    header_map: dict[str, list[str]] = {}
    for name, value in headers:
        header_map.setdefault(name.lower(), []).append(value)
    failed_header = _addresses(header_map.get("x-failed-recipients", []))
    is_report_type = message.get_content_type() == "multipart/report" and str(
        message.get_param("report-type") or "delivery-status"
    ).lower() in ("delivery-status", "")
    from_daemon = bool(_DAEMON_SENDER.search(sender)) or (
        any(v.strip() in ("<>", "") for v in header_map.get("return-path", []))
        and bool(_BOUNCE_SUBJECT.search(subject))
    )
    looks_like_bounce = (
        bool(failed_header)
        or is_report_type
        or (from_daemon and bool(_BOUNCE_SUBJECT.search(subject) or _DAEMON_SENDER.search(sender)))
    )
    if not looks_like_bounce and _BOUNCE_SUBJECT.search(subject):
        # A bounce forwarded by a person: the report is in the quoted text.
        unquoted = re.sub(r"^[ \t]*(?:>[ \t]?)+", "", human_text, flags=re.MULTILINE)
        blocks = [b for b in _fields(unquoted) if _recipient_from_fields(b) and "action" in b]
        if blocks:
            fields = blocks[0]
            return DeliveryReport(
                kind="bounce",
                recipients=tuple(
                    _make_recipient(
                        _recipient_from_fields(b),
                        b.get("diagnostic-code", ""),
                        status=_clean_status(b.get("status", "")),
                        action=b.get("action", "failed").lower(),
                    )
                    for b in blocks
                    if b.get("action", "").lower().split()[:1] not in (["delivered"], ["relayed"])
                )
                or (_make_recipient(_recipient_from_fields(fields), ""),),
            )
    if not looks_like_bounce:
        return None
    # Daemons also send digests and notices; a bounce says it failed somewhere.
    says_failure = re.search(
        r"could not be delivered|failed|undeliver|error|rejected|"
        r"permanent|unable to deliver|not be delivered",
        human_text,
        re.IGNORECASE,
    )
    if from_daemon and not (_BOUNCE_SUBJECT.search(subject) or failed_header or says_failure):
        return None
    excluded = set(_addresses(to)) | set(_addresses([sender]))
    return _from_prose(human_text, failed_header=failed_header, excluded=excluded)
