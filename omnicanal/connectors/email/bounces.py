"""Delivery reports: bounces (RFC 3464 DSNs and MTA prose), ARF complaints, delivered reports.

A bounce is recognised from a machine-readable report when there is one, otherwise from the
mailer daemon's prose. Each failed recipient gets a DSN status and a reason. The reason names
follow sisimai's vocabulary (userunknown, mailboxfull, hostunknown, filtered, ...) so that
figures can be compared with it; when a report has no status code, the status is the
"X.0.9xx" pseudo code sisimai assigns to the reason, so that an inferred status is never
mistaken for one the remote server gave.
"""

from __future__ import annotations

import json
import quopri
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import Message

from omnicanal.connectors.email.bounce_reasons import (
    MICROSOFT_HOSTS,
    POWERMTA_CATEGORIES,
    RETRIED,
    Evidence,
    decide_reason,
    find_command,
    gmail_state,
    microsoft_reason,
    msexch_reason,
    prefer_status,
    pseudo_status,
    stated_by_wording,
    status_reason,
)

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
    # Message-IDs of the original message when the report states them outside a returned
    # copy (an Amazon SES notification's "mail" object).
    message_ids: tuple[str, ...] = ()

    @property
    def is_bounce(self) -> bool:
        return self.kind in ("bounce", "complaint")


# Reasons meaning the address itself is wrong: retrying or resending cannot help.
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

_ENHANCED_IN_PARENS = re.compile(r"\(#?([245]\.\d{1,3}\.\d{1,3})\)")
_ENHANCED_AFTER_REPLY = re.compile(r"\b[245]\d\d[- ]#?([245]\.\d{1,3}\.\d{1,3})\b")
_ENHANCED = re.compile(r"(?<![\d.])([45]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)")
_REPLY_CODE = re.compile(r"(?<![\d.\-])([45][0-5]\d)(?:[ -]|$)", re.MULTILINE)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

