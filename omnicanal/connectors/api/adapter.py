"""The generic API channel: customers' messages come in through our JSON API, agents'
replies go out to the inbox's webhook URL, signed with HMAC-SHA256; the integrator reports
what became of them through /api/v1/inboxes/{id}/statuses (`api.py`, NOTES.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from omnicanal.connectors.base import (
    BaseAdapter,
    ChannelSettings,
    HttpUrlText,
    OutboundMessage,
    SendError,
    TestDelivery,
)
from omnicanal.connectors.http import call, post

SIGNATURE_HEADER = "X-Omnicanal-Signature"
TIMESTAMP_HEADER = "X-Omnicanal-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key(message_id: int) -> str:
    """The same for every delivery of one message: we deliver at least once (a worker
    killed after the POST but before recording it sends again), the receiver keeps the
    first delivery of each key and drops the others."""
    return f"omnicanal-message-{message_id}"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC over "<timestamp>.<body>": the timestamp lets receivers refuse
    replays, the exact body bytes let them verify before parsing."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class ApiSettings(ChannelSettings):
    # Optional: an integrator may create the inbox before its receiver exists. Until it is
    # set, replies fail at once and for good, saying so ("no webhook URL").
    webhook_url: HttpUrlText | None = None


class ApiAdapter(BaseAdapter):
    """Inbound messages and status reports come through /api/v1; no webhooks here."""

    kind = "api"
    settings_schema = ApiSettings
    can_send_test_event = True

    def send_test_event(self, settings: Mapping[str, Any]) -> TestDelivery:
        url = str(settings.get("webhook_url") or "")
        if not url:
            raise SendError("This API inbox has no webhook URL.", is_permanent=True)
        return send_test_event(url, str(settings["secret"]), int(settings.get("inbox_id") or 0))

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        url = str(settings.get("webhook_url") or "")
        if not url:
            raise SendError("This API inbox has no webhook URL to deliver replies to.",
                            is_permanent=True)
        key = idempotency_key(message.message_id)
        body = json.dumps(
            {
                "event": "message.created",
                # In the signed body as well as the header, for receivers that dedupe
                # only on what the signature covers.
                "idempotency_key": key,
                "message_id": message.message_id,
                "conversation_id": message.conversation_id,
                "recipient": message.recipient,
                "text": message.text,
                "sender_name": message.sender_name,
                "in_reply_to": message.reply_to_external_id or None,
            }
        ).encode()
        timestamp = str(int(time.time()))
        post(
            url,
            body,
            {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(settings["secret"], timestamp, body),
                IDEMPOTENCY_HEADER: key,
            },
        )
        return f"api-{message.message_id}"



def send_test_event(url: str, secret: str, inbox_id: int) -> TestDelivery:
    """POST a `test` event to a webhook URL, signed exactly as replies are, so that an
    integrator can check their receiver's signature verification before a customer writes."""
    body = json.dumps({
        "event": "test", "inbox_id": inbox_id,
        "text": "A test event from Omnicanal: your receiver and its signature check work.",
    }).encode()
    timestamp = str(int(time.time()))
    try:
        response = call("POST", url, body=body, headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }, max_bytes=64 * 1024)
    except SendError as exc:
        return TestDelivery(None, exc.message)
    return TestDelivery(response.status)
