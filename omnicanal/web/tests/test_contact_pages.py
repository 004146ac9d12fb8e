"""The contacts pages over HTTP: access, the list's search and filters, the record's forms
(errors beside their fields), merge with preview and undo, starting a conversation."""

from __future__ import annotations

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import (
    AttributeDefinition,
    Company,
    Contact,
    ContactMerge,
    Identity,
)
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Message

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    """Logged in, pages in English (an agent's default is French)."""
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lea(api_inbox: Inbox) -> Contact:
    result = ingest(api_inbox, inbound("m-1", "Bonjour", email="lea@example.fr",
                                       phone="+33639983891", name="Léa Martin"))
    contact = Contact.objects.get(pk=result.contact_id)
    Identity.objects.create(contact=contact, kind="whatsapp", value="+33639983891")
    return contact


@pytest.fixture
def paul(email_inbox: Inbox) -> Contact:
    result = ingest(email_inbox, inbound("<m-2@x>", "Hello", email="paul@example.fr",
                                         name="Paul Durand"))
    return Contact.objects.get(pk=result.contact_id)


@pytest.mark.parametrize("path", ["/contacts/", "/contacts/1/", "/contacts/1/merge/",
                                  "/contacts/1/new-conversation/"])
def test_anonymous_visitors_are_sent_to_log_in(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_post_without_the_csrf_token_is_refused(agent: User, lea: Contact) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(f"/contacts/{lea.pk}/notes/", {"text": "Hello"})

    assert response.status_code == 403
    assert not lea.notes.exists()


@pytest.mark.parametrize("query", ["06 39 98 38 91", "0639983891", "martin", "LEA@example"])
def test_the_list_finds_a_contact_by_name_address_or_number_in_any_form(
    agent: User, lea: Contact, paul: Contact, query: str
) -> None:
    page = client_for(agent).get("/contacts/", {"q": query}).content.decode()

    assert "Léa Martin" in page and "Paul Durand" not in page
    # Phone and WhatsApp hold the same number: shown once.
    assert page.count("+33 6 39 98 38 91") == 1


def test_the_list_filters_by_company_label_and_attribute(
    agent: User, supervisor: User, lea: Contact, paul: Contact
) -> None:
    AttributeDefinition.objects.create(key="orders", label="Orders", type="number")
    lea.company = Company.objects.create(name="Acme")
    lea.attributes = {"orders": 3}
    lea.save()
    label = actions.create_label(supervisor, "refund")
    actions.add_label(agent, Conversation.objects.get(contact=paul).pk, label.pk)
    client = client_for(agent)

    by_company = client.get("/contacts/", {"company": lea.company.pk}).content.decode()
    by_label = client.get("/contacts/", {"label": label.pk}).content.decode()
    by_attribute = client.get("/contacts/", {"attribute": "orders", "value": "3"}).content.decode()
    wrong_value = client.get("/contacts/", {"attribute": "orders", "value": "x"})

    assert "Léa Martin" in by_company and "Paul Durand" not in by_company
    assert "Paul Durand" in by_label and "Léa Martin" not in by_label
    assert "Léa Martin" in by_attribute and "Paul Durand" not in by_attribute
    assert wrong_value.status_code == 200 and "No contact matches." in wrong_value.content.decode()


def test_the_record_shows_conversations_and_a_refused_attribute_beside_its_field(
    agent: User, lea: Contact
) -> None:
    AttributeDefinition.objects.create(key="orders", label="Orders", type="number")
    client = client_for(agent)

    page = client.get(f"/contacts/{lea.pk}/").content.decode()
    refused = client.post(f"/contacts/{lea.pk}/edit/",
                          {"name": "Léa M.", "company": "", "attribute-orders": "many"})

    conversation = Conversation.objects.get(contact=lea)
    assert f'href="/conversations/{conversation.pk}/"' in page
    assert refused.status_code == 422
    body = refused.content.decode()
    assert 'id="attribute-orders-error"' in body and "must be a number" in body
    assert 'value="Léa M."' in body  # what the agent typed is kept
    lea.refresh_from_db()
    assert lea.name == "Léa Martin"


def test_identities_and_notes_are_added_from_the_record(agent: User, lea: Contact) -> None:
    client = client_for(agent)

    added = client.post(f"/contacts/{lea.pk}/identities/", {"kind": "email",
                                                            "value": "LEA.PRO@example.fr"})
    refused = client.post(f"/contacts/{lea.pk}/identities/", {"kind": "phone", "value": "12"})
    noted = client.post(f"/contacts/{lea.pk}/notes/", {"text": "VIP since 2019"})

    assert added.status_code == noted.status_code == 302
    assert lea.identities.filter(value="lea.pro@example.fr").exists()
    assert refused.status_code == 422 and 'id="identity-error"' in refused.content.decode()
    assert "VIP since 2019" in client.get(f"/contacts/{lea.pk}/").content.decode()


def test_a_manual_merge_shows_a_preview_then_can_be_undone(
    agent: User, lea: Contact, paul: Contact
) -> None:
    client = client_for(agent)

    found = client.get(f"/contacts/{lea.pk}/merge/", {"q": "paul"}).content.decode()
    preview = client.get(f"/contacts/{lea.pk}/merge/", {"other": paul.pk}).content.decode()
    merged = client.post(f"/contacts/{lea.pk}/merge/", {"other": paul.pk})

    assert "Paul Durand" in found
    assert "paul@example.fr" in preview and "moves" in preview
    assert merged.status_code == 302
    paul.refresh_from_db()
    assert paul.merged_into_id == lea.pk
    assert Conversation.objects.filter(contact=lea).count() == 2
    record = client.get(f"/contacts/{lea.pk}/").content.decode()
    assert "Contact merged: Paul Durand" in record  # the merge history
    # The merged contact's old address leads to the one it joined.
    assert client.get(f"/contacts/{paul.pk}/")["Location"] == f"/contacts/{lea.pk}/"

    merge_id = ContactMerge.objects.get().pk
    undone = client.post(f"/contacts/{lea.pk}/unmerge/", {"merge": merge_id})

    assert undone.status_code == 302
    paul.refresh_from_db()
    assert paul.merged_into_id is None
    assert Conversation.objects.filter(contact=paul).count() == 1


def test_new_conversation_offers_only_inboxes_that_can_write_first(
    agent: User, lea: Contact, email_inbox: Inbox, api_inbox: Inbox
) -> None:
    client = client_for(agent)

    page = client.get(f"/contacts/{lea.pk}/new-conversation/").content.decode()
    email = lea.identities.get(kind="email")
    sent = client.post(f"/contacts/{lea.pk}/new-conversation/", {
        "inbox": email_inbox.pk, f"identity-{email_inbox.pk}": email.pk,
        "subject": "Votre commande", "text": "Bonjour Léa,",
    })
    empty = client.post(f"/contacts/{lea.pk}/new-conversation/", {
        "inbox": email_inbox.pk, f"identity-{email_inbox.pk}": email.pk, "text": " ",
    })

    assert email_inbox.name in page and api_inbox.name not in page
    conversation = Conversation.objects.get(inbox=email_inbox, contact=lea)
    assert sent["Location"] == f"/conversations/{conversation.pk}/"
    assert conversation.subject == "Votre commande"
    message = Message.objects.get(conversation=conversation)
    assert (message.direction, message.metadata["recipient"]) == ("outgoing", "lea@example.fr")
    assert empty.status_code == 422


def test_an_unknown_contact_or_a_bad_page_number_is_no_server_error(
    agent: User, lea: Contact
) -> None:
    client = client_for(agent)

    assert client.get("/contacts/999999/").status_code == 404
    assert client.get("/contacts/999999/merge/").status_code == 404
    assert client.get("/contacts/", {"page": "9999", "company": "x", "tier": "<b>"}).status_code == 200
    merged_into_itself = client.post(f"/contacts/{lea.pk}/merge/", {"other": lea.pk})
    assert merged_into_itself.status_code == 302
    assert Contact.objects.get(pk=lea.pk).merged_into_id is None
