"""The `email_inspect` contract: one JSON-ready dict per file, built without a database.

Keys, always all present and in this order: file, message_id, in_reply_to, references, from,
to, subject, is_auto_reply, is_bounce, bounce, text, reply_text, signature, html,
attachments, is_bulk, defects, error, report.

`bounce` lists the failed recipients of a bounce or ARF complaint (empty otherwise); `report`,
added later, describes any delivery report the mail is, bounces and "delivered" reports alike:
null, or {"kind": "bounce" | "complaint" | "delivered", "recipients": [{recipient, status,
action, reason, hard, reply_code, diagnostic}]}, reasons in sisimai's vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from omnicanal.connectors.email.parsing import ParsedEmail, decode_bytes, parse_email
from omnicanal.connectors.email.replies import parse_body

InputKind = Literal["message", "text", "html"]

KEYS = (
    "file",
    "message_id",
    "in_reply_to",
    "references",
    "from",
    "to",
    "subject",
    "is_auto_reply",
    "is_bounce",
    "bounce",
    "text",
    "reply_text",
    "signature",
    "html",
    "attachments",
    "is_bulk",
    "defects",
    "error",
    "report",
)


def empty_result(file: str) -> dict[str, Any]:
    return {
        "file": file,
        "message_id": None,
        "in_reply_to": None,
        "references": [],
        "from": None,
        "to": [],
        "subject": None,
        "is_auto_reply": False,
        "is_bounce": False,
        "bounce": [],
        "text": "",
        "reply_text": "",
        "signature": "",
        "html": "",
        "attachments": [],
        "is_bulk": False,
        "defects": [],
        "error": None,
        "report": None,
    }


def message_result(file: str, parsed: ParsedEmail) -> dict[str, Any]:
    result = empty_result(file)
    result.update(
        {
            "message_id": parsed.message_id or None,
            "in_reply_to": parsed.in_reply_to or None,
            "references": list(parsed.references),
            "from": parsed.sender.address if parsed.sender and parsed.sender.address else None,
            "to": [a.address for a in parsed.to if a.address],
            "subject": parsed.subject,
            "is_auto_reply": parsed.is_auto_reply,
            "is_bounce": parsed.is_bounce,
            "bounce": [
                {
                    "recipient": r.recipient,
                    "status": r.status,
                    "action": r.action,
                    "reason": r.reason,
                    "hard": r.hard,
                }
                for r in parsed.bounce_recipients
            ],
            "text": parsed.text,
            "reply_text": parsed.reply_text,
            "signature": parsed.signature,
            "html": parsed.html,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in parsed.attachments
            ],
            "is_bulk": parsed.is_bulk,
            "defects": list(parsed.defects),
            "report": _report(parsed),
        }
    )
    return result


def _report(parsed: ParsedEmail) -> dict[str, Any] | None:
    if parsed.report is None:
        return None
    return {
        "kind": parsed.report.kind,
        "recipients": [
            {
                "recipient": r.recipient,
                "status": r.status,
                "action": r.action,
                "reason": r.reason,
                "hard": r.hard,
                "reply_code": r.reply_code,
                "diagnostic": r.diagnostic,
            }
            for r in parsed.report.recipients
        ],
    }


def body_result(file: str, content: bytes, *, is_html: bool) -> dict[str, Any]:
    """A bare body: header fields stay empty, the body is split like a message's."""
    defects: list[str] = []
    text = decode_bytes(content, None, defects)
    body = parse_body(text, is_html=is_html)
    result = empty_result(file)
    result.update(
        {
            "text": body.text,
            "reply_text": body.reply_text,
            "signature": body.signature,
            "html": text if is_html else "",
            "defects": defects,
        }
    )
    return result


def inspect_file(file: str, kind: InputKind = "message") -> dict[str, Any]:
    """What `email_inspect` prints for one file; never raises."""
    try:
        content = Path(file).read_bytes()
    except OSError as error:
        result = empty_result(file)
        result["error"] = f"cannot read the file: {error.strerror or error}"
        return result
    try:
        if kind == "message":
            return message_result(file, parse_email(content))
        return body_result(file, content, is_html=kind == "html")
    except Exception as error:  # one bad file must not stop the others
        result = empty_result(file)
        result["error"] = f"cannot parse the file: {type(error).__name__}: {error}"
        return result
