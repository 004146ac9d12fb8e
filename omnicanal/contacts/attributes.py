"""The custom-attribute schema for contacts, as administrators edit it (audit-logged).

The values themselves are checked by `actions.validate_attributes`, which refuses a key the
schema does not know and a value its type or choices do not allow, and which
`update_contact_attributes` runs on the whole set of a contact's values. Hence the rules here:
- the key and the type are fixed once created: the values stored under the key were coerced
  to that type, and another type would make every contact holding one impossible to edit;
- a choice that contacts hold cannot be removed, for the same reason;
- deleting an attribute removes its values from every contact: kept, they would be hidden data
  the panel shows under a raw key, and `validate_attributes` would refuse every later edit of
  those contacts' attributes as "unknown". The audit entry records how many contacts lost one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.contacts.models import AttributeDefinition, AttributeType, Contact
from omnicanal.core.exceptions import InvalidField

# Lower-case letters, digits and single underscores: the key is also an API field name.
KEY = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
KEY_MAX_LENGTH = 50
LABEL_MAX_LENGTH = 100
CHOICE_MAX_LENGTH = 100
MAX_CHOICES = 100


def _clean_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise InvalidField("label", _("An attribute needs a label."))
    if len(label) > LABEL_MAX_LENGTH:
        raise InvalidField("label", _("A label is at most %(limit)s characters long."),
                         limit=LABEL_MAX_LENGTH)
    return label


def _clean_choices(type_: str, choices: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for choice in choices:
        choice = " ".join(choice.split())
        if choice and choice not in cleaned:
            cleaned.append(choice)
    if type_ != AttributeType.CHOICE:
        if cleaned:
            raise InvalidField("choices", _("Only an attribute of type “Choice” has choices."))
        return []
    if not cleaned:
        raise InvalidField("choices", _("Give at least one choice, one per line."))
    if len(cleaned) > MAX_CHOICES:
        raise InvalidField("choices", _("At most %(limit)s choices."), limit=MAX_CHOICES)
    too_long = [choice for choice in cleaned if len(choice) > CHOICE_MAX_LENGTH]
    if too_long:
        raise InvalidField("choices", _("A choice is at most %(limit)s characters long."),
                         limit=CHOICE_MAX_LENGTH)
    return cleaned


def contacts_holding(key: str) -> int:
    return Contact.objects.filter(attributes__has_key=key).count()


def value_counts(key: str) -> dict[object, int]:
    """How many contacts hold each value of the attribute."""
    counts: dict[object, int] = {}
    for attributes in Contact.objects.filter(attributes__has_key=key).values_list(
        "attributes", flat=True
    ).iterator():
        value = attributes.get(key)
        if isinstance(value, (str, int, float, bool)):
            counts[value] = counts.get(value, 0) + 1
    return counts


def create_attribute(
    actor: User, *, key: str, label: str, type_: str, choices: Iterable[str] = (),
    is_required: bool = False,
) -> AttributeDefinition:
    require_administrator(actor)
    key = key.strip()
    if not KEY.match(key) or len(key) > KEY_MAX_LENGTH:
        raise InvalidField("key", _("Lower-case letters, digits and single underscores, starting "
                                  "with a letter (%(limit)s at most), e.g. customer_number."),
                         limit=KEY_MAX_LENGTH)
    if type_ not in AttributeType.values:
        raise InvalidField("type", _("This type does not exist."))
    label = _clean_label(label)
    cleaned_choices = _clean_choices(type_, choices)
    with transaction.atomic():
        if AttributeDefinition.objects.filter(key=key).exists():
            raise InvalidField("key", _("An attribute already has the key “%(key)s”."), key=key)
        definition = AttributeDefinition.objects.create(
            key=key, label=label, type=type_, choices=cleaned_choices, is_required=is_required,
        )
        record_audit(actor, "contact_attribute.created", definition, key=key, label=label,
                     type=type_, choices=cleaned_choices, is_required=is_required)
    return definition


def update_attribute(
    actor: User, definition: AttributeDefinition, *, label: str, choices: Iterable[str] = (),
    is_required: bool = False,
) -> AttributeDefinition:
    """Change the label, the choices and whether a value is required (key and type stay)."""
    require_administrator(actor)
    label = _clean_label(label)
    with transaction.atomic():
        definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
        cleaned_choices = _clean_choices(definition.type, choices)
        removed = [choice for choice in definition.choices if choice not in cleaned_choices]
        if removed:
            held = {value: count for value, count in value_counts(definition.key).items()
                    if value in removed}
            if held:
                raise InvalidField(
                    "choices",
                    _("Contacts still hold these choices, so they cannot be removed: %(choices)s."),
                    choices=", ".join(f"{value} ({count})" for value, count in held.items()),
                )
        data: dict[str, object] = {}
        for field, value in (("label", label), ("choices", cleaned_choices),
                             ("is_required", is_required)):
            if getattr(definition, field) != value:
                data[field] = [getattr(definition, field), value]
                setattr(definition, field, value)
        if data:
            definition.save(update_fields=list(data))
            record_audit(actor, "contact_attribute.updated", definition,
                         key=definition.key, **data)
    return definition


def delete_attribute(actor: User, definition: AttributeDefinition) -> int:
    """Delete the attribute and its values on every contact; returns how many contacts held
    one. See the module's docstring for why the values go too."""
    require_administrator(actor)
    with transaction.atomic():
        definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
        holders = list(
            Contact.objects.select_for_update().filter(attributes__has_key=definition.key)
        )
        for contact in holders:
            contact.attributes.pop(definition.key, None)
            contact.save(update_fields=["attributes", "updated_at"])
        record_audit(actor, "contact_attribute.deleted", definition, key=definition.key,
                     label=definition.label, contacts=len(holders))
        definition.delete()
    return len(holders)
