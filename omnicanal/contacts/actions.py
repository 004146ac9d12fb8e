"""Contacts: identity resolution, merges and their undo, custom attributes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import User
from omnicanal.contacts.models import (
    AttributeDefinition,
    AttributeType,
    Company,
    Contact,
    ContactMerge,
    ContactNote,
    Identity,
    MergeSuggestion,
)
from omnicanal.contacts.senders import IdentityKind, Sender, SenderIdentity
from omnicanal.core.exceptions import (
    Conflict,
    InvalidField,
    InvalidInput,
    NotFound,
    PermissionDenied,
)


class IdentityRace(IntegrityError):
    """A concurrent transaction claimed a verified identity we were about to claim."""


def normalize_phone(value: str, region: str | None = None) -> str:
    """E.164, so that an SMS, a WhatsApp message and a call from one number meet. A number
    without a country code is read as `region`'s (default: the PHONE_DEFAULT_REGION
    setting)."""
    try:
        number = phonenumbers.parse(value, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            _("%(value)s is not a phone number: %(reason)s"), value=repr(value), reason=exc
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(_("%(value)s is not a possible phone number."), value=repr(value))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_identity_value(kind: IdentityKind | str, value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(_("The %(kind)s identity is empty."), kind=kind)
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as exc:
            raise InvalidInput(_("%(value)s is not an e-mail address."), value=repr(value)) from exc
        return value
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        return normalize_phone(value.removeprefix("whatsapp:"))
    return value


def _normalized(identities: Iterable[SenderIdentity]) -> list[SenderIdentity]:
    seen: set[tuple[str, str]] = set()
    result = []
    for identity in identities:
        kind = IdentityKind(identity.kind)
        value = normalize_identity_value(kind, identity.value)
        if (kind, value) not in seen:
            seen.add((kind, value))
            result.append(SenderIdentity(kind, value, identity.is_verified))
    return result


def suggest_merge(contact: Contact, candidate: Contact, reason: str) -> None:
    if contact.pk == candidate.pk:
        return
    first, second = sorted([contact, candidate], key=lambda c: c.pk)
    MergeSuggestion.objects.get_or_create(
        contact=first, candidate=second, defaults={"reason": reason[:200]}
    )


def resolve_contact(sender: Sender) -> Contact:
    """The contact this sender is, creating it or adding identities to it as needed.

    A verified identity that some contact already owns decides; several contacts owning the
    sender's verified identities become merge suggestions, never a silent merge. Unverified
    claims never attach to an existing contact: a matching value only makes a suggestion.
    Must run inside the caller's transaction; an IntegrityError here (a unique violation or
    an IdentityRace) means another transaction claimed the same verified identity first, and
    the caller retries the whole transaction.
    """
    identities = _normalized(sender.identities)
    if not identities:
        raise InvalidInput(_("The sender has no identity (e-mail, phone or external id)."))

    verified = [i for i in identities if i.is_verified]
    owners: list[Contact] = []
    if verified:
        matches = {
            (identity.kind, identity.value): identity.contact
            for identity in Identity.objects.select_related("contact").filter(
                is_verified=True, value__in=[i.value for i in verified]
            )
        }
        for identity in verified:
            owner = matches.get((identity.kind, identity.value))
            if owner is not None and owner not in owners:
                owners.append(_follow_merges(owner))

    if owners:
        contact = owners[0]
        for other in owners[1:]:
            suggest_merge(contact, other, "shares a verified identity with the same sender")
        if sender.name and not contact.name:
            contact.name = sender.name[:200]
            contact.save(update_fields=["name", "updated_at"])
    else:
        contact = Contact.objects.create(name=sender.name[:200])

    existing = set(contact.identities.values_list("kind", "value"))
    for identity in identities:
        if (identity.kind, identity.value) in existing:
            continue
        claimed_elsewhere = (
            Identity.objects.filter(kind=identity.kind, value=identity.value)
            .exclude(contact=contact)
            .select_related("contact")
        )
        verified_owner = next((i.contact for i in claimed_elsewhere if i.is_verified), None)
        if identity.is_verified and verified_owner is not None:
            if verified_owner in owners:
                continue  # its owner became a merge suggestion above
            # Another transaction committed this identity after our lookup: start over, so
            # that the sender lands on that contact instead of a second one.
            raise IdentityRace(f"{identity.kind} {identity.value} was claimed concurrently")
        for claim in claimed_elsewhere:
            suggest_merge(contact, claim.contact, f"same {identity.kind} {identity.value}")
        Identity.objects.create(
            contact=contact,
            kind=identity.kind,
            value=identity.value,
            is_verified=identity.is_verified,
        )
    return contact


def _follow_merges(contact: Contact) -> Contact:
    # Identities move on merge, so this only guards against a stale row read mid-merge.
    while contact.merged_into_id is not None:
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


@dataclass(frozen=True)
class ContactReferences:
    """Rows of an app above contacts that point at a contact and follow it through a merge
    (conversations). The app registers them when it starts; contacts never imports it.
    `move(source_id, target_id)` repoints them and returns the ids it moved, kept in the
    merge's snapshot under `name`; `restore(ids, source_id)` points them back on undo."""

    name: str
    move: Callable[[int, int], list[int]]
    restore: Callable[[list[int], int], None]


