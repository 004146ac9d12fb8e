"""The SMS channel, through Twilio Programmable Messaging (settings and transport in
`client.py`, shared with the WhatsApp adapter's Twilio provider)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    IdentityKind,
    InboundRequest,
    OutboundMessage,
    ParsedWebhook,
)
from omnicanal.connectors.messaging import MessagingAdapter
from omnicanal.connectors.twilio import client, webhook
from omnicanal.connectors.webhooks import Provider

TWILIO_FORMAT = Provider(
    "twilio", webhook.verify, webhook.parse, webhook.events, webhook.body_from_file
)


class SmsAdapter(MessagingAdapter):
    kind = "sms"
    settings_schema = client.TwilioSettings
    recipient_kinds = (IdentityKind.PHONE,)
    has_global_addresses = True
    can_start_conversation = True

    def webhook_provider(self, settings: Mapping[str, Any]) -> str | None:
        return "twilio"

    def webhook_formats(self) -> Sequence[Provider]:
        return (TWILIO_FORMAT,)

    def received_url(self, request: HttpRequest, settings: Mapping[str, Any]) -> str:
        return client.received_url(request, settings)

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return webhook.verify(request, str(settings.get("auth_token", "")))

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        return webhook.parse(request)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        return client.send(message, settings)

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        return client.fetch_media(ref, settings, max_bytes)

