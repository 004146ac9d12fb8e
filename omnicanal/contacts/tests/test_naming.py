"""The names people read: one for a contact, one for each identity."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from omnicanal.contacts.models import Contact, Identity
from omnicanal.contacts.naming import identity_display_value, visitor_name
from omnicanal.contacts.senders import IdentityKind

pytestmark = pytest.mark.django_db


def contact_with(*identities: tuple[str, str], name: str = "", **attributes: Any) -> Contact:
    contact = Contact.objects.create(name=name, attributes=attributes)
    for kind, value in identities:
        Identity.objects.create(contact=contact, kind=kind, value=value, is_verified=True)
    return contact


def test_an_anonymous_chat_visitor_is_visitor_and_the_contacts_number() -> None:
    contact = contact_with((IdentityKind.WEBCHAT, "7:v5ce1bd0a9f3c4e21"))
    assert contact.display_name == f"Visitor {contact.pk}"


def test_the_visitor_is_visiteur_in_french() -> None:
    contact = contact_with((IdentityKind.WEBCHAT, "7:v5ce1bd0a9f3c4e21"))
    with translation.override("fr"):
        assert contact.display_name == f"Visiteur {contact.pk}"


def test_the_visitors_city_follows_the_number_when_known() -> None:
    contact = contact_with((IdentityKind.WEBCHAT, "7:v5ce1bd0a9f3c4e21"), city="Lyon")
    assert contact.display_name == f"Visitor {contact.pk} · Lyon"


def test_the_page_is_shown_when_the_city_is_not_known() -> None:
    assert visitor_name(12, {"page": "/tarifs"}) == "Visitor 12 · /tarifs"


def test_the_visitor_number_is_the_same_on_every_call() -> None:
    # Stable: the list, the header and the supervisor view all say the same number.
    contact = contact_with((IdentityKind.WEBCHAT, "7:abc"))
    assert contact.display_name == Contact.objects.get(pk=contact.pk).display_name


def test_a_name_wins_over_every_identity() -> None:
    contact = contact_with((IdentityKind.EMAIL, "jeanne@example.fr"), name="Jeanne Martin")
    assert contact.display_name == "Jeanne Martin"


def test_without_a_name_the_email_address_comes_before_the_phone() -> None:
    contact = contact_with(
        (IdentityKind.PHONE, "+33612345678"), (IdentityKind.EMAIL, "jeanne@example.fr")
    )
    assert contact.display_name == "jeanne@example.fr"


def test_a_phone_number_is_shown_formatted() -> None:
    contact = contact_with((IdentityKind.PHONE, "+33612345678"))
    assert contact.display_name == "+33 6 12 34 56 78"


def test_an_external_id_shows_without_its_inbox_scope() -> None:
    contact = contact_with((IdentityKind.EXTERNAL, "1:CUST-9001"))
    assert contact.display_name == "CUST-9001"


def test_a_chat_visitor_who_gave_an_address_is_named_by_it() -> None:
    contact = contact_with(
        (IdentityKind.WEBCHAT, "7:v5ce1bd0a9f3c4e21"), (IdentityKind.EMAIL, "paul@example.fr")
    )
    assert contact.display_name == "paul@example.fr"


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (IdentityKind.WEBCHAT, "7:v5ce1bd0a9f3c4e21", "v5ce1bd0a9f3c4e21"),
        (IdentityKind.EXTERNAL, "1:CUST-9001", "CUST-9001"),
        (IdentityKind.EXTERNAL, "whatsapp:33612345678", "33612345678"),
        (IdentityKind.WHATSAPP, "+33612345678", "+33 6 12 34 56 78"),
        (IdentityKind.EMAIL, "a:b@example.fr", "a:b@example.fr"),  # only scoped kinds lose it
        (IdentityKind.PHONE, "not a number", "not a number"),
    ],
)
def test_an_identity_shows_without_internal_prefixes(kind: str, value: str, shown: str) -> None:
    assert identity_display_value(kind, value) == shown