_contact_references: dict[str, ContactReferences] = {}


def register_contact_references(references: ContactReferences) -> None:
    """Call from an AppConfig.ready()."""
    _contact_references[references.name] = references


def merge_contacts(target: Contact, source: Contact, *, actor: User | None) -> ContactMerge:
    """Move the source's identities and conversations onto the target, recorded for undo."""
    if target.pk == source.pk:
        raise InvalidInput(_("A contact cannot be merged into itself."))
    with transaction.atomic():
        target, source = (
            Contact.objects.select_for_update().get(pk=target.pk),
            Contact.objects.select_for_update().get(pk=source.pk),
        )
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise Conflict(_("One of these contacts was already merged."))
        identity_ids, parked_ids = _identities_to_move(target, source)
        snapshot: dict[str, Any] = {
            "identity_ids": identity_ids,
            "parked_identity_ids": parked_ids,
            "target_before": {
                "name": target.name,
                "attributes": target.attributes,
                "value_tier": target.value_tier,
                "company_id": target.company_id,
            },
        }
        # Swapped in one statement each: the target's duplicates park on the source
        # (merged away, never shown), so the target lists every address once.
        Identity.objects.filter(pk__in=parked_ids).update(contact=source)
        Identity.objects.filter(pk__in=identity_ids).update(contact=target)
        for references in _contact_references.values():
            snapshot[references.name] = references.move(source.pk, target.pk)
        target.name = target.name or source.name
        target.attributes = {**source.attributes, **target.attributes}
        target.company_id = target.company_id or source.company_id
        if source.value_tier != target.value_tier and source.value_tier != "standard":
            target.value_tier = source.value_tier
        target.save(update_fields=["name", "attributes", "company", "value_tier", "updated_at"])
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        MergeSuggestion.objects.filter(
            contact__in=[target, source], candidate__in=[target, source]
        ).update(status=MergeSuggestion.Status.ACCEPTED)
        merge = ContactMerge.objects.create(
            target=target, source=source, snapshot=snapshot, merged_by=actor
        )
        record_audit(actor, "contact.merged", target, source_id=source.pk)
    return merge


def _identities_to_move(target: Contact, source: Contact) -> tuple[list[int], list[int]]:
    """Which of the source's identities move onto the target, and which of the target's
    step aside onto the source, so that the merged contact holds each (kind, value) once.

    A value both hold stays where it is, unless only the source's copy is verified: then
    the verified one moves and the target's unverified copy parks on the source (a
    verified value may exist once, so the target's copy cannot just become verified)."""
    held = {(i.kind, i.value): i for i in target.identities.all()}
    moved: list[int] = []
    parked: list[int] = []
    for identity in source.identities.order_by("-is_verified", "pk"):
        twin = held.get((identity.kind, identity.value))
        if twin is None:
            moved.append(identity.pk)
            held[(identity.kind, identity.value)] = identity
        elif identity.is_verified and not twin.is_verified:
            moved.append(identity.pk)
            parked.append(twin.pk)
            held[(identity.kind, identity.value)] = identity
    return moved, parked


