"""Twilio Programmable Messaging: SMS and WhatsApp through the Messages REST resource.

Inbox settings (`Inbox.settings`):
    provider        "twilio" (WhatsApp inboxes; SMS inboxes are always Twilio)
    account_sid     "AC..."; auth_token: signs webhooks and authenticates API calls
    from_number     our number in E.164 (or messaging_service_sid "MG..." instead)
    status_callback optional public URL of this inbox's webhook, for delivery statuses
    trust_forwarded_headers  true behind a proxy that sets X-Forwarded-Proto/Host
    api_base        default https://api.twilio.com (tests point it at a local stub)
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    InboundRequest,
    OutboundMessage,
    ParsedWebhook,
    SendError,
)
from omnicanal.connectors.messaging import last_message_from_extra, window_error
from omnicanal.connectors.twilio import webhook

API_BASE = "https://api.twilio.com"
# Twilio errors a retry cannot fix although their HTTP status is 429 or 5xx never happen;
# the reverse does: these 4xx codes are rate limits or queue overflows, worth retrying.
RETRYABLE_CODES = {20429, 14107, 30022, 63018}


def basic_auth(settings: Mapping[str, Any]) -> str:
    pair = f"{settings.get('account_sid', '')}:{settings.get('auth_token', '')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def api_base(settings: Mapping[str, Any]) -> str:
    return str(settings.get("api_base") or API_BASE).rstrip("/")


class TwilioAdapter:
    kind = "sms"
    # WhatsApp addresses are "whatsapp:+E164" on both sides of Twilio's API.
    address_prefix = ""

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return webhook.verify(request, str(settings.get("auth_token", "")))

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        return webhook.parse(request)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        self.check_window(message)
        sid = str(settings.get("account_sid", ""))
        if not sid or not settings.get("auth_token"):
            raise SendError("This inbox has no Twilio account SID and auth token.",
                            is_permanent=True)
        if not message.recipient:
            raise SendError("The contact has no number to text.", is_permanent=True)
        fields = {"To": self.address_prefix + message.recipient, "Body": message.text}
        if settings.get("messaging_service_sid"):
            fields["MessagingServiceSid"] = str(settings["messaging_service_sid"])
        elif settings.get("from_number"):
            fields["From"] = self.address_prefix + str(settings["from_number"])
        else:
            raise SendError("This inbox has no sending number.", is_permanent=True)
        if settings.get("status_callback"):
            fields["StatusCallback"] = str(settings["status_callback"])
        response = http.call(
            "POST",
            f"{api_base(settings)}/2010-04-01/Accounts/{sid}/Messages.json",
            body=urlencode(fields).encode(),
            headers={
                "Authorization": basic_auth(settings),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            label="Twilio",
        )
        payload = response.json()
        if response.status >= 400 or not isinstance(payload, dict) or not payload.get("sid"):
            raise error_from(response.status, payload)
        return str(payload["sid"])

    def check_window(self, message: OutboundMessage) -> None:
        pass

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        # Media URLs need basic auth when the account enforces it; the credentials go to
        # Twilio only, never to whatever host a URL in a payload names.
        headers = {}
        if ref.startswith(api_base(settings) + "/"):
            headers["Authorization"] = basic_auth(settings)
        return http.call("GET", ref, headers=headers, label="Twilio media", max_bytes=max_bytes)


class TwilioWhatsAppAdapter(TwilioAdapter):
    kind = "whatsapp"
    address_prefix = "whatsapp:"

    def check_window(self, message: OutboundMessage) -> None:
        # Twilio would accept the request and fail it later with error 63016; refusing here
        # tells the agent at once, in words.
        error = window_error("whatsapp", last_message_from_extra(message), timezone.now())
        if error:
            raise error


def error_from(status: int, payload: Any) -> SendError:
    """Twilio's JSON error: {"code": 21211, "message": "...", "more_info": ..., "status"}."""
    body = payload if isinstance(payload, dict) else {}
    code, text = body.get("code"), body.get("message") or f"HTTP {status}"
    reason = f"Twilio error {code}: {text}" if code else f"Twilio: {text}"
    # 429 and 5xx are Twilio being busy; other 4xx (bad number, unverified sender, auth)
    # fail again on retry.
    is_permanent = 400 <= status < 500 and status != 429 and code not in RETRYABLE_CODES
    if status < 400:  # a 2xx without a sid: Twilio's contract broken, try again later
        is_permanent = False
    return SendError(reason, is_permanent=is_permanent)

