"""The voice channel: calls are answered by phone, so there is nothing to send or receive
here; routing counts voice conversations as their own kind of work."""

from __future__ import annotations

from omnicanal.connectors.base import BaseAdapter, IdentityKind


class VoiceAdapter(BaseAdapter):
    kind = "voice"
    work_kind = "voice"
    recipient_kinds = (IdentityKind.PHONE,)
    has_global_addresses = False
