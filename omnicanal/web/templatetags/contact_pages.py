"""Display helpers for the contacts pages: an avatar's initials and colour."""

from __future__ import annotations

import zlib

from django import template

from omnicanal.contacts.senders import IdentityKind

register = template.Library()

# Eight hues, dark enough for white initials at WCAG AA (4.5:1 or more).
AVATAR_COLOURS = (
    "#1d4ed8", "#7c3aed", "#b4235a", "#b45309", "#047857", "#0e7490", "#4d5b70", "#9a3412",
)


@register.filter
def initials(name: str) -> str:
    """"Léa Martin" → "LM", "lea@example.com" → "L", "+33 6…" → "#"."""
    words = [word for word in str(name).replace("@", " ").replace(".", " ").split() if word]
    letters = [word[0] for word in words if word[0].isalpha()][:2]
    if not letters:
        return "#"
    if "@" in str(name):
        letters = letters[:1]
    return "".join(letters).upper()


@register.filter
def avatar_colour(key: object) -> str:
    """A colour that stays the contact's own on every page (from its id)."""
    return AVATAR_COLOURS[zlib.crc32(str(key).encode()) % len(AVATAR_COLOURS)]


_IDENTITY_ICONS = {
    IdentityKind.EMAIL: "mail", IdentityKind.PHONE: "phone-handset",
    IdentityKind.WHATSAPP: "phone-handset",
}


@register.filter
def identity_icon(kind: str) -> str:
    """The icon an identity of this kind shows beside its value."""
    return _IDENTITY_ICONS.get(kind, "user")  # type: ignore[call-overload]
