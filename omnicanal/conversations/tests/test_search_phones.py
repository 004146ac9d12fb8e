"""Search by phone number in the forms people type, and contact results without repeats."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.contacts.actions import merge_contacts
from omnicanal.contacts.models import Contact, Identity
from omnicanal.contacts.senders import IdentityKind
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.conversations.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea(api_inbox: Inbox) -> Contact:
    result = ingest(api_inbox, inbound("m-1", "Bonjour", email="lea@example.fr",
                                       phone="+33639983891", name="Léa Martin"))
    return Contact.objects.get(pk=result.contact_id)


@pytest.mark.parametrize("query", [
    "0639983891", "06 39 98 38 91", "06.39.98.38.91", "+33 6 39 98 38 91", "+33639983891",
    "0033639983891",
])
def test_a_number_is_found_in_national_and_international_forms(
    agent: User, lea: Contact, query: str
) -> None:
    hits = search(agent, query).contacts

    assert [hit.contact.pk for hit in hits] == [lea.pk]
    shown = [str(value) for _identity, value in hits[0].identities]
    assert "<mark>+33 6 39 98 38 91</mark>" in shown


def test_a_short_number_is_not_taken_for_a_phone(agent: User, lea: Contact) -> None:
    assert search(agent, "2024").contacts == []


def test_a_number_held_as_phone_and_whatsapp_is_listed_once(
    agent: User, lea: Contact
) -> None:
    Identity.objects.create(contact=lea, kind=IdentityKind.WHATSAPP, value="+33639983891")

    (hit,) = search(agent, "Martin").contacts

    values = [identity.display_value for identity, _html in hit.identities]
    assert sorted(values) == ["+33 6 39 98 38 91", "lea@example.fr"]


def test_a_merged_contact_lists_each_address_once(agent: User, api_inbox: Inbox) -> None:
    first = Contact.objects.get(pk=ingest(api_inbox, inbound(
        "m-1", "Bonjour", email="lea@example.fr", name="Léa Martin", verified=False
    )).contact_id)
    second = Contact.objects.create(name="Léa M.")
    Identity.objects.create(contact=second, kind=IdentityKind.EMAIL, value="lea@example.fr")
    merge_contacts(first, second, actor=agent)

    (hit,) = search(agent, "lea@example").contacts

    assert [identity.value for identity, _html in hit.identities] == ["lea@example.fr"]
    assert first.identities.count() == 1