def unmerge_contacts(merge: ContactMerge, *, actor: User | None) -> Contact:
    """Restore both contacts exactly as they were before `merge`; returns the source."""
    with transaction.atomic():
        merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise Conflict(_("This merge was already undone."))
        snapshot = merge.snapshot
        target = Contact.objects.select_for_update().get(pk=merge.target_id)
        source = Contact.objects.select_for_update().get(pk=merge.source_id)
        Identity.objects.filter(pk__in=snapshot["identity_ids"]).update(contact=source)
        Identity.objects.filter(pk__in=snapshot.get("parked_identity_ids") or []).update(
            contact=target
        )
        for references in _contact_references.values():
            references.restore(snapshot.get(references.name) or [], source.pk)
        before = snapshot["target_before"]
        target.name = before["name"]
        target.attributes = before["attributes"]
        target.value_tier = before["value_tier"]
        target.company_id = before["company_id"]
        target.save(update_fields=["name", "attributes", "value_tier", "company", "updated_at"])
        source.merged_into = None
        source.save(update_fields=["merged_into", "updated_at"])
        MergeSuggestion.objects.filter(
            contact__in=[target, source], candidate__in=[target, source]
        ).update(status=MergeSuggestion.Status.OPEN)
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
        record_audit(actor, "contact.unmerged", target, source_id=source.pk)
    return source


def validate_attributes(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check and coerce attribute values against the administrator's schema."""
    definitions = {d.key: d for d in AttributeDefinition.objects.all()}
    unknown = sorted(set(values) - set(definitions))
    if unknown:
        raise InvalidInput(_("Unknown attribute(s): %(keys)s."), keys=", ".join(unknown))
    cleaned: dict[str, Any] = {}
    for key, definition in definitions.items():
        if key not in values or values[key] in (None, ""):
            if definition.is_required and not partial:
                raise InvalidInput(_("The attribute %(key)s is required."), key=repr(key))
            continue
        cleaned[key] = _coerce_attribute(definition, values[key])
    return cleaned


def _coerce_attribute(definition: AttributeDefinition, value: Any) -> Any:
    key = definition.key
    match definition.type:
        case AttributeType.TEXT:
            return str(value)[:1000]
        case AttributeType.NUMBER:
            try:
                number = Decimal(str(value))
            except InvalidOperation as exc:
                raise InvalidInput(
                    _("The attribute %(key)s must be a number."), key=repr(key)
                ) from exc
            return int(number) if number == number.to_integral_value() else float(number)
        case AttributeType.BOOLEAN:
            if isinstance(value, bool):
                return value
            if str(value).lower() in {"true", "1", "yes", "oui"}:
                return True
            if str(value).lower() in {"false", "0", "no", "non"}:
                return False
            raise InvalidInput(_("The attribute %(key)s must be yes or no."), key=repr(key))
        case AttributeType.DATE:
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError as exc:
                raise InvalidInput(
                    _("The attribute %(key)s must be a date (YYYY-MM-DD)."), key=repr(key)
                ) from exc
        case AttributeType.CHOICE:
            if value not in definition.choices:
                allowed = ", ".join(map(str, definition.choices))
                raise InvalidInput(
                    _("The attribute %(key)s must be one of: %(allowed)s."),
                    key=repr(key), allowed=allowed,
                )
            return value
    raise InvalidInput(_("The attribute %(key)s has an unknown type."), key=repr(key))


def update_contact_attributes(
    contact: Contact, values: Mapping[str, Any], *, actor: User | None
) -> Contact:
    cleaned = validate_attributes(values, partial=True)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        merged = {**contact.attributes, **cleaned}
        for key, value in values.items():
            if value in (None, ""):
                merged.pop(key, None)
        validate_attributes(merged)
        contact.attributes = merged
        contact.save(update_fields=["attributes", "updated_at"])
    return contact


def merge_suggested_contacts(
    user: User, suggestion_id: int, *, keep_contact_id: int
) -> ContactMerge:
    """The one-click merge of an open suggestion, from the contact panel.

    The contact the agent is looking at (`keep_contact_id`) stays: the other one's identities
    and conversations move onto it, so the page they are on keeps making sense. Undone by
    `undo_merge`.
    """
    if not user.is_active:
        raise PermissionDenied(_("Only an active agent can merge contacts."))
    suggestion = MergeSuggestion.objects.filter(
        pk=suggestion_id, status=MergeSuggestion.Status.OPEN
    ).first()
    if suggestion is None:
        raise NotFound(_("No open merge suggestion %(id)s."), id=suggestion_id)
    pair = {
        suggestion.contact_id: suggestion.contact,
        suggestion.candidate_id: suggestion.candidate,
    }
    if keep_contact_id not in pair:
        raise InvalidInput(_("This suggestion does not concern this contact."))
    (other_id,) = set(pair) - {keep_contact_id}
    return merge_contacts(pair[keep_contact_id], pair[other_id], actor=user)


def may_undo_merge(user: User, merge: ContactMerge) -> bool:
    """The agent who merged, or a supervisor (the contact panel asks it too)."""
    return user.is_active and (merge.merged_by_id == user.pk or user.is_supervisor_or_above)


def undo_merge(user: User, merge_id: int) -> Contact:
    """Undo a merge: the agent who made it, or a supervisor, may; returns the restored
    (source) contact."""
    merge = ContactMerge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise NotFound(_("No merge %(id)s."), id=merge_id)
    if not may_undo_merge(user, merge):
        raise PermissionDenied(_("Only the agent who merged or a supervisor can undo a merge."))
    return unmerge_contacts(merge, actor=user)


def mark_identity_undeliverable(contact_id: int, kind: IdentityKind | str, value: str) -> bool:
    """Stop replies to one of a contact's addresses (a hard bounce said it does not exist).
    Only that contact's identity changes: a forged report naming anyone else's address
    silences nobody. True when it was deliverable until now."""
    changed = Identity.objects.filter(
        contact_id=contact_id, kind=kind, value=value, is_undeliverable=False
    ).update(is_undeliverable=True)
    return changed > 0


# The contact's page: phone-like queries, edits, identities, notes, a manual merge.

# What a person types for a phone number: digits with spaces, dots, dashes, slashes,
# brackets, perhaps a leading + (and at least six digits, so a year or an order number
# is not read as one).
_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-/()]+$")
MIN_PHONE_DIGITS = 6


