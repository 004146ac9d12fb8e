"""The outside world of the demo, on this machine: where the demo's replies and mails go.

`omnicanal demo` starts an SMTP receiver (aiosmtpd) on a free local port and makes it the
system mail server (EMAIL_HOST/EMAIL_PORT) of its server and worker, and points the demo
inboxes at stand-ins served under /demo/ (`views.py`): the API inbox's webhook URL at a
receiver that checks our signature as an integrator's would, the SMS and WhatsApp inboxes'
Twilio API base at a stand-in of Twilio's Messages resource. Nothing leaves the machine, and
the adapters run their real code: only URLs and credentials differ.

What the sinks receive is kept as one JSON file per item in `<data dir>/demo-outbox/` and
listed newest first at /demo/outbox/: files, because the server and the worker are two
processes that both see the data directory, and because this is no product data (nothing in
the database, no migration, nothing to clean up in a real installation).

"Delivered", per channel, as the real provider would say it:
- e-mail: SMTP's "250" only says the next server took the mail (our "sent"). A receiving
  server that stores a mail in the recipient's mailbox and was asked for it sends back a
  delivery status notification (RFC 3464, "Action: delivered"), which the inbox reads like
  any report: the sink stores the mail (it *is* the recipient's mailbox here), then sends
  that report to the e-mail inbox whose address sent the mail, through the inbox's intake
  (`receive_email`, what IMAP or the raw-mail API call for a mail that arrives). So "delivered"
  means: in the recipient's mailbox, as the receiving server confirmed.
- API: our webhook's 2xx only says the integrator's receiver took the reply (our "sent").
  The receiver then reports "delivered" to the inbox's status route
  (`POST /api/v1/inboxes/<id>/statuses`, signed with the inbox's secret), as an integrator
  does once its customer's app has the message.
- Twilio (SMS, WhatsApp): the stand-in answers as Twilio does ("queued"), then calls the
  inbox's StatusCallback, signed, with "sent" and then "delivered".
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from omnicanal.connectors.actions import update_inbox_settings
from omnicanal.connectors.email.intake import receive_email
from omnicanal.conversations.models import ChannelKind, Inbox

logger = logging.getLogger(__name__)

# The page shows this many items; older files are removed when a new one is written.
KEPT_ITEMS = 200
# A receiving server reports after it has stored the mail, a provider calls back after it
# has handed the message on: never before we have recorded our own "sent" (a report about
# a message we have not yet marked sent would find no provider id to match).
REPORT_DELAY_SECONDS = 1.0
REPORT_ATTEMPTS = 5

# The demo's Twilio account, as the stand-in knows it; the auth token derives from the
# installation's SECRET_KEY, so that it is no public constant (it signs the webhooks the
# inboxes accept).
TWILIO_ACCOUNT_SID = "AC" + "de" * 16
TWILIO_PATH = "demo/providers/twilio"


def twilio_auth_token() -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), b"omnicanal demo twilio", hashlib.sha256)
    return digest.hexdigest()[:32]


# --- what the sinks received -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One thing a sink received. `kind`: "mail", "webhook" or "provider"."""

    kind: str
    received_at: dt.datetime
    title: str
    sender: str = ""
    recipient: str = ""
    body: str = ""
    details: Mapping[str, str] = field(default_factory=dict)


def outbox_dir() -> Path:
    return Path(settings.DATA_DIR) / "demo-outbox"


def record(item: Item) -> None:
    """Keep one item (atomically: a reader never sees half a file)."""
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Nanoseconds first: the names sort in arrival order.
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
    data = {
        "kind": item.kind,
        "received_at": item.received_at.isoformat(),
        "title": item.title,
        "sender": item.sender,
        "recipient": item.recipient,
        "body": item.body,
        "details": dict(item.details),
    }
    temporary = folder / f".{name}.tmp"
    temporary.write_text(json.dumps(data, ensure_ascii=False))
    os.replace(temporary, folder / name)
    for old in sorted(folder.glob("*.json"))[:-KEPT_ITEMS]:
        old.unlink(missing_ok=True)