_DAEMON_SENDER = re.compile(
    r"mailer-daemon|post_?master|mail delivery|mail administrator|mail system|"
    r"maildelivery|bounce|nobody|returned mail|delivery subsystem|courier mail server",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery status notification \((?:failure|delay)|"
    r"delivery (?:status )?notification.*(?:fail|delay)|mail delivery fail|delivery fail|"
    r"failure notice|returned mail|returned to sender|could not be delivered|"
    r"non.?delivery|not delivered|delivery problem|delivery error|mail system error|"
    r"failed delivery|rejected|warning: could not send|message not delivered|"
    r"delivery has failed|unable to deliver|nicht zustellbar|unzustellbar|"
    r"mail delivery status|delayed mail|"
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


def classify_reason(diagnostic: str, status: str = "", *, command: str = "") -> str:
    """The sisimai reason name for a diagnostic text and its status code (see bounce_reasons)."""
    return decide_reason(
        Evidence(
            diagnostic=diagnostic,
            status=status or find_status(diagnostic),
            reply_code=find_reply_code(diagnostic),
            command=command or find_command(diagnostic),
            stated=stated_by_wording(" ".join(diagnostic.lower().split())),
        )
    )


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


def _make_recipient(
    address: str,
    diagnostic: str,
    *,
    status: str = "",
    action: str = "failed",
    diagnostic_type: str = "",
    stated: str = "",
    context: str = "",
    mta: str = "",
    remote_host: str = "",
) -> BounceRecipient:
    """One failed recipient. `context` is the daemon's prose about it, read for the SMTP
    command when the diagnostic itself does not name it; `mta` the software that wrote the
    report when its format says so ("exim", "qmail", ...)."""
    diagnostic = " ".join(diagnostic.split())
    reply_code = find_reply_code(diagnostic)
    if not status:
        status = find_status(diagnostic)
    lowered = diagnostic.lower()
    command = find_command(diagnostic) or find_command(context)
    if not command and "refused to talk to me" in lowered:
        command = "HELO"  # Postfix: the greeting itself was refused
    if diagnostic_type in ("X-POSTFIX", "") and (
        diagnostic_type or re.search(r"\bhost \S+ ?(?:\[[^]]*\] )?said:", lowered)
    ):
        # Postfix's own type, and "host X said:", carry an SMTP server's reply.
        diagnostic_type = "SMTP"
    if not stated and mta == "exchange2003" and (exchange := msexch_reason(diagnostic)):
        # Exchange 2003 names the failure by code only; its status is the reason's.
        stated = exchange
        status = status if status and not status.endswith(".0.0") else ""
        if not status:
            status = pseudo_status(exchange, temporary=False)
    if not stated and mta == "gmail":
        state_command, stated = gmail_state(diagnostic)
        command = state_command or command
        if stated and status and ".0" not in status and status_reason(status):
            stated = status_reason(status)  # a precise code outranks the stage
    if not stated:
        stated = _stated_by_format(mta, lowered, command)
    if not stated and context:
        stated = stated_by_wording(" ".join(context.lower().split()[:80]))
    if (not stated or stated in RETRIED) and _at_microsoft(address, remote_host, lowered):
        stated = microsoft_reason(status, lowered) or stated
    if address.endswith("@googlegroups.com") and not stated:
        # Google Groups refuses posts from non-members in many languages, with no code.
        stated = "rejected"
    evidence = Evidence(
        diagnostic=diagnostic,
        status=status if not status.startswith("2") else "",
        reply_code=reply_code,
        command=command,
        diagnostic_type=diagnostic_type,
        action=action,
        stated=stated,
    )
    reason = decide_reason(evidence)
    if not status or status.startswith("2"):
        temporary = (
            reply_code.startswith("4")
            or action == "delayed"
            or (reason == "expired" and "retry timeout" in lowered)
        )
        # Exim writes its status from its own first reading of the failure.
        first = stated if mta == "exim" and stated else reason
        if mta == "exim" and not reply_code and first in ("expired", "mailboxfull"):
            temporary = True
        status = pseudo_status(first, temporary=temporary)
    return BounceRecipient(
        recipient=address,
        status=status,
        action=action or ("delayed" if status.startswith("4") else "failed"),
        reason=reason,
        # A null MX or a refusing system is for good unless the server said "try later".
        hard=reason in HARD_REASONS and not (reason == "notaccept" and status.startswith("4")),
        reply_code=reply_code,
        diagnostic=diagnostic[:1000],
    )


def _at_microsoft(address: str, remote_host: str, lowered: str) -> bool:
    """Whether Microsoft's servers refused the mail: its hosts named as the remote MTA or in
    the reply, or a Microsoft consumer domain as the recipient's."""
    domain = address.rpartition("@")[2]
    hosts = f"{remote_host.lower()} {lowered}"
    return domain in ("outlook.com", "hotmail.com", "live.com", "msn.com") or any(
        host in hosts for host in MICROSOFT_HOSTS[:5]
    )


def _stated_once_for_all(mta: str, human: str) -> str:
    """A reason some formats state once, above the list of recipients (au's "The user(s)
    account is disabled."), or ""."""
    if mta != "au":
        return ""
    prose = " ".join("\n".join(_human_part(human.split("\n"))).lower().split())
    return stated_by_wording(prose, "au")


def _stated_by_format(mta: str, lowered: str, command: str) -> str:
    """What the report's format itself says of the failure (see bounce_reasons)."""
    if mta == "au-filtered":
        return "filtered"
    if mta == "exim":
        if command in ("HELO", "EHLO"):
            return "blocked"
        if command == "MAIL":
            return "onhold"  # the sender was refused: the words decide why
    if mta == "qmail":
        if command == "MAIL":
            return "rejected"
        if command in ("HELO", "EHLO"):
            return "blocked"
        if "does not like recipient." in lowered and "in the queue too long" in lowered:
            return "onhold"
    return stated_by_wording(lowered, mta)


def detect_mta(subject: str, sender: str, headers: dict[str, list[str]], human: str) -> str:
    """The mail system whose fixed report format this is, when it is recognisable."""
    first = human[:4000]
    message_id = " ".join(headers.get("message-id", []))
    mailer = " ".join(headers.get("x-mailer", []))
    if "Hi. This is the qmail" in first or subject.strip() == "failure notice":
        return "qmail"
    if (
        "This message was created automatically by mail delivery software" in first
        or re.search(r"<\w{6}-\w{6}-\w{2}@", message_id)
    ):
        return "exim"
    received = " ".join(headers.get("received", []))
    if (
        headers.get("x-ms-embedded-report")
        or mailer.startswith(
            ("Internet Mail Service (", "Microsoft Exchange Server Internet Mail Connector")
        )
        or " ".join(headers.get("x-mimeole", [])).startswith("Produced By Microsoft Exchange")
        or " with Internet Mail Service (" in received
    ):
        return "exchange2003"
    if "----- Transcript of session follows -----" in first or re.search(
        r"^The original message was received at ", first, re.MULTILINE
    ):
        return "sendmail"
    if "<mailer-daemon@googlemail.com>" in sender and "Delivery Status Notification" in subject:
        return "gmail"
    content_type = " ".join(headers.get("content-type", []))
    if (
        "Courier mail server at " in sender
        or subject.startswith(("NOTICE: mail delivery status.", "WARNING: delayed mail."))
        or message_id.strip().startswith("<courier.")
    ):
        return "courier"
    if "Boundary_(ID_" in content_type or subject.startswith("Delivery Notification: "):
        return "messagingserver"
    if "post_master@vtext.com" in sender or re.search(r"sysadmin@\S*\.vzwpix\.com", sender):
        return "verizon"
    if subject.startswith("Undeliverable message"):
        return "notes"
    if headers.get("x-aol-ip"):
        return "aol"
    if headers.get("x-ses-outgoing") or headers.get("x-amz-sns-message-id"):
        return "amazonses"
    if mailer.startswith("<SMTP32 v") or subject.startswith("Undeliverable Mail"):
        return "imailserver"
    if subject.startswith(("DELIVERY FAILURE:", "DELIVERY_FAILURE:")):
        return "domino"
    if "This is the MAILER-DAEMON, please DO NOT REPLY to this" in first:
        return "opensmtpd"
    au_sender = re.search(
        r"[@.](?:ezweb\.ne\.jp|au\.com)\b|\.dion\.ne\.jp", f"{sender} {message_id}", re.I
    )
    if au_sender or re.search(r"ezweb\.ne\.jp \(|\.au\.com \(", received):
        # X-SPASIGN: NG is au's mark of a recipient's own filter refusing the mail.
        spasign = " ".join(headers.get("x-spasign", [])).strip().upper()
        return "au-filtered" if spasign == "NG" else "au"
    return ""


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


def _from_dsn(parts: Sequence[Message], human: str, mta: str = "") -> DeliveryReport | None:
    blocks: list[dict[str, str]] = []
    for part in parts:
        content_type = part.get_content_type()
        text = ""
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            text = _part_text(part)
        elif content_type == "text/plain" or (
            part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), str)
        ):
            # Some MTAs send the report fields as text/plain, or write them straight into a
            # multipart/report body that has no parts (PMDF, Sun Messaging Server).
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
    delivered: list[BounceRecipient] = []
    report_wide = _stated_once_for_all(mta, human)
    for fields in blocks:
        action = (
            fields.get("action", "").strip().lower().split()[0]
            if fields.get("action", "").strip()
            else ""
        )
        status = _clean_status(fields.get("status", ""))
        address = _recipient_from_fields(fields)
        if action in _DELIVERED_ACTIONS or (not action and status.startswith("2")):
            delivered.append(_delivered_recipient(address, status, action, fields))
            continue
        diagnostic = fields.get("diagnostic-code", "")
        diagnostic_type, sep, diagnostic_text = diagnostic.partition(";")
        if not sep or len(diagnostic_type) > 12 or " " in diagnostic_type.strip():
            diagnostic_type, diagnostic_text = "", diagnostic
        diagnostic_type = diagnostic_type.strip().upper()
        context = _human_diagnostic_for(address, human)
        if not diagnostic_text.strip():
            diagnostic_text = context
        if mta == "sendmail" and len(blocks) == 1:
            # Sendmail's transcript quotes the remote server's own replies ("<<< 550 ...");
            # with one recipient they are about it and say more than its summary.
            replies = dict.fromkeys(re.findall(r"^<<< (.+)$", human, re.MULTILINE))
            diagnostic_text = " ".join([*replies, diagnostic_text])
            if replies and not re.search(r"^>>> ", human, re.MULTILINE):
                context = context + "\n>>> EHLO"  # replies without a command: the greeting
        found = find_status(diagnostic_text)
        if status and (status.endswith(".0.0") or status[2:] == "4.7") and found in ("", status):
            # The reply may be quoted in the daemon's prose rather than in the field.
            others = [c for c in _ENHANCED.findall(context) if c != status and c[0] == status[0]]
            found = others[0] if others else ""
        status = prefer_status(status, found, find_reply_code(diagnostic_text))
        failed.append(
            _make_recipient(
                address,
                diagnostic_text,
                status=status,
                action=action or ("delayed" if status.startswith("4") else "failed"),
                diagnostic_type=diagnostic_type,
                context=context,
                mta=mta,
                remote_host=fields.get("remote-mta", "") + " " + context[:300],
                stated=POWERMTA_CATEGORIES.get(
                    fields.get("x-powermta-bouncecategory", "").strip().lower(), ""
                )
                or report_wide,
            )
        )
    if failed:
        return DeliveryReport(kind="bounce", recipients=tuple(failed))
    if delivered:
        return DeliveryReport(kind="delivered", recipients=tuple(delivered))
    return None


