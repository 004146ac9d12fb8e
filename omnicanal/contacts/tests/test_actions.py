from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.contacts.actions import (
    merge_contacts,
    merge_suggested_contacts,
    normalize_identity_value,
    resolve_contact,
    undo_merge,
    unmerge_contacts,
    update_contact_attributes,
)
from omnicanal.contacts.models import (
    AttributeDefinition,
    Contact,
    Identity,
    MergeSuggestion,
)
from omnicanal.contacts.senders import IdentityKind, Sender, SenderIdentity
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.core.exceptions import Conflict, InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


def sender(*identities: tuple[str, str, bool], name: str = "") -> Sender:
    return Sender([SenderIdentity(IdentityKind(k), v, verified) for k, v, verified in identities],
                  name)


class TestNormalisation:
    def test_phone_numbers_become_e164_whatever_the_notation(self) -> None:
        assert normalize_identity_value(IdentityKind.PHONE, "06 12 34 56 78") == "+33612345678"
        assert normalize_identity_value(IdentityKind.PHONE, "+33 (0)6 12 34 56 78") == "+33612345678"
        assert normalize_identity_value(IdentityKind.WHATSAPP, "whatsapp:+33612345678") == "+33612345678"

    def test_emails_are_lower_cased(self) -> None:
        assert normalize_identity_value(IdentityKind.EMAIL, " Jeanne@Example.FR ") == "jeanne@example.fr"

    def test_a_malformed_value_is_refused_with_a_reason(self) -> None:
        with pytest.raises(InvalidInput, match="not an e-mail"):
            normalize_identity_value(IdentityKind.EMAIL, "jeanne-at-example")
        with pytest.raises(InvalidInput, match="phone"):
            normalize_identity_value(IdentityKind.PHONE, "12")


class TestResolveContact:
    def test_a_verified_identity_finds_its_owner(self) -> None:
        first = resolve_contact(sender(("email", "jeanne@example.fr", True), name="Jeanne"))

        again = resolve_contact(sender(("email", "JEANNE@example.fr", True)))

        assert again == first
        assert Contact.objects.count() == 1

    def test_a_new_verified_identity_attaches_to_the_contact_of_the_known_one(self) -> None:
        contact = resolve_contact(sender(("email", "jeanne@example.fr", True)))

        same = resolve_contact(sender(("email", "jeanne@example.fr", True),
                                      ("phone", "0612345678", True)))

        assert same == contact
        assert set(contact.identities.values_list("kind", "value")) == {
            ("email", "jeanne@example.fr"), ("phone", "+33612345678")
        }

    def test_an_sms_and_a_whatsapp_message_from_one_number_meet_through_the_phone(self) -> None:
        by_sms = resolve_contact(sender(("phone", "+33612345678", True)))

        by_whatsapp = resolve_contact(sender(("whatsapp", "whatsapp:+33612345678", True),
                                             ("phone", "+33612345678", True)))

        assert by_whatsapp == by_sms

    def test_an_unverified_claim_never_attaches_to_an_existing_contact(self) -> None:
        owner = resolve_contact(sender(("email", "jeanne@example.fr", True), name="Jeanne"))

        claimant = resolve_contact(sender(("email", "jeanne@example.fr", False), name="Jeanne"))

        assert claimant != owner
        suggestion = MergeSuggestion.objects.get()
        assert {suggestion.contact, suggestion.candidate} == {owner, claimant}
        assert MergeSuggestion.objects.get().status == "open"

    def test_verified_identities_of_two_contacts_suggest_a_merge_instead_of_merging(self) -> None:
        by_mail = resolve_contact(sender(("email", "jeanne@example.fr", True)))
        by_phone = resolve_contact(sender(("phone", "+33612345678", True)))

        both = resolve_contact(sender(("email", "jeanne@example.fr", True),
                                      ("phone", "+33612345678", True)))

        assert both == by_mail
        assert Identity.objects.get(value="+33612345678").contact == by_phone
        assert MergeSuggestion.objects.filter(contact=by_mail, candidate=by_phone).exists()

    def test_a_sender_without_identity_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="no identity"):
            resolve_contact(Sender([], "Anonyme"))