def received(limit: int = KEPT_ITEMS) -> list[Item]:
    """What the sinks received, newest first."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    items = []
    for path in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # removed meanwhile (kept items are capped), or not ours
        items.append(
            Item(
                kind=data["kind"],
                received_at=dt.datetime.fromisoformat(data["received_at"]),
                title=data["title"],
                sender=data["sender"],
                recipient=data["recipient"],
                body=data["body"],
                details=data["details"],
            )
        )
    return items


def later(action: Callable[[], bool], *, name: str) -> None:
    """Run `action` in a thread after REPORT_DELAY_SECONDS, again until it returns True (at
    most REPORT_ATTEMPTS times): what a provider does with its callbacks."""

    def run() -> None:
        try:
            for _ in range(REPORT_ATTEMPTS):
                time.sleep(REPORT_DELAY_SECONDS)
                try:
                    if action():
                        return
                except Exception:
                    logger.exception("demo %s failed", name)
            logger.info("demo %s gave up after %s attempts", name, REPORT_ATTEMPTS)
        finally:
            # This thread's own database connection, if the action opened one.
            connection.close()

    threading.Thread(target=run, name=f"demo-{name}", daemon=True).start()


# --- the SMTP receiver -------------------------------------------------------------------


def _text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):
        return ""


def delivery_report(raw: bytes, mail_from: str, recipient: str) -> bytes:
    """The "delivered" notification (RFC 3464) a receiving server sends back to the sender:
    a human part, the machine-readable status, and the headers of the mail it is about."""
    boundary = f"report-{uuid.uuid4().hex}"
    original_headers = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    head = "\r\n".join([
        "From: Mail Delivery System <MAILER-DAEMON@demo.omnicanal.invalid>",
        f"To: {mail_from}",
        "Subject: Successful Mail Delivery Report",
        f"Date: {email.utils.formatdate(localtime=True)}",
        f"Message-ID: {email.utils.make_msgid(domain='demo.omnicanal.invalid')}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        f"Your message was delivered to {recipient}.",
        f"--{boundary}",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; demo.omnicanal.invalid",
        "",
        f"Final-Recipient: rfc822; {recipient}",
        "Action: delivered",
        "Status: 2.0.0",
        "",
        f"--{boundary}",
        "Content-Type: text/rfc822-headers",
        "",
        "",
    ])
    tail = f"\r\n--{boundary}--\r\n"
    return head.encode() + original_headers.replace(b"\n", b"\r\n") + tail.encode()


def receive_mail(mail_from: str, recipients: list[str], raw: bytes) -> None:
    """What the SMTP receiver does with one mail: keep it, and when it came from one of our
    e-mail inboxes, report its delivery to that inbox."""
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    record(
        Item(
            kind="mail",
            received_at=timezone.now(),
            title=str(mail.get("Subject", "")),
            sender=str(mail.get("From", "")) or mail_from,
            recipient=", ".join(recipients),
            body=_text_of(mail),
            details={"message_id": str(mail.get("Message-ID", ""))},
        )
    )
    address = mail_from.strip().lower()

    def report() -> bool:
        inbox = next(
            (
                inbox for inbox in Inbox.objects.filter(channel=ChannelKind.EMAIL)
                if str(inbox.settings.get("from_address", "")).lower() == address
            ),
            None,
        )
        if inbox is None:
            return True  # not a reply (an invitation, a password reset): nobody to tell
        result = receive_email(inbox, delivery_report(raw, mail_from, recipients[0]))
        return bool(result.updated_message_ids)

    if address and recipients:
        later(report, name="delivery report")


class MailSink:
    """aiosmtpd handler: accepts every mail for every address (a local catch-all)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        recipients = [str(address) for address in envelope.rcpt_tos]
        # File writes only: quick enough for the receiver's event loop.
        receive_mail(str(envelope.mail_from or ""), recipients, raw)
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """The demo's SMTP receiver on 127.0.0.1, in a thread of the calling process."""

    def __init__(self, port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        self.host = "127.0.0.1"
        self.controller = Controller(MailSink(), hostname=self.host, port=port or free_port())

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> SmtpSink:
        # aiosmtpd logs every connection at INFO (a line per sent mail, and its own
        # start-up probe): the outbox page says what arrived.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


# --- pointing the demo inboxes at the sinks ---------------------------------------------


def sink_settings(
    inbox: Inbox, base_url: str, email_inbox_id: int | None = None
) -> dict[str, Any]:
    """The settings that send this demo inbox's replies to the sinks at `base_url` (the
    demo server's own address): what an administrator would enter for a real provider."""
    base = base_url.rstrip("/")
    if inbox.channel == ChannelKind.WEBCHAT and email_inbox_id is not None:
        # A reply no widget showed is mailed to the visitor from the e-mail inbox (through
        # the SMTP receiver).
        return {"email_inbox_id": email_inbox_id}
    is_twilio = inbox.channel == ChannelKind.SMS or (
        inbox.channel == ChannelKind.WHATSAPP and inbox.settings.get("provider") == "twilio"
    )
    if inbox.channel == ChannelKind.API:
        return {"webhook_url": f"{base}/demo/webhooks/api/{inbox.pk}/"}
    if is_twilio:
        return {
            "account_sid": TWILIO_ACCOUNT_SID,
            "auth_token": twilio_auth_token(),
            "api_base": f"{base}/{TWILIO_PATH}",
            "status_callback": f"{base}/webhooks/twilio/{inbox.pk}/",
        }
    # E-mail goes through the system mail server (the SMTP receiver); web chat through the
    # visitor's widget.
    return {}


# What the demo data or an earlier start left in the inboxes: a value the sinks may replace.
# Anything else an administrator entered (a real Twilio account, a real webhook) stays.
_PLACEHOLDER_ACCOUNT_SIDS = {"AC" + "0" * 32, TWILIO_ACCOUNT_SID}


def _is_still_demo(inbox: Inbox) -> bool:
    current = inbox.settings
    if inbox.channel == ChannelKind.API:
        url = str(current.get("webhook_url") or "")
        return not url or "/demo/webhooks/api/" in url
    if inbox.channel == ChannelKind.WEBCHAT:
        return not current.get("email_inbox_id")
    return current.get("account_sid") in _PLACEHOLDER_ACCOUNT_SIDS


def connect_demo_inboxes(base_url: str, inbox_names: list[str]) -> list[Inbox]:
    """Point the named inboxes at the sinks; returns those changed. Run at each start (the
    port may differ); an inbox already pointed there is left alone (no audit line), and so is
    one an administrator connected to a real provider or receiver."""
    changed = []
    inboxes = list(Inbox.objects.filter(name__in=inbox_names).order_by("pk"))
    email_inbox_id = next((i.pk for i in inboxes if i.channel == ChannelKind.EMAIL), None)
    for inbox in inboxes:
        wanted = sink_settings(inbox, base_url, email_inbox_id)
        if not wanted or not _is_still_demo(inbox):
            continue
        if any(inbox.settings.get(key) != value for key, value in wanted.items()):
            changed.append(update_inbox_settings(None, inbox.pk, wanted))
    return changed