def _delivered_recipient(
    address: str, status: str, action: str, fields: dict[str, str]
) -> BounceRecipient:
    """A recipient a "delivered", "relayed" or "expanded" report (RFC 3464) speaks of."""
    diagnostic = fields.get("diagnostic-code", "").partition(";")[2] or fields.get(
        "diagnostic-code", ""
    )
    return BounceRecipient(
        recipient=address,
        status=status or "2.0.0",
        action=action or "delivered",
        reason="delivered",
        hard=False,
        reply_code=find_reply_code(diagnostic),
        diagnostic=" ".join(diagnostic.split())[:1000],
    )


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


_PROSE_LINES = 400


def _from_prose(
    human: str, *, failed_header: Sequence[str], excluded: set[str], mta: str = ""
) -> DeliveryReport | None:
    # A daemon's explanation is short: a bounce with pages of prose is read up to a bound,
    # so that a crafted one cannot make every line go through the reason rules.
    lines = _human_part(human.replace("\r\n", "\n").split("\n"))[:_PROSE_LINES]
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
        return _from_prose(human, failed_header=failed_header, excluded=set(), mta=mta)
    if not hits:
        return None
    recipients = []
    report_wide = _stated_once_for_all(mta, human)
    for position, (index, address) in enumerate(hits):
        following = hits[position + 1][0] if position + 1 < len(hits) else len(lines)
        end = max(following, index + 1)
        window = "\n".join(lines[index:end])
        if not find_status(window) and not find_reply_code(window):
            # The reason is often written once, above or below the list of addresses; a
            # report saying only that delivery failed has no diagnostic at all ("undefined").
            said = [line for line in lines if _says_why(line, mta)]
            own_words = re.sub(re.escape(address), " ", window, flags=re.IGNORECASE)
            if not re.search(r"[^\W\d_]{3}", own_words):
                window = "\n".join(said)
            elif said:
                window = window + "\n" + "\n".join(said)
        recipients.append(
            _make_recipient(address, window, mta=mta, stated=report_wide, context=window)
        )
    return DeliveryReport(kind="bounce", recipients=tuple(recipients))


