"""The names people read: one for a contact, one for each of its identities.

Every page, fragment and notification that shows a customer calls these two functions, so a
contact is never "Contact #58" on one screen and "7:v5ce1bd…" on another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.utils.translation import gettext

from omnicanal.contacts.senders import IdentityKind

if TYPE_CHECKING:
    from omnicanal.contacts.models import Contact, Identity

# Kinds whose stored value carries a scope before a colon: the inbox id for web chat visitors
# and the API's external ids ("7:v5ce1bd…", "1:CUST-9001"), the provider for WhatsApp Cloud's
# user ids ("whatsapp:…"). The scope keeps values unique; no person needs to read it.
_SCOPED_KINDS = (IdentityKind.WEBCHAT, IdentityKind.EXTERNAL)
_PHONE_KINDS = (IdentityKind.PHONE, IdentityKind.WHATSAPP)
# Where the widget, the site or an import put the visitor's city or page (the demo writes
# French keys).
_PLACE_KEYS = ("city", "ville", "page_title", "page", "page_url")
# Which identity names a contact best, when the contact has no name of their own.
_NAMING_ORDER = (
    IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.WHATSAPP, IdentityKind.TELEGRAM,
    IdentityKind.MESSENGER, IdentityKind.INSTAGRAM, IdentityKind.EXTERNAL,
)


def format_phone(value: str) -> str:
    """"+33 6 12 34 56 78" for "+33612345678"; a value that is no number stays as stored."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def identity_display_value(kind: str, value: str) -> str:
    """An identity's value as people read it: without the internal scope, phones spaced."""
    if kind in _SCOPED_KINDS and ":" in value:
        value = value.split(":", 1)[1]
    if kind in _PHONE_KINDS:
        return format_phone(value)
    return value


def visitor_name(contact_id: int, attributes: Mapping[str, Any] | None = None) -> str:
    """"Visitor 58", or "Visitor 58 · Lyon" when the city (or the page) is known. The
    number is the contact's: stable across the visitor's conversations and every screen."""
    name = gettext("Visitor %(number)s") % {"number": contact_id}
    for key in _PLACE_KEYS:
        place = (attributes or {}).get(key)
        if isinstance(place, str) and place.strip():
            return f"{name} · {place.strip()[:60]}"
    return name


def contact_display_name(contact: Contact, identities: Iterable[Identity] | None = None) -> str:
    """The best name for a contact: theirs, else an e-mail address, else a phone number
    (formatted), else another reachable id, else "Visitor N" for a chat visitor.

    `identities` defaults to `contact.identities.all()`, which a list prefetches once.
    """
    if contact.name.strip():
        return contact.name.strip()
    if identities is None:
        identities = contact.identities.all()
    by_kind: dict[str, Identity] = {}
    for identity in sorted(identities, key=lambda i: (not i.is_verified, i.pk or 0)):
        by_kind.setdefault(identity.kind, identity)
    for kind in _NAMING_ORDER:
        if kind in by_kind:
            return identity_display_value(kind, by_kind[kind].value)
    if contact.pk is None:
        return gettext("the customer")
    return visitor_name(contact.pk, contact.attributes)


def distinct_identities(identities: Iterable[Identity]) -> list[Identity]:
    """Each address or number once, as people read it: a number that is both a phone and a
    WhatsApp identity, or an address held twice, shows once (the verified copy first)."""
    seen: set[str] = set()
    result = []
    for identity in sorted(identities, key=lambda i: (not i.is_verified, i.pk or 0)):
        shown = identity_display_value(identity.kind, identity.value).casefold()
        if shown not in seen:
            seen.add(shown)
            result.append(identity)
    return result
