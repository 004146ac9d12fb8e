"""Settings → Contact attributes through HTTP: the schema's list and forms, administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.contacts import attributes
from omnicanal.contacts.models import AttributeDefinition, AttributeType, Contact
from omnicanal.web.tests.settings_helpers import client_for, field_errors, post, text

pytestmark = pytest.mark.django_db

LIST = reverse("web:settings_attributes")
NEW = reverse("web:settings_attributes_new")


@pytest.fixture
def plan(admin: User) -> AttributeDefinition:
    return attributes.create_attribute(admin, key="plan", label="Offre",
                                       type_=AttributeType.CHOICE, choices=["Essentiel", "Pro"])


def test_the_list_shows_label_key_type_and_how_many_contacts_hold_a_value(
    admin: User, plan: AttributeDefinition
) -> None:
    Contact.objects.create(name="Jeanne", attributes={"plan": "Pro"})

    page = text(client_for(admin).get(LIST).content)

    assert "Offre plan Choice (Essentiel, Pro) 1" in page


def test_an_attribute_is_created_from_the_form(admin: User) -> None:
    response = post(client_for(admin), NEW, {
        "key": "customer_number", "label": "Numéro client", "type": AttributeType.TEXT,
        "choices": "", "is_required": "on",
    })

    assert response.status_code == 302 and response["Location"] == LIST
    definition = AttributeDefinition.objects.get(key="customer_number")
    assert (definition.label, definition.is_required) == ("Numéro client", True)
    assert AuditLogEntry.objects.filter(action="contact_attribute.created").exists()


def test_errors_are_shown_beside_their_fields(admin: User, plan: AttributeDefinition) -> None:
    client = client_for(admin)

    response = post(client, NEW, {"key": "Plan B", "label": "X", "type": "text"})
    assert response.status_code == 422
    assert field_errors(response.content, "key").startswith("Lower-case letters")

    response = post(client, NEW, {"key": "tier", "label": "X", "type": "choice", "choices": ""})
    assert field_errors(response.content, "choices") == "Give at least one choice, one per line."
    assert AttributeDefinition.objects.count() == 1


def test_the_edit_form_has_no_key_or_type_field_and_saves(admin: User,
                                                          plan: AttributeDefinition) -> None:
    url = reverse("web:settings_attributes_edit", args=[plan.pk])
    client = client_for(admin)
    page = client.get(url).content.decode()
    assert 'name="key"' not in page and 'name="type"' not in page

    response = post(client, url, {"key": "hacked", "type": "text", "label": "Abonnement",
                                  "choices": "Essentiel\nPro\nEntreprise"})

    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.key, plan.type, plan.label) == ("plan", "choice", "Abonnement")
    assert plan.choices == ["Essentiel", "Pro", "Entreprise"]


def test_removing_a_choice_contacts_hold_is_refused_beside_the_choices(
    admin: User, plan: AttributeDefinition
) -> None:
    Contact.objects.create(name="Jeanne", attributes={"plan": "Pro"})
    url = reverse("web:settings_attributes_edit", args=[plan.pk])

    response = post(client_for(admin), url, {"label": "Offre", "choices": "Essentiel"})

    assert response.status_code == 422
    assert "Pro (1)" in field_errors(response.content, "choices")


def test_deleting_states_how_many_contacts_lose_their_value(
    admin: User, plan: AttributeDefinition
) -> None:
    jeanne = Contact.objects.create(name="Jeanne", attributes={"plan": "Pro"})
    url = reverse("web:settings_attributes_delete", args=[plan.pk])
    client = client_for(admin)

    assert "1 contact holds a value for it" in text(client.get(url).content)
    response = post(client, url, {})

    assert response.status_code == 302
    jeanne.refresh_from_db()
    assert jeanne.attributes == {}
    assert AuditLogEntry.objects.get(action="contact_attribute.deleted").data["contacts"] == 1


@pytest.mark.parametrize("name", ["settings_attributes", "settings_attributes_new",
                                  "settings_attributes_edit", "settings_attributes_delete"])
def test_supervisors_and_agents_are_refused(supervisor: User, agent: User,
                                            plan: AttributeDefinition, name: str) -> None:
    args = [plan.pk] if name.endswith(("edit", "delete")) else []
    url = reverse(f"web:{name}", args=args)

    assert client_for(supervisor).get(url).status_code == 403
    assert client_for(agent).post(url).status_code == 403
    assert AttributeDefinition.objects.filter(pk=plan.pk).exists()


def test_an_attribute_of_another_type_has_no_choices_field(admin: User) -> None:
    number = attributes.create_attribute(admin, key="orders", label="Commandes",
                                         type_=AttributeType.NUMBER)
    url = reverse("web:settings_attributes_edit", args=[number.pk])
    client = client_for(admin)
    assert 'name="choices"' not in client.get(url).content.decode()

    response = post(client, url, {"label": "Nombre de commandes", "is_required": "on"})

    assert response.status_code == 302
    number.refresh_from_db()
    assert (number.label, number.is_required, number.choices) == (
        "Nombre de commandes", True, [])