def _says_why(line: str, mta: str) -> bool:
    """Whether a line of a daemon's prose carries a reason: a code or a known wording."""
    if find_status(line) or find_reply_code(line):
        return True
    if stated_by_wording(" ".join(line.lower().split()), mta):
        return True
    return classify_reason(line) not in ("onhold", "undefined")


def _addresses(values: Iterable[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        found.extend(m.group(0).lower() for m in _ADDRESS.finditer(value))
    return found


# --- Amazon SES notifications delivered by e-mail (through an SNS e-mail subscription) -------
# https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html: a JSON object with
# "notificationType" (or "eventType" for event publishing) Bounce, Complaint or Delivery. The
# SNS "email-json" protocol wraps it in an envelope whose "Message" is that JSON as a string;
# the "email" protocol sends it bare, followed by a "--" line and an unsubscribe notice.

_SES_SUBTYPE_REASONS = {
    "MailboxFull": "mailboxfull",
    "MessageTooLarge": "mesgtoobig",
    "ContentRejected": "contenterror",
    "AttachmentRejected": "securityerror",
    "Suppressed": "suppressed",
    "OnAccountSuppressionList": "suppressed",
}


def _json_object(text: str) -> dict[str, object] | None:
    start = text.find("{")
    if start < 0:
        return None
    body = text[start:].replace("\r\n", "\n")
    cut = re.split(r"\n--\s*\n", body, maxsplit=1)[0]
    # Some gateways fold long lines, marking each fold with a trailing "!".
    unfolded = re.sub(r"!\n[ \t]*", "", cut)
    for candidate in (body, cut, unfolded, unfolded.replace("\n", "")):
        try:
            data = json.loads(candidate.strip())
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return None


def _ses_notification(text: str) -> dict[str, object] | None:
    if "notificationType" not in text and "eventType" not in text:
        return None
    data = _json_object(text)
    if data is not None and isinstance(data.get("Message"), str):
        inner = _json_object(str(data["Message"]))
        data = inner if inner is not None else data
    if data is None or not isinstance(data.get("notificationType") or data.get("eventType"), str):
        return None
    return data


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _ses_message_ids(data: dict[str, object]) -> tuple[str, ...]:
    mail = _dict(data.get("mail"))
    found = [
        str(header.get("value", ""))
        for header in map(_dict, _list(mail.get("headers")))
        if str(header.get("name", "")).lower() == "message-id"
    ]
    found.append(str(_dict(mail.get("commonHeaders")).get("messageId") or ""))
    return tuple(dict.fromkeys(i.strip() for i in found if i.strip()))


def _from_sns(sender: str, headers: dict[str, list[str]]) -> bool:
    """Whether Amazon SNS delivered this mail: only then is a JSON body a notification (a
    customer quoting one is writing to us, not reporting a bounce)."""
    if headers.get("x-amz-sns-message-id") or headers.get("x-amz-sns-topic-arn"):
        return True
    return bool(re.search(r"@(?:[\w-]+\.)*(?:amazonaws\.com|amazonses\.com)\b", sender, re.I))


def _from_ses(data: dict[str, object]) -> DeliveryReport | None:
    kind = str(data.get("notificationType") or data.get("eventType"))
    ids = _ses_message_ids(data)
    if kind == "Bounce":
        bounce = _dict(data.get("bounce"))
        transient = bounce.get("bounceType") == "Transient"
        stated = _SES_SUBTYPE_REASONS.get(str(bounce.get("bounceSubType", "")), "")
        recipients = []
        for entry in map(_dict, _list(bounce.get("bouncedRecipients"))):
            address = _address_of(str(entry.get("emailAddress", "")))
            if not address:
                continue
            diagnostic = str(entry.get("diagnosticCode") or "")
            kind_of_code, sep, text = diagnostic.partition(";")
            if not sep or " " in kind_of_code.strip():
                kind_of_code, text = "", diagnostic
            action = str(entry.get("action") or ("delayed" if transient else "failed")).lower()
            recipients.append(
                _make_recipient(
                    address,
                    text,
                    status=_clean_status(str(entry.get("status") or "")),
                    action=action,
                    diagnostic_type=kind_of_code.strip().upper(),
                    stated=stated,
                    mta="amazonses",
                )
            )
        if recipients:
            return DeliveryReport("bounce", tuple(recipients), message_ids=ids)
        return None
    if kind == "DeliveryDelay":
        # Event publishing only: SES keeps trying; nothing has failed yet.
        delay = _dict(data.get("deliveryDelay"))
        delayed = tuple(
            _make_recipient(
                address,
                str(entry.get("diagnosticCode") or delay.get("delayType") or ""),
                status=_clean_status(str(entry.get("status") or "")),
                action="delayed",
                mta="amazonses",
            )
            for entry in map(_dict, _list(delay.get("delayedRecipients")))
            if (address := _address_of(str(entry.get("emailAddress", ""))))
        )
        return DeliveryReport("bounce", delayed, message_ids=ids) if delayed else None
    if kind == "Complaint":
        complaint = _dict(data.get("complaint"))
        feedback_type = str(complaint.get("complaintFeedbackType") or "abuse").lower()
        complained = tuple(
            BounceRecipient(
                recipient=address, status="", action=feedback_type, reason="feedback", hard=False
            )
            for entry in map(_dict, _list(complaint.get("complainedRecipients")))
            if (address := _address_of(str(entry.get("emailAddress", ""))))
        )
        return DeliveryReport("complaint", complained, message_ids=ids) if complained else None
    if kind == "Delivery":
        delivery = _dict(data.get("delivery"))
        response = str(delivery.get("smtpResponse") or "")
        delivered = tuple(
            BounceRecipient(
                recipient=address,
                status=find_status(response) or "2.0.0",
                action="delivered",
                reason="delivered",
                hard=False,
                reply_code=find_reply_code(response),
                diagnostic=response[:1000],
            )
            for value in _list(delivery.get("recipients"))
            if (address := _address_of(str(value)))
        )
        return DeliveryReport("delivered", delivered, message_ids=ids) if delivered else None
    return None


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
    header_map: dict[str, list[str]] = {}
    for name, value in headers:
        header_map.setdefault(name.lower(), []).append(value)
    if _from_sns(sender, header_map):
        ses = _ses_notification(human_text)
        if ses is not None:
            return _from_ses(ses)
    parts = list(_leaf_parts(message))
    complaint = _complaint(message, parts)
    if complaint is not None:
        return complaint
    mta = detect_mta(subject, sender, header_map, human_text)
    dsn = _from_dsn(parts, human_text, mta)
    if dsn is not None:
        return dsn
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
    return _from_prose(human_text, failed_header=failed_header, excluded=excluded, mta=mta)
