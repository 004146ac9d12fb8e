"""The contacts page's queries: the list (search, filters, pages) and one contact's record.

Here rather than in contacts because a contact's row shows its conversations (how many are
open, when we last spoke) and filters by their labels, which are conversations' data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.contacts.actions import attribute_errors, phone_number_in
from omnicanal.contacts.models import (
    AttributeDefinition,
    Contact,
    ContactMerge,
    ContactNote,
    Identity,
    ValueTier,
)
from omnicanal.conversations.actions import visible_conversations
from omnicanal.conversations.models import Conversation, Status
from omnicanal.core.exceptions import NotFound

PAGE_SIZE = 50
QUERY_MAX_LENGTH = 200


def _id(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    tier: str = ""
    company: int | None = None
    label: int | None = None
    # A custom attribute and the value it must hold (as typed: coerced by its type).
    attribute: str = ""
    value: str = ""

    @classmethod
    def from_query(cls, data: Any) -> DirectoryFilters:
        tier = data.get("tier", "")
        return cls(
            query=str(data.get("q", "")).strip()[:QUERY_MAX_LENGTH],
            tier=tier if tier in ValueTier.values else "",
            company=_id(data.get("company")),
            label=_id(data.get("label")),
            attribute=str(data.get("attribute", "")).strip()[:50],
            value=str(data.get("value", "")).strip()[:QUERY_MAX_LENGTH],
        )

    @property
    def is_filtered(self) -> bool:
        return self != DirectoryFilters()


@dataclass(frozen=True)
class DirectoryPage:
    contacts: Sequence[Contact]
    number: int
    has_previous: bool
    has_next: bool
    total: int


def _matching(filters: DirectoryFilters, visible: QuerySet[Conversation]) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(merged_into__isnull=True)
    if filters.query:
        identity_q = Q(value__icontains=filters.query)
        phone = phone_number_in(filters.query)
        if phone:
            # "06 39 98 38 91" finds "+33639983891" (see contacts.actions.phone_number_in).
            identity_q |= Q(value=phone)
        contacts = contacts.filter(
            Q(name__icontains=filters.query)
            | Q(company__name__icontains=filters.query)
            | Exists(Identity.objects.filter(identity_q, contact=OuterRef("pk")))
        )
    if filters.tier:
        contacts = contacts.filter(value_tier=filters.tier)
    if filters.company:
        contacts = contacts.filter(company_id=filters.company)
    if filters.label:
        contacts = contacts.filter(
            Exists(visible.filter(contact=OuterRef("pk"), labels=filters.label))
        )
    if filters.attribute:
        if not AttributeDefinition.objects.filter(key=filters.attribute).exists():
            return contacts.none()
        if filters.value:
            cleaned, errors = attribute_errors({filters.attribute: filters.value})
            if errors:
                return contacts.none()
            contacts = contacts.filter(
                **{f"attributes__{filters.attribute}": cleaned[filters.attribute]}
            )
        else:
            contacts = contacts.filter(attributes__has_key=filters.attribute)
    return contacts


def contact_directory(user: User, filters: DirectoryFilters, page: int = 1) -> DirectoryPage:
    """One page of contacts (not merged away), most recently in touch first, each with its
    company, identities, open conversations and last conversation's time."""
    visible = visible_conversations(user)
    contacts = _matching(filters, visible)
    total = contacts.count()
    last_page = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), last_page)
    # Every active agent sees every conversation today: no subquery then (see
    # visible_conversations); one appears when inbox permissions narrow what an agent sees.
    seen = Q(conversations__pk__in=visible.values("pk")) if visible.query.has_filters() else Q()
    rows = list(
        contacts.select_related("company")
        .prefetch_related(Prefetch("identities", queryset=Identity.objects.order_by("pk")))
        .annotate(
            last_contact_at=Max("conversations__last_activity_at", filter=seen),
            open_count=Count(
                "conversations",
                filter=seen & ~Q(conversations__status=Status.RESOLVED)
                & Q(conversations__merged_into__isnull=True),
            ),
        )
        # Never-contacted last on every database (PostgreSQL puts NULL first when DESC).
        .order_by(F("last_contact_at").desc(nulls_last=True), "-pk")
        [(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    )
    return DirectoryPage(rows, page, page > 1, page < last_page, total)


@dataclass(frozen=True)
class ContactRecord:
    """Everything the contact's page shows."""

    contact: Contact
    identities: list[Identity]
    conversations: list[Conversation]
    notes: list[ContactNote]
    # Merges into this contact, newest first; those not undone can be.
    merges: list[ContactMerge]
    last_contact_at: dt.datetime | None


def contact_record(user: User, contact_id: int) -> ContactRecord:
    contact = Contact.objects.select_related("company", "merged_into").filter(
        pk=contact_id
    ).first()
    if contact is None:
        raise NotFound(_("No contact %(id)s."), id=contact_id)
    conversations = list(
        visible_conversations(user).filter(contact=contact)
        .select_related("inbox", "assignee")
        .prefetch_related("labels")
        .order_by("-last_activity_at", "-id")
    )
    return ContactRecord(
        contact=contact,
        identities=list(contact.identities.order_by("-is_verified", "kind", "value")),
        conversations=conversations,
        notes=list(ContactNote.objects.filter(contact=contact).select_related("author")),
        merges=list(
            ContactMerge.objects.filter(target=contact)
            .select_related("source", "merged_by")
            .order_by("-merged_at", "-id")
        ),
        last_contact_at=conversations[0].last_activity_at if conversations else None,
    )


def merge_candidates(contact: Contact, query: str, limit: int = 8) -> list[Contact]:
    """Other live contacts matching `query` (name, address, number in any form), for
    picking the one to merge into this one."""
    query = query.strip()[:QUERY_MAX_LENGTH]
    if not query:
        return []
    found = _matching(DirectoryFilters(query=query), Conversation.objects.none())
    return list(
        found.exclude(pk=contact.pk).prefetch_related("identities").order_by("name", "pk")[:limit]
    )
