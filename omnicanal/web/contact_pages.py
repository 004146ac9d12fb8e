"""The contacts pages: the list, a contact's record (edit, identities, notes, merges) and
starting a conversation with a contact. Wiring only: the queries are in
`conversations.contact_directory`, the writes in `contacts.actions` and
`connectors.outreach`.

A plain POST redirects back to the contact's page with a flash message (a reload never posts
twice); a refused form is rendered again with each reason beside its field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.connectors import outreach
from omnicanal.contacts import actions as contact_actions
from omnicanal.contacts.models import AttributeDefinition, Company, ValueTier
from omnicanal.contacts.naming import distinct_identities
from omnicanal.contacts.senders import IdentityKind
from omnicanal.conversations.contact_directory import (
    DirectoryFilters,
    contact_directory,
    contact_record,
    merge_candidates,
)
from omnicanal.conversations.models import Label
from omnicanal.conversations.queries import contact_conversations
from omnicanal.core.exceptions import DomainError, InvalidField, NotFound

# The identity kinds an agent may add by hand: those a person can type and we can reach.
ADDABLE_KINDS = (IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.WHATSAPP)


def _contact_url(contact_id: int, anchor: str = "") -> str:
    url = reverse("web:contact", args=[contact_id])
    return f"{url}#{anchor}" if anchor else url


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 6 else 1


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@require_GET
@agent_required
def contact_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every contact, most recently in touch first, searched and filtered; an htmx request
    (typing in the search box) gets the table alone."""
    filters = DirectoryFilters.from_query(request.GET)
    page = contact_directory(
        request_agent(request), filters, _page_number(request.GET.get("page", ""))
    )
    query = {key: str(value) for key, value in request.GET.items() if key != "page" and value}
    context = {
        "section": "contacts",
        "filters": filters,
        "page": page,
        "rows": [(contact, distinct_identities(contact.identities.all())[:2])
                 for contact in page.contacts],
        "query_string": urlencode(query),
        "tiers": ValueTier.choices,
        "companies": list(Company.objects.order_by("name")[:500]),
        "labels": list(Label.objects.order_by("name")),
        "definitions": list(AttributeDefinition.objects.all()),
    }
    if request.htmx and request.htmx.target == "contact-results":
        return render(request, "web/contacts/_results.html", context)
    return render(request, "web/contacts/list.html", context)


def _record_context(request: HtmxHttpRequest, contact_id: int, **extra: Any) -> dict[str, Any]:
    agent = request_agent(request)
    record = contact_record(agent, contact_id)
    definitions = list(AttributeDefinition.objects.all())
    values = record.contact.attributes
    submitted = extra.pop("submitted", None)
    return {
        "section": "contacts",
        "record": record,
        "contact": record.contact,
        "identities": distinct_identities(record.identities),
        "attribute_fields": [
            {
                "definition": d,
                "value": submitted.get(f"attribute-{d.key}", "") if submitted is not None
                else _shown_value(values.get(d.key)),
            }
            for d in definitions
        ],
        "unknown_attributes": {k: v for k, v in values.items()
                               if k not in {d.key for d in definitions}},
        "form": {},
        "errors": {},
        "addable_kinds": [kind.value for kind in ADDABLE_KINDS],
        "undoable_ids": {
            merge.pk for merge in record.merges
            if merge.undone_at is None and contact_actions.may_undo_merge(agent, merge)
        },
        **extra,
    }