class TestMerge:
    def test_undo_restores_both_contacts_exactly(self, api_inbox: Inbox, admin: User) -> None:
        AttributeDefinition.objects.create(key="segment", label="Segment", type="text")
        a_ids = ingest(api_inbox, inbound("a-1", email="jeanne@example.fr", name="Jeanne"))
        b_ids = ingest(api_inbox, inbound("b-1", email=None, phone="+33612345678", name="J. Martin"))
        target = Contact.objects.get(pk=a_ids.contact_id)
        source = Contact.objects.get(pk=b_ids.contact_id)
        source.attributes = {"segment": "pro"}
        source.value_tier = "gold"
        source.save()
        before = {
            c.pk: (c.name, c.attributes, c.value_tier,
                   sorted(c.identities.values_list("pk", flat=True)),
                   sorted(Conversation.objects.filter(contact=c).values_list("pk", flat=True)))
            for c in (target, source)
        }

        merge = merge_contacts(target, source, actor=admin)
        target.refresh_from_db()
        assert target.identities.count() == 2
        assert Conversation.objects.filter(contact=target).count() == 2
        assert target.attributes == {"segment": "pro"}
        assert target.value_tier == "gold"

        unmerge_contacts(merge, actor=admin)

        after = {
            c.pk: (c.name, c.attributes, c.value_tier,
                   sorted(c.identities.values_list("pk", flat=True)),
                   sorted(Conversation.objects.filter(contact=c).values_list("pk", flat=True)))
            for c in Contact.objects.filter(pk__in=[target.pk, source.pk])
        }
        assert after == before
        assert Contact.objects.get(pk=source.pk).merged_into is None
        assert list(AuditLogEntry.objects.values_list("action", flat=True).order_by("pk")) == [
            "contact.merged", "contact.unmerged"
        ]

    def test_a_merge_cannot_be_undone_twice(self, admin: User) -> None:
        a = resolve_contact(sender(("email", "a@example.fr", True)))
        b = resolve_contact(sender(("email", "b@example.fr", True)))
        merge = merge_contacts(a, b, actor=admin)
        unmerge_contacts(merge, actor=admin)

        with pytest.raises(Conflict):
            unmerge_contacts(merge, actor=admin)

    def test_a_merged_contact_is_still_found_by_its_moved_identities(self, admin: User) -> None:
        a = resolve_contact(sender(("email", "a@example.fr", True)))
        b = resolve_contact(sender(("email", "b@example.fr", True)))
        merge_contacts(a, b, actor=admin)

        assert resolve_contact(sender(("email", "b@example.fr", True))) == a


class TestAttributes:
    @pytest.fixture(autouse=True)
    def schema(self, db: Any) -> None:
        AttributeDefinition.objects.create(key="numero_client", label="N° client", type="text",
                                           is_required=True)
        AttributeDefinition.objects.create(key="segment", label="Segment", type="choice",
                                           choices=["particulier", "professionnel"])
        AttributeDefinition.objects.create(key="commandes", label="Commandes", type="number")

    def test_values_are_checked_and_coerced_against_the_schema(self, admin: User) -> None:
        contact = Contact.objects.create(name="Jeanne")

        update_contact_attributes(
            contact, {"numero_client": "C-42", "segment": "professionnel", "commandes": "3"},
            actor=admin,
        )

        contact.refresh_from_db()
        assert contact.attributes == {"numero_client": "C-42", "segment": "professionnel",
                                      "commandes": 3}

    @pytest.mark.parametrize(
        ("values", "reason"),
        [
            ({"numero_client": "C-1", "segment": "vip"}, "must be one of"),
            ({"numero_client": "C-1", "commandes": "beaucoup"}, "must be a number"),
            ({"numero_client": "C-1", "couleur": "bleu"}, "Unknown attribute"),
            ({"segment": "particulier"}, "required"),
        ],
    )
    def test_invalid_values_are_refused_with_a_reason(
        self, admin: User, values: dict[str, Any], reason: str
    ) -> None:
        contact = Contact.objects.create(name="Jeanne")

        with pytest.raises(InvalidInput, match=reason):
            update_contact_attributes(contact, values, actor=admin)
        contact.refresh_from_db()
        assert contact.attributes == {}


