"""Who sent a message, as a channel asserts it: the input of identity resolution."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class IdentityKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"
    WEBCHAT = "webchat"
    EXTERNAL = "external"


@dataclass(frozen=True)
class SenderIdentity:
    """One way to reach the sender, as the channel asserts it."""

    kind: IdentityKind
    value: str
    # A provider-asserted id (a phone number Twilio received from, a signed widget user) is
    # verified; an address a customer typed into a form is not.
    is_verified: bool = True


@dataclass(frozen=True)
class Sender:
    identities: Sequence[SenderIdentity]
    name: str = ""