def _shown_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@require_GET
@agent_required
def contact_detail(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    context = _record_context(request, contact_id)
    contact = context["contact"]
    if contact.merged_into_id is not None:
        # Its identities and conversations live on the other contact now.
        messages.info(request, gettext("This contact was merged into another one."))
        return HttpResponseRedirect(_contact_url(contact.merged_into_id))
    return render(request, "web/contacts/detail.html", context)


def _refused(
    request: HtmxHttpRequest, contact_id: int, exc: DomainError, *, form: str,
    submitted: dict[str, str],
) -> HttpResponse:
    """The contact's page again, the agent's input kept, each reason beside its field."""
    if isinstance(exc, contact_actions.ContactFormErrors):
        errors = exc.errors
    elif isinstance(exc, InvalidField):
        errors = {exc.field: exc.message}
    else:
        errors = {"general": exc.message}
    context = _record_context(
        request, contact_id, submitted=submitted if form == "details" else None
    )
    for field in context["attribute_fields"]:
        field["error"] = errors.get(f"attribute-{field['definition'].key}", "") if (
            form == "details") else ""
    context.update({"errors": {form: errors, "general": errors.get("general", "")},
                    "form": {form: submitted}})
    return render(request, "web/contacts/detail.html", context, status=exc.status)


@require_POST
@agent_required
def contact_update(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    definitions = AttributeDefinition.objects.values_list("key", flat=True)
    submitted: dict[str, str] = {key: str(value).strip() for key, value in request.POST.items()
                                 if key != "csrfmiddlewaretoken"}
    try:
        contact_actions.update_contact(
            request_agent(request), contact_id,
            name=submitted.get("name", ""),
            company=submitted.get("company", ""),
            attributes={key: submitted.get(f"attribute-{key}", "") for key in definitions},
        )
    except DomainError as exc:
        return _refused(request, contact_id, exc, form="details", submitted=submitted)
    messages.success(request, gettext("Contact saved."))
    return HttpResponseRedirect(_contact_url(contact_id))


@require_POST
@agent_required
def identity_add(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    submitted = {"kind": request.POST.get("kind", ""), "value": request.POST.get("value", "")}
    try:
        contact_actions.add_identity(
            request_agent(request), contact_id, submitted["kind"], submitted["value"]
        )
    except DomainError as exc:
        return _refused(request, contact_id, exc, form="identity", submitted=submitted)
    messages.success(request, gettext("Address added."))
    return HttpResponseRedirect(_contact_url(contact_id, "identities"))


@require_POST
@agent_required
def identity_remove(request: HtmxHttpRequest, contact_id: int, identity_id: int) -> HttpResponse:
    try:
        contact_actions.remove_identity(request_agent(request), contact_id, identity_id)
    except DomainError as exc:
        return _refused(request, contact_id, exc, form="identity", submitted={})
    messages.success(request, gettext("Address removed."))
    return HttpResponseRedirect(_contact_url(contact_id, "identities"))


@require_POST
@agent_required
def note_add(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    submitted = {"text": request.POST.get("text", "")}
    try:
        contact_actions.add_contact_note(request_agent(request), contact_id, submitted["text"])
    except DomainError as exc:
        return _refused(request, contact_id, exc, form="note", submitted=submitted)
    messages.success(request, gettext("Note added."))
    return HttpResponseRedirect(_contact_url(contact_id, "notes"))


@require_http_methods(["GET", "POST"])
@agent_required
def contact_merge(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    """Pick the contact to merge into this one (search), see what would happen side by
    side, confirm (POST): the other contact's identities and conversations move here."""
    agent = request_agent(request)
    if request.method == "POST":
        other_id = _id(request.POST.get("other", "")) or 0
        try:
            merge = contact_actions.merge_chosen_contacts(agent, contact_id, other_id)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("web:contact_merge_with", args=[contact_id]))
        merged = gettext("Merged %(name)s into this contact. You can undo it below.")
        messages.success(request, merged % {"name": merge.source.display_name})
        return HttpResponseRedirect(_contact_url(contact_id, "merges"))
    record = contact_record(agent, contact_id)
    if record.contact.merged_into_id is not None:
        raise NotFound(gettext("This contact was merged into another one."))
    query = request.GET.get("q", "").strip()
    chosen_id = _id(request.GET.get("other", ""))
    context: dict[str, Any] = {
        "section": "contacts",
        "contact": record.contact,
        "merge_query": query,
        "candidates": [(c, distinct_identities(c.identities.all())[:3])
                       for c in merge_candidates(record.contact, query)],
    }
    if chosen_id is not None:
        try:
            preview = contact_actions.merge_preview(contact_id, chosen_id)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            labels = {d.key: d.label for d in AttributeDefinition.objects.all()}
            context.update({
                "preview": preview,
                "keep_identities": distinct_identities(preview.keep.identities.all()),
                "keep_conversations": list(contact_conversations(preview.keep)[:50]),
                "moving_conversations": list(contact_conversations(preview.other)),
                "attribute_labels": labels,
                "conflicts": [(labels.get(c.key, c.key), c) for c in preview.conflicts],
                "added_attributes": [(labels.get(k, k), v)
                                     for k, v in preview.added_attributes.items()],
            })
    if request.htmx and request.htmx.target == "merge-candidates":
        return render(request, "web/contacts/_merge_candidates.html", context)
    return render(request, "web/contacts/merge.html", context)


@require_POST
@agent_required
def contact_unmerge(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    """Undo a merge into this contact: the merged contact comes back as it was."""
    merge_id = _id(request.POST.get("merge", "")) or 0
    record = contact_record(request_agent(request), contact_id)
    # Only a merge into the contact on this page: the page is the access check.
    if merge_id not in {merge.pk for merge in record.merges if merge.undone_at is None}:
        messages.error(request, gettext("This merge cannot be undone from here."))
        return HttpResponseRedirect(_contact_url(contact_id, "merges"))
    try:
        source = contact_actions.undo_merge(request_agent(request), merge_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Merge undone: %(name)s is a separate contact again.")
                         % {"name": source.display_name})
    return HttpResponseRedirect(_contact_url(contact_id, "merges"))


@require_http_methods(["GET", "POST"])
@agent_required
def contact_new_conversation(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    """Write first to the contact: pick the inbox (those that can start a conversation and
    reach one of the contact's addresses), the address, then a subject and text, or on
    WhatsApp an approved template with its variables."""
    agent = request_agent(request)
    record = contact_record(agent, contact_id)
    if record.contact.merged_into_id is not None:
        raise NotFound(gettext("This contact was merged into another one."))
    channels = outreach.start_channels(record.contact)
    submitted: dict[str, str] = {key: str(value) for key, value in request.POST.items()
                                 if key != "csrfmiddlewaretoken"}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        inbox_id = _id(submitted.get("inbox", "")) or 0
        try:
            conversation = outreach.start_conversation(
                agent, record.contact,
                inbox_id=inbox_id,
                identity_id=_id(submitted.get(f"identity-{inbox_id}", "")) or 0,
                subject=submitted.get("subject", ""),
                text=submitted.get("text", ""),
                template_key=submitted.get(f"template-{inbox_id}", ""),
                variables=request.POST.getlist("variable"),
            )
        except DomainError as exc:
            errors = {exc.field if isinstance(exc, InvalidField) else "general": exc.message}
            status = exc.status
        else:
            messages.success(request, gettext("Conversation started; the message is on its way."))
            return HttpResponseRedirect(reverse("web:conversation", args=[conversation.pk]))
    chosen = _id(submitted.get("inbox", ""))
    usable = [channel for channel in channels if channel.is_usable]
    context = {
        "section": "contacts",
        "contact": record.contact,
        "channels": channels,
        "usable_channels": usable,
        "chosen_inbox": chosen if chosen else (usable[0].inbox.pk if usable else None),
        "form": submitted,
        "variables": request.POST.getlist("variable"),
        "errors": errors,
    }
    return render(request, "web/contacts/new_conversation.html", context, status=status)
