"""Display helpers for the contacts pages."""

from __future__ import annotations

from django import template

from omnicanal.contacts.senders import IdentityKind

register = template.Library()

_IDENTITY_ICONS = {
    IdentityKind.EMAIL: "mail", IdentityKind.PHONE: "phone-handset",
    IdentityKind.WHATSAPP: "phone-handset",
}


@register.filter
def identity_icon(kind: str) -> str:
    """The icon an identity of this kind shows beside its value."""
    return _IDENTITY_ICONS.get(kind, "user")  # type: ignore[call-overload]