class TestOneClickMerge:
    def _suggested_pair(self, api_inbox: Inbox) -> tuple[Contact, Contact, MergeSuggestion]:
        # The same address claimed unverified by a second sender: a suggestion, no merge.
        first = ingest(api_inbox, inbound("a", email="jeanne@example.fr", name="Jeanne"))
        second = ingest(api_inbox, inbound("b", email="jeanne@example.fr", name="J. Martin",
                                           phone="+33612345678", verified=False))
        suggestion = MergeSuggestion.objects.get()
        return (Contact.objects.get(pk=first.contact_id),
                Contact.objects.get(pk=second.contact_id), suggestion)

    def test_the_contact_on_screen_is_kept_and_the_other_moves_into_it(
        self, api_inbox: Inbox, agent: User
    ) -> None:
        kept, other, suggestion = self._suggested_pair(api_inbox)

        merge = merge_suggested_contacts(agent, suggestion.pk, keep_contact_id=other.pk)

        assert (merge.target_id, merge.source_id) == (other.pk, kept.pk)
        assert set(Conversation.objects.values_list("contact", flat=True)) == {other.pk}
        suggestion.refresh_from_db()
        assert suggestion.status == "accepted"

    def test_undo_by_the_merging_agent_restores_both_contacts(
        self, api_inbox: Inbox, agent: User
    ) -> None:
        kept, _, suggestion = self._suggested_pair(api_inbox)
        before = {c.pk: (c.name, c.attributes, c.value_tier, c.company_id, c.merged_into_id)
                  for c in Contact.objects.all()}
        identities = dict(Identity.objects.values_list("pk", "contact"))
        conversations = dict(Conversation.objects.values_list("pk", "contact"))
        merge = merge_suggested_contacts(agent, suggestion.pk, keep_contact_id=kept.pk)

        undo_merge(agent, merge.pk)

        after = {c.pk: (c.name, c.attributes, c.value_tier, c.company_id, c.merged_into_id)
                 for c in Contact.objects.all()}
        assert after == before
        assert dict(Identity.objects.values_list("pk", "contact")) == identities
        assert dict(Conversation.objects.values_list("pk", "contact")) == conversations
        suggestion.refresh_from_db()
        assert suggestion.status == "open"  # offered again

    def test_only_the_merging_agent_or_a_supervisor_may_undo(
        self, api_inbox: Inbox, agent: User, other_agent: User, supervisor: User
    ) -> None:
        kept, _, suggestion = self._suggested_pair(api_inbox)
        merge = merge_suggested_contacts(agent, suggestion.pk, keep_contact_id=kept.pk)

        with pytest.raises(PermissionDenied):
            undo_merge(other_agent, merge.pk)
        undo_merge(supervisor, merge.pk)

        assert Contact.objects.filter(merged_into__isnull=False).count() == 0

    def test_a_suggestion_about_other_contacts_is_refused(
        self, api_inbox: Inbox, agent: User
    ) -> None:
        _, _, suggestion = self._suggested_pair(api_inbox)
        stranger = Contact.objects.create(name="Quelqu'un d'autre")

        with pytest.raises(InvalidInput):
            merge_suggested_contacts(agent, suggestion.pk, keep_contact_id=stranger.pk)