def phone_number_in(text: str) -> str | None:
    """The E.164 form of `text` when it reads as a phone number ("06 39 98 38 91",
    "+33 6 39…", "0033639983891"), national forms in the PHONE_DEFAULT_REGION; else None."""
    text = text.strip()
    if not _PHONE_LIKE.match(text) or sum(c.isdigit() for c in text) < MIN_PHONE_DIGITS:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        return normalize_phone(text)
    except InvalidInput:
        return None


class ContactFormErrors(InvalidInput):
    """Several fields refused at once, each with its reason (`errors`: field name →
    message), so that a form shows every one beside its field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(_("Some fields need a correction."))
        self.errors = dict(errors)


NAME_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 10_000


def _active_agent(actor: User) -> None:
    if not actor.is_active:
        raise PermissionDenied(_("Only an active agent can change a contact."))


def _live_contact(contact_id: int, *, lock: bool = False) -> Contact:
    queryset = Contact.objects.select_for_update() if lock else Contact.objects.all()
    contact = queryset.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(_("No contact %(id)s."), id=contact_id)
    if contact.merged_into_id is not None:
        raise Conflict(_("This contact was merged into another one; edit that one."))
    return contact


def attribute_errors(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Each attribute checked alone against its definition: the cleaned values, and a
    reason per refused key (an empty value removes the attribute, unless required)."""
    definitions = {d.key: d for d in AttributeDefinition.objects.all()}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[key] = str(_("This attribute does not exist (any more)."))
        elif value in (None, ""):
            if definition.is_required:
                errors[key] = str(_("Required."))
        else:
            try:
                cleaned[key] = _coerce_attribute(definition, value)
            except InvalidInput as exc:
                errors[key] = exc.message
    return cleaned, errors


