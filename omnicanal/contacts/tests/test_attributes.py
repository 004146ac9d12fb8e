from __future__ import annotations

import pytest

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.contacts import attributes
from omnicanal.contacts.actions import update_contact_attributes
from omnicanal.contacts.models import AttributeDefinition, AttributeType, Contact
from omnicanal.core.exceptions import InvalidField, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(admin: User) -> AttributeDefinition:
    return attributes.create_attribute(admin, key="plan", label="Offre",
                                       type_=AttributeType.CHOICE,
                                       choices=["Essentiel", " Pro ", "Pro", ""])


def test_a_choice_attribute_keeps_its_choices_cleaned_and_is_audited(
    admin: User, plan: AttributeDefinition
) -> None:
    assert plan.choices == ["Essentiel", "Pro"]
    entry = AuditLogEntry.objects.get(action="contact_attribute.created")
    assert (entry.actor, entry.data["key"], entry.data["choices"]) == (
        admin, "plan", ["Essentiel", "Pro"])


@pytest.mark.parametrize("key", ["Plan", "2fa", "plan-b", "plan__b", "plan_", ""])
def test_a_key_that_is_not_lower_case_letters_digits_and_underscores_is_refused(
    admin: User, key: str
) -> None:
    with pytest.raises(InvalidField) as refusal:
        attributes.create_attribute(admin, key=key, label="X", type_=AttributeType.TEXT)
    assert refusal.value.field == "key"


def test_a_key_already_taken_is_refused(admin: User, plan: AttributeDefinition) -> None:
    with pytest.raises(InvalidField) as refusal:
        attributes.create_attribute(admin, key="plan", label="Autre", type_=AttributeType.TEXT)
    assert refusal.value.field == "key"


def test_choices_belong_to_the_choice_type_only(admin: User) -> None:
    with pytest.raises(InvalidField) as refusal:
        attributes.create_attribute(admin, key="age", label="Âge", type_=AttributeType.NUMBER,
                                    choices=["1"])
    assert refusal.value.field == "choices"
    with pytest.raises(InvalidField):
        attributes.create_attribute(admin, key="tier", label="Tier", type_=AttributeType.CHOICE)


def test_a_choice_contacts_hold_cannot_be_removed(admin: User,
                                                  plan: AttributeDefinition) -> None:
    # Removed, it would make those contacts' attributes impossible to save again.
    contact = Contact.objects.create(name="Jeanne")
    update_contact_attributes(contact, {"plan": "Pro"}, actor=admin)

    with pytest.raises(InvalidField) as refusal:
        attributes.update_attribute(admin, plan, label="Offre", choices=["Essentiel"])

    assert refusal.value.field == "choices"
    assert "Pro (1)" in refusal.value.message
    plan.refresh_from_db()
    assert plan.choices == ["Essentiel", "Pro"]


def test_the_label_choices_and_requirement_change_the_key_and_type_stay(
    admin: User, plan: AttributeDefinition
) -> None:
    attributes.update_attribute(admin, plan, label="Abonnement",
                                choices=["Essentiel", "Pro", "Entreprise"], is_required=True)

    plan.refresh_from_db()
    assert (plan.key, plan.type, plan.label, plan.is_required) == (
        "plan", AttributeType.CHOICE, "Abonnement", True)
    assert AuditLogEntry.objects.get(action="contact_attribute.updated").data == {
        "key": "plan", "label": ["Offre", "Abonnement"],
        "choices": [["Essentiel", "Pro"], ["Essentiel", "Pro", "Entreprise"]],
        "is_required": [False, True],
    }


def test_deleting_an_attribute_removes_its_values_from_contacts(
    admin: User, plan: AttributeDefinition
) -> None:
    AttributeDefinition.objects.create(key="vip", label="VIP", type=AttributeType.BOOLEAN)
    jeanne = Contact.objects.create(name="Jeanne")
    update_contact_attributes(jeanne, {"plan": "Pro", "vip": True}, actor=admin)
    Contact.objects.create(name="Paul")

    assert attributes.delete_attribute(admin, plan) == 1

    jeanne.refresh_from_db()
    assert jeanne.attributes == {"vip": True}
    # What keeping the value would have broken: editing her other attributes.
    update_contact_attributes(jeanne, {"vip": False}, actor=admin)
    assert AuditLogEntry.objects.get(action="contact_attribute.deleted").data == {
        "key": "plan", "label": "Offre", "contacts": 1,
    }


def test_only_an_administrator_changes_the_schema(supervisor: User,
                                                  plan: AttributeDefinition) -> None:
    with pytest.raises(PermissionDenied):
        attributes.create_attribute(supervisor, key="x", label="X", type_=AttributeType.TEXT)
    with pytest.raises(PermissionDenied):
        attributes.update_attribute(supervisor, plan, label="X", choices=["A"])
    with pytest.raises(PermissionDenied):
        attributes.delete_attribute(supervisor, plan)
    assert AttributeDefinition.objects.count() == 1
