"""Channel kind → adapter, imported on first use."""

from __future__ import annotations

from django.utils.module_loading import import_string

from omnicanal.connectors.base import ChannelAdapter

ADAPTERS: dict[str, str] = {
    "api": "omnicanal.connectors.api.adapter.ApiAdapter",
    "email": "omnicanal.connectors.email.adapter.EmailAdapter",
    "sms": "omnicanal.connectors.twilio.adapter.TwilioAdapter",
    # Cloud API or Twilio, chosen by the inbox settings' "provider".
    "whatsapp": "omnicanal.connectors.whatsapp_cloud.adapter.WhatsAppAdapter",
    "messenger": "omnicanal.connectors.meta.adapter.MessengerAdapter",
    "instagram": "omnicanal.connectors.meta.adapter.InstagramAdapter",
    "telegram": "omnicanal.connectors.telegram.adapter.TelegramAdapter",
    "webchat": "omnicanal.connectors.webchat.adapter.WebchatAdapter",
}


def adapter_for(channel: str) -> ChannelAdapter:
    try:
        path = ADAPTERS[channel]
    except KeyError:
        raise LookupError(f"No adapter can send on the {channel!r} channel yet.") from None
    adapter: ChannelAdapter = import_string(path)()
    return adapter
