"""WhatsApp Cloud API (Meta): send text replies, fetch media; and the WhatsApp channel's
dispatcher, since a WhatsApp inbox may run on the Cloud API or on Twilio.

Inbox settings (`Inbox.settings`, channel "whatsapp"):
    provider         "whatsapp_cloud" (default) or "twilio" (see twilio/adapter.py)
    phone_number_id  the Cloud API id of our number (not the number itself)
    access_token     a system-user token with whatsapp_business_messaging
    app_secret       signs webhooks (X-Hub-Signature-256)
    verify_token     what we answer Meta's subscription handshake with
    api_base, api_version  default https://graph.facebook.com, 21.0 (tests use a stub)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    ChannelAdapter,
    InboundRequest,
    OutboundMessage,
    ParsedWebhook,
    SendError,
)
from omnicanal.connectors.messaging import last_message_from_extra, window_error
from omnicanal.connectors.meta import signature
from omnicanal.connectors.meta.graph import graph_error, graph_url
from omnicanal.connectors.twilio.adapter import TwilioWhatsAppAdapter
from omnicanal.connectors.whatsapp_cloud import webhook


def bearer(settings: Mapping[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.get('access_token', '')}"}


class WhatsAppCloudAdapter:
    kind = "whatsapp"

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return signature.verify(request, str(settings.get("app_secret", "")))

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        return webhook.parse(request)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        # Outside the 24-hour window the Cloud API answers error 131047 only for some
        # accounts and accepts-then-fails for others; refusing here is predictable.
        error = window_error("whatsapp", last_message_from_extra(message), timezone.now())
        if error:
            raise error
        phone_number_id = str(settings.get("phone_number_id", ""))
        if not phone_number_id or not settings.get("access_token"):
            raise SendError("This inbox has no WhatsApp phone number id and access token.",
                            is_permanent=True)
        if not message.recipient:
            raise SendError("The contact has no WhatsApp number.", is_permanent=True)
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            # wa_ids are the digits of the E.164 number, without "+".
            "to": message.recipient.removeprefix("+"),
            "type": "text",
            "text": {"body": message.text, "preview_url": False},
        }
        response = http.call(
            "POST",
            graph_url(settings, f"{phone_number_id}/messages"),
            body=http.json_body(payload),
            headers={**bearer(settings), "Content-Type": "application/json"},
            label="WhatsApp Cloud API",
        )
        body = response.json()
        messages = body.get("messages") if isinstance(body, dict) else None
        if response.status >= 400 or not isinstance(messages, list) or not messages:
            raise graph_error(response.status, body, "WhatsApp")
        return str(messages[0].get("id", ""))

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        """Media come as ids: GET the id for a short-lived URL, then GET that URL, both
        with the token (the URL alone answers 401)."""
        described = http.call("GET", graph_url(settings, ref), headers=bearer(settings),
                              label="WhatsApp media lookup")
        info = described.json()
        if described.status >= 400 or not isinstance(info, dict) or not info.get("url"):
            raise graph_error(described.status, info, "WhatsApp media")
        size = info.get("file_size")
        if isinstance(size, int) and size > max_bytes:
            raise SendError(f"The media is {size} bytes, over the {max_bytes} limit.",
                            is_permanent=True)
        return http.call("GET", str(info["url"]), headers=bearer(settings),
                         label="WhatsApp media", max_bytes=max_bytes)


class WhatsAppAdapter:
    """The "whatsapp" channel: the Cloud API unless the inbox says provider "twilio"."""

    kind = "whatsapp"

    def _provider(self, settings: Mapping[str, Any]) -> ChannelAdapter:
        if settings.get("provider") == "twilio":
            return TwilioWhatsAppAdapter()
        return WhatsAppCloudAdapter()

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return self._provider(settings).verify(request, settings)

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        return self._provider(settings).parse(request, settings)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        return self._provider(settings).send(message, settings)

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        provider = self._provider(settings)
        assert isinstance(provider, WhatsAppCloudAdapter | TwilioWhatsAppAdapter)
        return provider.fetch_media(ref, settings, max_bytes)
