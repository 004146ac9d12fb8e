"""The contact's page actions: edits checked against the attribute schema, identities added
normalised, notes, and merges that leave each address once and undo exactly."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.contacts import actions
from omnicanal.contacts.models import (
    AttributeDefinition,
    Contact,
    ContactNote,
    Identity,
    MergeSuggestion,
)
from omnicanal.contacts.senders import IdentityKind
from omnicanal.core.exceptions import Conflict, InvalidField

pytestmark = pytest.mark.django_db


def contact(name: str, *identities: tuple[str, str, bool], **fields: object) -> Contact:
    found = Contact.objects.create(name=name, **fields)
    for kind, value, verified in identities:
        Identity.objects.create(contact=found, kind=kind, value=value, is_verified=verified)
    return found


def pairs(found: Contact) -> list[tuple[str, str, bool]]:
    return sorted(found.identities.values_list("kind", "value", "is_verified"))


@pytest.mark.parametrize(("typed", "expected"), [
    ("0639983891", "+33639983891"),
    ("06 39 98 38 91", "+33639983891"),
    ("+33 6 39 98 38 91", "+33639983891"),
    ("0033 6 39 98 38 91", "+33639983891"),
    ("(415) 555-2671", None),  # a US number without +1 is not a French one
    ("2024", None),
    ("lea@example.fr", None),
])
def test_phone_number_in_reads_the_forms_people_type(typed: str, expected: str | None) -> None:
    assert actions.phone_number_in(typed) == expected


class TestMerge:
    def test_an_address_both_hold_is_kept_once_and_comes_back_on_undo(self, agent: User) -> None:
        keep = contact("Léa", ("email", "lea@example.fr", True), ("phone", "+33639983891", False))
        other = contact("", ("email", "lea@example.fr", False), ("phone", "+33639983891", True),
                        ("email", "lea.pro@example.fr", True))
        before = (pairs(keep), pairs(other))

        merge = actions.merge_contacts(keep, other, actor=agent)

        # The verified copy of the phone won; the target's unverified one stepped aside.
        assert pairs(keep) == [
            ("email", "lea.pro@example.fr", True), ("email", "lea@example.fr", True),
            ("phone", "+33639983891", True),
        ]
        actions.unmerge_contacts(merge, actor=agent)
        assert (pairs(keep), pairs(other)) == before

    def test_the_preview_says_what_moves_and_which_attribute_wins(self, agent: User) -> None:
        AttributeDefinition.objects.create(key="plan", label="Plan", type="text")
        AttributeDefinition.objects.create(key="city", label="City", type="text")
        keep = contact("Léa", ("email", "lea@example.fr", True), attributes={"plan": "pro"})
        other = contact("Léa M.", ("email", "lea@example.fr", False),
                        ("phone", "+33639983891", True),
                        attributes={"plan": "free", "city": "Lyon"})

        preview = actions.merge_preview(keep.pk, other.pk)

        assert [i.value for i in preview.moving_identities] == ["+33639983891"]
        assert [i.value for i in preview.duplicate_identities] == ["lea@example.fr"]
        assert preview.added_attributes == {"city": "Lyon"}
        assert [(c.key, c.kept, c.dropped) for c in preview.conflicts] == [("plan", "pro", "free")]
        assert preview.name == "Léa"

    def test_a_manual_merge_is_audited_and_cannot_be_repeated(self, agent: User) -> None:
        keep, other = contact("Léa"), contact("Lea")

        actions.merge_chosen_contacts(agent, keep.pk, other.pk)

        assert AuditLogEntry.objects.filter(action="contact.merged", actor=agent).exists()
        with pytest.raises(Conflict):
            actions.merge_chosen_contacts(agent, keep.pk, other.pk)


class TestEdit:
    def test_each_refused_attribute_is_named_with_its_reason(self, agent: User) -> None:
        AttributeDefinition.objects.create(key="orders", label="Orders", type="number")
        AttributeDefinition.objects.create(
            key="plan", label="Plan", type="choice", choices=["free", "pro"], is_required=True
        )
        found = contact("Léa", attributes={"plan": "pro"})

        with pytest.raises(actions.ContactFormErrors) as refused:
            actions.update_contact(agent, found.pk, name="Léa", company="",
                                   attributes={"orders": "many", "plan": ""})

        assert set(refused.value.errors) == {"attribute-orders", "attribute-plan"}
        assert "number" in refused.value.errors["attribute-orders"]
        found.refresh_from_db()
        assert found.attributes == {"plan": "pro"}

    def test_a_valid_edit_is_saved_coerced_and_audited(self, agent: User) -> None:
        AttributeDefinition.objects.create(key="orders", label="Orders", type="number")
        found = contact("Lea")

        actions.update_contact(agent, found.pk, name="  Léa   Martin ", company="Acme",
                               attributes={"orders": "3"})

        found.refresh_from_db()
        assert (found.name, found.company.name if found.company else None, found.attributes) == (
            "Léa Martin", "Acme", {"orders": 3}
        )
        entry = AuditLogEntry.objects.get(action="contact.updated")
        assert entry.data["attributes"] == ["orders"]

    def test_identities_are_added_normalised_and_duplicates_refused(self, agent: User) -> None:
        found = contact("Léa")

        actions.add_identity(agent, found.pk, "email", " Lea@Example.FR ")
        actions.add_identity(agent, found.pk, "phone", "06 39 98 38 91")

        assert pairs(found) == [("email", "lea@example.fr", False),
                                ("phone", "+33639983891", False)]
        with pytest.raises(InvalidField) as duplicate:
            actions.add_identity(agent, found.pk, "phone", "+33 6 39 98 38 91")
        assert duplicate.value.field == "value"
        with pytest.raises(InvalidField):
            actions.add_identity(agent, found.pk, "phone", "12")

    def test_a_value_another_contact_owns_is_refused_a_claimed_one_suggests_a_merge(
        self, agent: User
    ) -> None:
        found = contact("Léa")
        contact("Paul", (IdentityKind.EMAIL, "paul@example.fr", True))
        claimer = contact("Lea?", (IdentityKind.EMAIL, "lea@example.fr", False))

        with pytest.raises(InvalidField, match="Paul"):
            actions.add_identity(agent, found.pk, "email", "paul@example.fr")
        actions.add_identity(agent, found.pk, "email", "lea@example.fr")

        assert MergeSuggestion.objects.filter(
            contact__in=[found, claimer], candidate__in=[found, claimer]
        ).exists()

    def test_a_note_is_kept_with_its_author(self, agent: User) -> None:
        found = contact("Léa")

        actions.add_contact_note(agent, found.pk, "  Prefers e-mail.  ")

        note = ContactNote.objects.get()
        assert (note.contact_id, note.author, note.text) == (found.pk, agent, "Prefers e-mail.")
        with pytest.raises(InvalidField):
            actions.add_contact_note(agent, found.pk, "   ")
