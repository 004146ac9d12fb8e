"""The WhatsApp channel. An inbox runs on the Cloud API (the default) or on Twilio, by its
settings' "provider"; this one adapter owns the channel's rules (the 24-hour window, whom to
address) and hands the provider's part to `whatsapp_cloud` or `twilio`'s shared modules."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    ChannelSettings,
    IdentityKind,
    InboundRequest,
    MediaRules,
    OutboundMessage,
    ParsedWebhook,
    SendError,
)
from omnicanal.connectors.media_links import AUDIO, DOCUMENTS, IMAGES, MB, VIDEO, by_url
from omnicanal.connectors.message_templates import (
    TEMPLATE_EXTRA,
    TEMPLATE_METADATA,
    VARIABLES_EXTRA,
    MessageTemplate,
    parse_cloud_line,
    parse_twilio_line,
)
from omnicanal.connectors.messaging import (
    MessagingAdapter,
    last_message_from_extra,
    whatsapp_window_error,
)
from omnicanal.connectors.meta import signature
from omnicanal.connectors.twilio import client as twilio
from omnicanal.connectors.twilio import webhook as twilio_webhook
from omnicanal.connectors.webhooks import Provider
from omnicanal.connectors.whatsapp_cloud import client as cloud
from omnicanal.connectors.whatsapp_cloud import webhook as cloud_webhook

if TYPE_CHECKING:
    from omnicanal.conversations.models import Message

ProviderName = Literal["whatsapp_cloud", "twilio"]


class _ProviderChoice(BaseModel):
    # Checked first, so that a wrong provider is named as such rather than as a list of
    # another provider's missing settings.
    model_config = ConfigDict(extra="ignore")
    provider: ProviderName = "whatsapp_cloud"


def provider_of(settings: Mapping[str, Any]) -> ProviderName:
    return "twilio" if settings.get("provider") == "twilio" else "whatsapp_cloud"


class WhatsAppAdapter(MessagingAdapter):
    kind = "whatsapp"
    settings_schema = cloud.WhatsAppCloudSettings
    # A WhatsApp number is also stored as a phone identity (so SMS and WhatsApp meet on one
    # contact): either works.
    recipient_kinds = (IdentityKind.WHATSAPP, IdentityKind.PHONE)
    has_global_addresses = True
    has_reply_window = True
    providers = ("whatsapp_cloud", "twilio")
    can_start_conversation = True

    def schema_for(self, settings: Mapping[str, Any]) -> type[ChannelSettings]:
        if provider_of(settings) == "twilio":
            return twilio.TwilioWhatsAppSettings
        return cloud.WhatsAppCloudSettings

    def message_templates(self, settings: Mapping[str, Any]) -> list[MessageTemplate]:
        parse = parse_twilio_line if provider_of(settings) == "twilio" else parse_cloud_line
        templates = []
        for line in settings.get("templates") or []:
            # Validated when the inbox was saved; a line edited in the database since is
            # skipped rather than offered half-read.
            with contextlib.suppress(ValueError):
                templates.append(parse(str(line)))
        return templates

    def prepare_outbound(self, message: Message, outbound: OutboundMessage) -> OutboundMessage:
        outbound = super().prepare_outbound(message, outbound)
        chosen = (message.metadata or {}).get(TEMPLATE_METADATA)
        if not isinstance(chosen, dict):
            return outbound
        # Looked up in the settings of now: the provider needs the template as approved
        # today (a Content SID or a name), the message only kept which one and the values.
        key = str(chosen.get("key", ""))
        template = next(
            (t for t in self.message_templates(message.inbox.settings) if t.key == key), key
        )
        variables = [str(value) for value in chosen.get("variables") or []]
        return replace(
            outbound, extra={**outbound.extra, TEMPLATE_EXTRA: template,
                             VARIABLES_EXTRA: variables},
        )

    def validate_settings(self, settings: Mapping[str, Any]) -> ChannelSettings:
        _ProviderChoice.model_validate(dict(settings))
        return self.schema_for(settings).model_validate(dict(settings))

    def webhook_provider(self, settings: Mapping[str, Any]) -> str | None:
        return provider_of(settings)

    def webhook_formats(self) -> Sequence[Provider]:
        return (
            Provider("whatsapp_cloud", signature.verify, cloud_webhook.parse, cloud_webhook.events),
            Provider(
                "twilio", twilio_webhook.verify, twilio_webhook.parse, twilio_webhook.events,
                twilio_webhook.body_from_file,
            ),
        )

    def received_url(self, request: HttpRequest, settings: Mapping[str, Any]) -> str:
        if provider_of(settings) == "twilio":
            return twilio.received_url(request, settings)
        return request.build_absolute_uri()

    def subscription_challenge(
        self, query: Mapping[str, str], settings: Mapping[str, Any]
    ) -> str | None:
        return signature.verify_subscription(query, str(settings.get("verify_token", "")))

    def answers_handshake(self, settings: Mapping[str, Any]) -> bool:
        return provider_of(settings) == "whatsapp_cloud"

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        if provider_of(settings) == "twilio":
            return twilio_webhook.verify(request, str(settings.get("auth_token", "")))
        return signature.verify(request, str(settings.get("app_secret", "")))

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        if provider_of(settings) == "twilio":
            return twilio_webhook.parse(request)
        return cloud_webhook.parse(request)

    def reply_window_error(
        self, last_customer_message: dt.datetime | None, now: dt.datetime
    ) -> SendError | None:
        return whatsapp_window_error(last_customer_message, now)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        # Outside the 24-hour window the Cloud API answers error 131047 only for some
        # accounts and accepts-then-fails for others, and Twilio fails later with 63016:
        # refusing here tells the agent at once, in words. An approved template is what
        # the window allows.
        template = message.extra.get(TEMPLATE_EXTRA)
        if template is not None and not isinstance(template, MessageTemplate):
            raise SendError(f"The template {template} is no longer in the inbox settings.",
                            is_permanent=True)
        error = self.reply_window_error(last_message_from_extra(message), timezone.now())
        if error and template is None:
            raise error
        if provider_of(settings) == "twilio":
            return twilio.send(message, settings, address_prefix="whatsapp:")
        return cloud.send(message, settings)

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        # One file per message on both providers; images, audio, video, PDF and office
        # documents (Cloud API: documents up to 100 MB, media 16 MB; Twilio: 16 MB in all).
        if provider_of(settings) == "twilio":
            rules = MediaRules(max_count=1, max_bytes=16 * MB,
                               content_types=IMAGES | AUDIO | VIDEO | {"application/pdf"})
            return by_url(rules, "Twilio")
        rules = MediaRules(max_count=1, max_bytes=16 * MB,
                           content_types=IMAGES | AUDIO | VIDEO | DOCUMENTS)
        return by_url(rules, "WhatsApp")

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        if provider_of(settings) == "twilio":
            return twilio.fetch_media(ref, settings, max_bytes)
        return cloud.fetch_media(ref, settings, max_bytes)
