"""Labels as supervisors curate them: names, colours, and deleting one (audit-logged).

Creating a label is `actions.create_label` (the workspace creates one when a supervisor types a
new name); renaming, recolouring and deleting are here.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import User
from omnicanal.conversations import permissions
from omnicanal.conversations.models import Label
from omnicanal.core.exceptions import InvalidField

LABEL_NAME_MAX_LENGTH = 50
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

# Dots on a white chip: each has at least 3:1 contrast with white (WCAG 1.4.11, graphics).
PALETTE = (
    ("#1f6feb", _("Blue")),
    ("#0e7c86", _("Teal")),
    ("#1a7f37", _("Green")),
    ("#9a6700", _("Amber")),
    ("#bc4c00", _("Orange")),
    ("#cf222e", _("Red")),
    ("#bf3989", _("Pink")),
    ("#8250df", _("Purple")),
    ("#0a3069", _("Navy")),
    ("#57606a", _("Grey")),
)


def clean_label_name(name: str, *, label: Label | None = None, exists_ok: bool = False) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidField("name", _("The label is empty."))
    if len(name) > LABEL_NAME_MAX_LENGTH:
        raise InvalidField(
            "name", _("A label is at most %(limit)s characters long."), limit=LABEL_NAME_MAX_LENGTH
        )
    if not exists_ok:
        others = Label.objects.filter(name__iexact=name)
        if label is not None:
            others = others.exclude(pk=label.pk)
        if others.exists():
            raise InvalidField("name", _("A label is already called “%(name)s”."), name=name)
    return name


def clean_color(color: str) -> str:
    """#rrggbb in lower case, or empty for no colour."""
    color = color.strip()
    if not color:
        return ""
    if not HEX_COLOR.match(color):
        raise InvalidField("custom_color", _("A colour is written #rrggbb, for example #1f6feb."))
    return color.lower()


def labels_with_usage() -> QuerySet[Label]:
    return Label.objects.annotate(usage=Count("conversations")).order_by("name")


def update_label(actor: User, label: Label, *, name: str, color: str) -> Label:
    """Rename or recolour a label: the conversations that carry it show the new name."""
    permissions.check_may_manage_labels(actor)
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        name = clean_label_name(name, label=label)
        color = clean_color(color)
        data: dict[str, object] = {}
        if name != label.name:
            data["name"] = [label.name, name]
        if color != label.color:
            data["color"] = [label.color, color]
        if data:
            label.name, label.color = name, color
            label.save(update_fields=["name", "color"])
            record_audit(actor, "label.updated", label, **data)
    return label


def delete_label(actor: User, label: Label) -> int:
    """Delete the label: it is taken off every conversation (no timeline line is written in
    each of them; the audit entry records how many). Returns that number."""
    permissions.check_may_manage_labels(actor)
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        count = label.conversations.count()
        record_audit(actor, "label.deleted", label, name=label.name, conversations=count)
        label.delete()
    return count