def update_contact(
    actor: User, contact_id: int, *, name: str, company: str,
    attributes: Mapping[str, Any],
) -> Contact:
    """Save the contact's page form: its name, its company (by name, created when new; empty:
    none) and its custom attributes, each checked against its definition. Every refusal is
    raised at once (`ContactFormErrors`, keyed "name", "company", "attribute-<key>")."""
    _active_agent(actor)
    name = " ".join(name.split())
    company = " ".join(company.split())
    cleaned, refused = attribute_errors(attributes)
    errors = {f"attribute-{key}": reason for key, reason in refused.items()}
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = str(_("At most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH})
    if len(company) > NAME_MAX_LENGTH:
        errors["company"] = str(_("At most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH})
    if errors:
        raise ContactFormErrors(errors)
    with transaction.atomic():
        contact = _live_contact(contact_id, lock=True)
        kept = {k: v for k, v in contact.attributes.items() if k not in attributes}
        changes: dict[str, Any] = {}
        new_attributes = {**kept, **cleaned}
        if new_attributes != contact.attributes:
            # The keys only: values may be personal data the audit log has no need of.
            changes["attributes"] = sorted(
                k for k in {*contact.attributes, *new_attributes}
                if contact.attributes.get(k) != new_attributes.get(k)
            )
            contact.attributes = new_attributes
        if name != contact.name:
            changes["name"] = [contact.name, name]
            contact.name = name
        company_row = Company.objects.get_or_create(name=company)[0] if company else None
        if (company_row.pk if company_row else None) != contact.company_id:
            changes["company"] = [
                contact.company.name if contact.company else "", company
            ]
            contact.company = company_row
        if changes:
            contact.save(update_fields=["name", "company", "attributes", "updated_at"])
            record_audit(actor, "contact.updated", contact, **changes)
    return contact


def add_identity(actor: User, contact_id: int, kind: str, value: str) -> Identity:
    """An address or number an agent adds to the contact, normalised (e-mail in lower case,
    phone in E.164). Unverified: the customer has not written from it. A value another
    contact verifiably owns is refused (it is that customer's); one another contact merely
    claims becomes a merge suggestion."""
    _active_agent(actor)
    if kind not in (IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.WHATSAPP):
        raise InvalidField("kind", _("Choose e-mail, phone or WhatsApp."))
    try:
        value = normalize_identity_value(kind, value)
    except InvalidInput as exc:
        raise InvalidField("value", exc.message) from exc
    with transaction.atomic():
        contact = _live_contact(contact_id, lock=True)
        if contact.identities.filter(kind=kind, value=value).exists():
            raise InvalidField("value", _("The contact already has this one."))
        others = Identity.objects.filter(kind=kind, value=value).exclude(contact=contact)
        owner = next((i.contact for i in others.select_related("contact") if i.is_verified),
                     None)
        if owner is not None:
            raise InvalidField(
                "value", _("This belongs to another contact (%(name)s): merge them instead."),
                name=owner.display_name,
            )
        for claim in others.select_related("contact"):
            suggest_merge(contact, claim.contact, f"same {kind} {value}")
        identity = Identity.objects.create(contact=contact, kind=kind, value=value)
        record_audit(actor, "contact.identity_added", contact, kind=kind, value=value)
    return identity


def remove_identity(actor: User, contact_id: int, identity_id: int) -> None:
    _active_agent(actor)
    with transaction.atomic():
        contact = _live_contact(contact_id, lock=True)
        identity = contact.identities.filter(pk=identity_id).first()
        if identity is None:
            raise NotFound(_("No such address on this contact."))
        identity.delete()
        record_audit(actor, "contact.identity_removed", contact, kind=identity.kind,
                     value=identity.value)


def add_contact_note(actor: User, contact_id: int, text: str) -> ContactNote:
    _active_agent(actor)
    text = text.strip()
    if not text:
        raise InvalidField("text", _("The note is empty."))
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidField("text", _("At most %(limit)s characters."), limit=NOTE_MAX_LENGTH)
    contact = _live_contact(contact_id)
    return ContactNote.objects.create(contact=contact, author=actor, text=text)


@dataclass(frozen=True)
class AttributeConflict:
    key: str
    kept: Any
    dropped: Any


@dataclass(frozen=True)
class MergePreview:
    """What `merge_contacts(keep, other)` would do, for the agent to confirm: the name and
    company kept, the other's identities that move (and those already held, which do
    not), the attributes added and those both hold with different values (the kept
    contact's value wins)."""

    keep: Contact
    other: Contact
    name: str
    company: Company | None
    moving_identities: list[Identity]
    duplicate_identities: list[Identity]
    added_attributes: dict[str, Any]
    conflicts: list[AttributeConflict]


def merge_preview(keep_id: int, other_id: int) -> MergePreview:
    if keep_id == other_id:
        raise InvalidInput(_("A contact cannot be merged into itself."))
    keep, other = _live_contact(keep_id), _live_contact(other_id)
    moved, _parked = _identities_to_move(keep, other)
    identities = list(other.identities.order_by("kind", "value"))
    return MergePreview(
        keep=keep,
        other=other,
        name=keep.name or other.name,
        company=keep.company or other.company,
        moving_identities=[i for i in identities if i.pk in moved],
        duplicate_identities=[i for i in identities if i.pk not in moved],
        added_attributes={k: v for k, v in other.attributes.items() if k not in keep.attributes},
        conflicts=[
            AttributeConflict(key, keep.attributes[key], value)
            for key, value in sorted(other.attributes.items())
            if key in keep.attributes and keep.attributes[key] != value
        ],
    )


def merge_chosen_contacts(actor: User, keep_id: int, other_id: int) -> ContactMerge:
    """The manual merge from the contact's page: `other` moves into `keep` (undone by
    `undo_merge`)."""
    if not actor.is_active:
        raise PermissionDenied(_("Only an active agent can merge contacts."))
    keep, other = _live_contact(keep_id), _live_contact(other_id)
    return merge_contacts(keep, other, actor=actor)
