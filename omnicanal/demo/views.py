"""The demo's sinks over HTTP, served only when DEMO_SINKS is on (`omnicanal demo`):

- /demo/outbox/: what the sinks received, newest first, for any logged-in agent;
- /demo/webhooks/api/<inbox id>/: the API inbox's receiver, which checks our signature and
  timestamp as an integrator's would, keeps each message once (Idempotency-Key), then
  reports it "delivered" through our API (`POST /api/v1/inboxes/<id>/statuses`, signed with
  the inbox's secret as our webhooks are);
- /demo/providers/twilio/…: Twilio's Messages resource as documented (basic auth, form body,
  201 with the Message resource, JSON errors), then the StatusCallback Twilio would make.

These views play the outside world: they never write product data themselves; what comes
back (a delivery status) comes through the product's own webhooks.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import agent_required
from omnicanal.connectors.api.adapter import sign as api_signature
from omnicanal.connectors.api.adapter import verify_signature as verify_api_signature
from omnicanal.connectors.twilio.webhook import compute_signature as twilio_signature
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.demo import sinks

# An integrator refuses a webhook older than this (a replayed capture).
WEBHOOK_MAX_AGE_SECONDS = 300
# Between Twilio's "sent" and "delivered" callbacks.
DELIVERED_AFTER_SECONDS = 0.3


def demo_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """404 unless the demo's sinks are on: a real installation serves none of this."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.DEMO_SINKS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# --- the outbox page ------------------------------------------------------------------


@demo_only
@agent_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/outbox.html", {
        "items": sinks.received(),
        "section": "demo",
    })


# --- the API inbox's webhook receiver ---------------------------------------------------


def send_delivered_report(url: str, secret: str, message_id: int) -> bool:
    """What an integrator's system does once the customer's app has the message: report it
    "delivered" to our API, signed with the inbox's secret. True once answered (a 4xx will
    not get better by retrying: the message is unknown or the report wrong); False to try
    again later."""
    body = json.dumps({"message_id": message_id, "status": "delivered"}).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "X-Omnicanal-Timestamp": timestamp,
        "X-Omnicanal-Signature": api_signature(secret, timestamp, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=10):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return False


def _seen(key: str) -> bool:
    return any(item.details.get("idempotency_key") == key for item in sinks.received()
               if item.kind == "webhook")


@demo_only
@csrf_exempt
@require_POST
def api_webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """What an integrator's receiver does: check the timestamp and the signature over
    "<timestamp>.<body>" with the inbox's secret before reading the body, keep the message
    once, answer, and then (in the background, as the customer's app gets it) report it
    delivered."""
    inbox = Inbox.objects.filter(pk=inbox_id, channel=ChannelKind.API).first()
    if inbox is None:
        raise Http404
    timestamp = request.headers.get("X-Omnicanal-Timestamp", "")
    signature = request.headers.get("X-Omnicanal-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > WEBHOOK_MAX_AGE_SECONDS:
        return JsonResponse({"error": "stale or missing timestamp"}, status=400)
    if not verify_api_signature(inbox.secret, timestamp, request.body, signature):
        return JsonResponse({"error": "bad signature"}, status=401)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    key = request.headers.get("Idempotency-Key", "") or str(payload.get("idempotency_key", ""))
    if key and _seen(key):
        return JsonResponse({"status": "duplicate"})
    sinks.record(sinks.Item(
        kind="webhook",
        received_at=timezone.now(),
        title=f"{payload.get('event', '')} · {inbox.name}",
        sender=str(payload.get("sender_name") or ""),
        recipient=str(payload.get("recipient") or ""),
        body=str(payload.get("text") or ""),
        details={
            "idempotency_key": key,
            "conversation_id": str(payload.get("conversation_id", "")),
            "signature": "valid",
        },
    ))
    message_id = payload.get("message_id")
    if payload.get("event") == "message.created" and isinstance(message_id, int):
        url = request.build_absolute_uri(
            reverse("api-v1:api_inbox_statuses", kwargs={"inbox_id": inbox.pk})
        )
        secret = inbox.secret
        sinks.later(lambda: send_delivered_report(url, secret, message_id),
                    name="api delivery report")
    return JsonResponse({"status": "received"})


# --- Twilio's Messages resource ---------------------------------------------------------

_sids = itertools.count(1)


def twilio_error(status: int, code: int, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "status": status,
                         "more_info": f"https://www.twilio.com/docs/errors/{code}"}, status=status)


def send_status_callbacks(url: str, message: dict[str, str]) -> bool:
    """Twilio's StatusCallback: "sent", then "delivered", each signed; True once both were
    accepted (otherwise the caller tries again, as Twilio retries)."""
    for status in ("sent", "delivered"):
        params = {
            "AccountSid": sinks.TWILIO_ACCOUNT_SID, "ApiVersion": "2010-04-01",
            "From": message["from"], "To": message["to"],
            "MessageSid": message["sid"], "SmsSid": message["sid"],
            "MessageStatus": status, "SmsStatus": status,
        }
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(params).encode(), method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": twilio_signature(
                    url, params.items(), sinks.twilio_auth_token()),
                "User-Agent": "TwilioProxy/1.1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status >= 300:
                    return False
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return False
        if status == "sent":
            time.sleep(DELIVERED_AFTER_SECONDS)
    return True


@demo_only
@csrf_exempt
@require_POST
def twilio_messages(request: HttpRequest, account_sid: str) -> HttpResponse:
    """POST /2010-04-01/Accounts/{AccountSid}/Messages.json, as Twilio documents it."""
    credentials = f"{sinks.TWILIO_ACCOUNT_SID}:{sinks.twilio_auth_token()}"
    expected = "Basic " + base64.b64encode(credentials.encode()).decode()
    given = request.headers.get("Authorization", "")
    if account_sid != sinks.TWILIO_ACCOUNT_SID or not hmac.compare_digest(given, expected):
        return twilio_error(401, 20003, "Authenticate")
    form = request.POST
    to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not (sender or form.get("MessagingServiceSid")):
        return twilio_error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
    if not body and not form.get("MediaUrl"):
        return twilio_error(400, 21602, "Message body is required.")
    sid = f"SM{secrets.token_hex(12)}{next(_sids):08x}"
    channel = "WhatsApp" if to.startswith("whatsapp:") else "SMS"
    sinks.record(sinks.Item(
        kind="provider",
        received_at=timezone.now(),
        title=f"Twilio {channel}",
        sender=sender or form.get("MessagingServiceSid", ""),
        recipient=to,
        body=body,
        details={"sid": sid},
    ))
    callback = form.get("StatusCallback", "")
    if callback:
        message = {"sid": sid, "from": sender, "to": to}
        sinks.later(lambda: send_status_callbacks(callback, message), name="twilio callback")
    return JsonResponse({
        "sid": sid, "account_sid": account_sid, "to": to, "from": sender or None,
        "body": body, "status": "queued", "num_segments": "1", "direction": "outbound-api",
        "api_version": "2010-04-01", "error_code": None, "error_message": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }, status=201)
