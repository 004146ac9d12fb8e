"""Channel kind → adapter: the one map. Adapters are imported on first use.

Everything that needs to know what a channel can do (sending, webhooks, media, the
composer's choices, the API's inbox creation) asks the adapter found here; nothing else
keeps a list of channel names.
"""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from omnicanal.connectors.base import ChannelAdapter

ADAPTERS: dict[str, str] = {
    "api": "omnicanal.connectors.api.adapter.ApiAdapter",
    "email": "omnicanal.connectors.email.adapter.EmailAdapter",
    "webchat": "omnicanal.connectors.webchat.adapter.WebchatAdapter",
    "sms": "omnicanal.connectors.twilio.adapter.SmsAdapter",
    # Cloud API or Twilio, chosen by the inbox settings' "provider".
    "whatsapp": "omnicanal.connectors.whatsapp.adapter.WhatsAppAdapter",
    "messenger": "omnicanal.connectors.meta.adapter.MessengerAdapter",
    "instagram": "omnicanal.connectors.meta.adapter.InstagramAdapter",
    "telegram": "omnicanal.connectors.telegram.adapter.TelegramAdapter",
    "voice": "omnicanal.connectors.voice.adapter.VoiceAdapter",
}


def channel_kinds() -> tuple[str, ...]:
    """Every channel kind an inbox can have."""
    return tuple(ADAPTERS)


@cache
def adapter_for(channel: str) -> ChannelAdapter:
    """The channel's adapter (stateless, so one instance serves every inbox)."""
    try:
        path = ADAPTERS[channel]
    except KeyError:
        raise LookupError(f"No adapter for the {channel!r} channel.") from None
    adapter: ChannelAdapter = import_string(path)()
    return adapter


def all_adapters() -> list[ChannelAdapter]:
    return [adapter_for(kind) for kind in ADAPTERS]


def channel_choices() -> list[tuple[str, str]]:
    """(kind, translated label) for forms and filters, in the registry's order."""
    from omnicanal.conversations.models import ChannelKind

    return [(kind, str(ChannelKind(kind).label)) for kind in ADAPTERS]


def reply_channel_kinds() -> dict[str, tuple[str, ...]]:
    """Channels whose addresses any of our inboxes on them reaches (an e-mail address, a
    phone number), with the identity kinds each addresses, best first: where an agent may
    answer another channel's conversation. Page- or bot-scoped ids are answered only in
    their own inbox."""
    return {
        adapter.kind: tuple(str(kind) for kind in adapter.recipient_kinds)
        for adapter in all_adapters()
        if adapter.has_global_addresses
    }
