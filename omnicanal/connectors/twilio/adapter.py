"""The SMS channel, through Twilio Programmable Messaging (settings and transport in
`client.py`, shared with the WhatsApp adapter's Twilio provider)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    IdentityKind,
    InboundRequest,
    MediaRules,
    OutboundMessage,
    ParsedWebhook,
)
from omnicanal.connectors.media_links import GIF_WEBP, IMAGES, MB, by_url
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

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        if settings.get("mms") is not True:
            return MediaRules(refusal=_(
                "This SMS number does not send MMS, so a text message cannot carry a file: "
                "send the text alone, or reply by e-mail or WhatsApp to send the file."
            ))
        # Twilio's MMS: up to 10 media, 5 MB in all; images are what every phone shows.
        rules = MediaRules(max_count=10, max_bytes=5 * MB,
                           content_types=IMAGES | GIF_WEBP | {"application/pdf"})
        return by_url(rules, "Twilio")

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        return client.fetch_media(ref, settings, max_bytes)

