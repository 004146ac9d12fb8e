"""The agent workspace: the conversation list and the conversation page.

Pages are server-rendered; htmx swaps their fragments (`templates/web/_*.html`). Every write
goes through `omnicanal.conversations.actions`; a plain POST redirects (so a reload never
posts twice), an htmx POST answers with the fragment it changed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import (
    gettext,
    gettext_lazy,
    pgettext,
)
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.accounts.models import Team, User
from omnicanal.connectors.messaging import reply_restriction
from omnicanal.connectors.registry import adapter_for, channel_choices
from omnicanal.contacts import actions as contact_actions
from omnicanal.contacts.models import AttributeDefinition, AttributeType, Contact
from omnicanal.contacts.naming import contact_display_name
from omnicanal.conversations import actions
from omnicanal.conversations.collision import RepliedMeanwhile, latest_message_id
from omnicanal.conversations.models import (
    Attachment,
    Conversation,
    Inbox,
    Label,
    Message,
    Priority,
    Status,
)
from omnicanal.conversations.queries import (
    COUNTED_VIEWS,
    Cursor,
    ListFilters,
    ListSort,
    ListView,
    adjacent_conversations,
    contact_conversations,
    conversation_page,
    open_merge_suggestions,
    undoable_merges,
    view_counts,
)
from omnicanal.conversations.search import SearchFilters, search
from omnicanal.core.exceptions import DomainError, InvalidInput, NotFound
from omnicanal.notifications import actions as notification_actions
from omnicanal.routing.automation import AUTOMATION_EMAIL
from omnicanal.routing.queries import attach_queue_places, queue_status
from omnicanal.routing.sla import attach_sla_statuses, sla_status
from omnicanal.web.collision import reply_warning
from omnicanal.web.composer import composer_context, reply_html
from omnicanal.web.presence import HEARTBEAT_SECONDS


def _error_response(request: HtmxHttpRequest, exc: DomainError, redirect_url: str) -> HttpResponse:
    """A refusal the agent sees: an alert swapped into #alerts (htmx), or a flash message
    after a redirect."""
    text = exc.message
    if request.htmx:
        response = render(request, "web/_alert.html", {"error": text}, status=exc.status)
        return reswap(retarget(response, "#alerts"), "innerHTML")
    messages.error(request, text)
    return HttpResponseRedirect(redirect_url)



# The conversation list.


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    is_current: bool


def _list_params(request: HtmxHttpRequest) -> tuple[ListView, ListFilters, ListSort]:
    """The view, filters and order asked for, falling back to the defaults for unknown
    values."""
    try:
        view = ListView(request.GET.get("view", ListView.ALL))
    except ValueError:
        view = ListView.ALL
    try:
        sort = ListSort(request.GET.get("sort", ListSort.NEWEST))
    except ValueError:
        sort = ListSort.NEWEST
    return view, ListFilters.from_query(request.GET), sort


def _list_query(
    view: ListView, filters: ListFilters, after: Cursor | None = None,
    sort: ListSort = ListSort.NEWEST,
) -> str:
    """The list's URL query; empty for the default list, so that plain URLs stay plain."""
    query = {"view": view.value, **filters.as_query()}
    if sort != ListSort.NEWEST:
        query["sort"] = sort.value
    if after is not None:
        query["after"] = after.encode()
    if query == {"view": ListView.ALL.value}:
        return ""
    return urlencode(query)


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _list_url(
    view: ListView, filters: ListFilters, after: Cursor | None = None,
    sort: ListSort = ListSort.NEWEST,
) -> str:
    return _with_query(reverse("web:conversations"), _list_query(view, filters, after, sort))


def _view_labels() -> dict[ListView, str]:
    return {
        # "list" context: French tab names are plural ("Résolues"), unlike the status
        # of one conversation ("Résolue").
        ListView.MINE: gettext("Mine"),
        ListView.MENTIONS: gettext("Mentions"),
        ListView.UNASSIGNED: pgettext("list", "Unassigned"),
        ListView.TEAM: gettext("My teams"),
        ListView.ALL: gettext("All"),
        ListView.SNOOZED: pgettext("list", "Snoozed"),
        ListView.RESOLVED: pgettext("list", "Resolved"),
    }


@dataclass(frozen=True)
class ViewTab:
    label: str
    url: str
    is_current: bool
    count: int | None


def _list_context(request: HtmxHttpRequest, after: Cursor | None = None) -> dict[str, Any]:
    agent = request_agent(request)
    view, filters, sort = _list_params(request)
    page = conversation_page(agent, view=view, filters=filters, sort=sort, after=after)
    attach_sla_statuses(page.conversations)
    attach_queue_places(page.conversations)
    unread = notification_actions.conversations_with_unread(
        agent, [c.pk for c in page.conversations]
    )
    for listed in page.conversations:
        listed.is_unread = listed.pk in unread  # type: ignore[attr-defined]
    # Counts follow the filters (not the status filter: each view keeps its own status).
    counts = view_counts(agent, filters)
    tab_filters = filters.without_status()
    list_query = _list_query(view, filters, sort=sort)
    return {
        "section": "conversations",
        "view": view,
        "filters": filters,
        "sort": sort,
        "conversations": page.conversations,
        "next_url": (
            _list_url(view, filters, page.next_cursor, sort) if page.next_cursor else ""
        ),
        "view_tabs": [
            ViewTab(label, _list_url(value, tab_filters, sort=sort), value == view,
                    counts.get(value))
            for value, label in _view_labels().items()
        ],
        # A live refresh re-reads the page the agent is on, not the first one.
        "refresh_url": _list_url(view, filters, after, sort),
        "list_query": list_query,
        "bulk_url": _with_query(reverse("web:conversations_bulk"), list_query),
        "counted_views": COUNTED_VIEWS,
    }


def _filter_options() -> dict[str, Any]:
    return {
        "channels": channel_choices(),
        "inboxes": list(Inbox.objects.order_by("name")),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "labels": list(Label.objects.order_by("name")),
        "agents": list(User.objects.filter(is_active=True).order_by("name", "email")),
        "teams": list(Team.objects.order_by("name")),
    }


# The same URL answers a page or a fragment: without Vary, the browser's cache could show a
# bare fragment when the agent comes back with the Back button.
@vary_on_headers("HX-Request")
@require_GET
@agent_required
def conversation_list(request: HtmxHttpRequest) -> HttpResponse:
    """The list of conversations: full page, the list alone (live refresh, with the view
    counts out of band), or one more page of rows (`after`, the keyset cursor of the last
    row shown)."""
    # Imported here: that module builds on this one's helpers.
    from omnicanal.web.list_toolbar import toolbar_context

    after = Cursor.decode(request.GET.get("after", ""), _list_params(request)[2])
    context = _list_context(request, after)
    if request.htmx and after is not None:
        return render(request, "web/_conversation_rows.html", context)
    if request.htmx:
        return render(request, "web/_conversation_list.html", {**context, "is_refresh": True})
    return render(request, "web/conversation_list.html",
                  {**context, **_filter_options(), **toolbar_context(request, context)})


def _workspace_page(
    request: HtmxHttpRequest, conversation: Conversation, status: int = 200, **extra: Any
) -> HttpResponse:
    """/conversations/N/ as a whole page: the list on the left (its view and filters from
    the URL, the open row highlighted), the conversation and its customer beside it."""
    listed = _list_context(request)
    context = {
        **listed,
        **_filter_options(),
        **_conversation_context(request, conversation),
        # Both name a "next" link: the list's next page of rows keeps its own name here.
        "list_next_url": listed["next_url"],
        **extra,
    }
    return render(request, "web/conversation.html", context, status=status)


class BulkOperation:
    ASSIGN_ME = "assign_me"
    ASSIGN = "assign"
    LABEL = "label"
    RESOLVE = "resolve"
    SNOOZE = "snooze"


def _bulk_change(request: HtmxHttpRequest) -> Callable[[User, int], object]:
    """The action the bulk form asks for, as a function of (agent, conversation id)."""
    operation = request.POST.get("operation", "")
    if operation == BulkOperation.ASSIGN_ME:
        return lambda agent, pk: actions.assign(agent, pk, assignee_id=agent.pk)
    if operation == BulkOperation.ASSIGN:
        assignee_id = _optional_id(request.POST.get("assignee", ""))
        if assignee_id is None:
            raise InvalidInput(gettext_lazy("Choose an agent or a team."))
        return lambda agent, pk: actions.assign(agent, pk, assignee_id=assignee_id)
    if operation == BulkOperation.LABEL:
        label_id = _optional_id(request.POST.get("label", ""))
        if label_id is None:
            raise InvalidInput(gettext_lazy("Choose an action."))
        return lambda agent, pk: actions.add_label(agent, pk, label_id)
    if operation == BulkOperation.RESOLVE:
        return lambda agent, pk: actions.set_status(agent, pk, Status.RESOLVED)
    if operation == BulkOperation.SNOOZE:
        until = _snooze_until(request)
        return lambda agent, pk: actions.snooze(agent, pk, until=until)
    raise InvalidInput(gettext_lazy("Choose an action."))


@require_POST
@agent_required
def conversations_bulk(request: HtmxHttpRequest) -> HttpResponse:
    """Apply one change to the checked conversations, each through its action (own
    transaction, own permission check); answers with the refreshed list and a summary."""
    agent = request_agent(request)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    try:
        outcome = actions.for_each_conversation(agent, ids, _bulk_change(request))
    except DomainError as exc:
        return _error_response(request, exc, reverse("web:conversations"))
    # Imported here: that module builds on this one's helpers.
    from omnicanal.web.list_toolbar import bulk_summary

    summary = bulk_summary(request.POST.get("operation", ""), len(outcome.done),
                           len(outcome.refused))
    refusals = [
        gettext("#%(id)d: %(reason)s") % {"id": pk, "reason": reason}
        for pk, reason in outcome.refused.items()
    ]
    list_url = _with_query(reverse("web:conversations"), request.GET.urlencode())
    if not request.htmx:
        messages.success(request, summary)
        for refusal in refusals:
            messages.error(request, refusal)
        return HttpResponseRedirect(list_url)
    context = {
        **_list_context(request),
        "is_refresh": True,
        "bulk_summary": summary,
        "bulk_refusals": refusals,
    }
    return render(request, "web/_conversation_list.html", context)


# The conversation page.


def _access(request: HtmxHttpRequest, conversation_id: int) -> Conversation:
    return actions.access_conversation(request_agent(request), conversation_id)


@dataclass(frozen=True)
class AttributeField:
    """One custom attribute as the panel's inline form shows it."""

    definition: AttributeDefinition
    value: Any
    input_type: str


_INPUT_TYPES = {
    AttributeType.NUMBER: "number",
    AttributeType.DATE: "date",
    AttributeType.TEXT: "text",
}


def _attribute_fields(
    contact: Contact, definitions: list[AttributeDefinition], submitted: dict[str, str] | None
) -> list[AttributeField]:
    values = submitted if submitted is not None else contact.attributes
    return [
        AttributeField(d, values.get(d.key, ""), _INPUT_TYPES.get(AttributeType(d.type), ""))
        for d in definitions
    ]


def _contact_context(
    request: HtmxHttpRequest,
    contact: Contact,
    *,
    attribute_error: str = "",
    submitted: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the contact panel shows: identities, attributes (editable), value tier, every
    conversation, open merge suggestions and the merges that can be undone."""
    identities = list(contact.identities.order_by("kind", "value"))
    definitions = list(AttributeDefinition.objects.all())
    labels = {d.key: d.label for d in definitions}
    agent = request_agent(request)
    return {
        "contact": contact,
        "contact_name": contact_display_name(contact, identities),
        "identities": identities,
        "attributes": [(labels.get(key, key), value) for key, value in contact.attributes.items()],
        "attribute_fields": _attribute_fields(contact, definitions, submitted),
        "attribute_error": attribute_error,
        "contact_conversations": list(contact_conversations(contact)),
        "merge_suggestions": open_merge_suggestions(contact),
        "undoable_merges": [
            merge for merge in undoable_merges(contact)
            if contact_actions.may_undo_merge(agent, merge)
        ],
    }


def _conversation_context(request: HtmxHttpRequest, conversation: Conversation) -> dict[str, Any]:
    # Imported here: that module builds on this one's helpers.
    from omnicanal.web.conversation_tools import tools_context

    contact = conversation.contact
    # The list the agent came from (its view and filters ride on the URL), for the back
    # link and the j/k shortcuts.
    view, filters, sort = _list_params(request)
    previous_id, next_id = adjacent_conversations(
        request_agent(request), conversation, view, filters, sort
    )
    list_query = _list_query(view, filters, sort=sort)
    conversation_labels = list(conversation.labels.all())
    # Typing both ways exists where the customer's client reports it (the web chat).
    has_typing = adapter_for(conversation.inbox.channel).has_typing_indicator
    return {
        **_contact_context(request, contact),
        "section": "conversations",
        "conversation": conversation,
        # The automation account acts through rules; nobody hands a conversation to it.
        "agents": list(User.objects.filter(is_active=True).exclude(email=AUTOMATION_EMAIL)
                       .order_by("name", "email")),
        "teams": list(Team.objects.order_by("name")),
        "conversation_labels": conversation_labels,
        "all_labels": list(Label.objects.order_by("name")),
        "priorities": Priority.choices,
        "is_resolved": conversation.status == Status.RESOLVED,
        "is_snoozed": conversation.status == Status.SNOOZED,
        "list_url": _with_query(reverse("web:conversations"), list_query),
        "list_query": list_query,
        # Appended to the page's form actions so that a write keeps the agent in their list.
        "list_suffix": f"?{list_query}" if list_query else "",
        "previous_url": _conversation_url(previous_id, list_query) if previous_id else "",
        "next_url": _conversation_url(next_id, list_query) if next_id else "",
        "snooze_minimum": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        # Why the channel would refuse a free-form reply now (a closed WhatsApp window...).
        "reply_restriction": reply_restriction(conversation),
        # The most pressing SLA target: what it is, due when, overdue or paused.
        "sla": sla_status(conversation),
        # While it waits: its place in its queue and the estimated wait.
        "queue": (
            queue_status(conversation.pk)
            if conversation.assignee_id is None and conversation.status != Status.RESOLVED
            else None
        ),
        "has_typing_indicator": has_typing,
        "agent_typing_url": (
            reverse("webchat:agent_typing", args=[conversation.pk]) if has_typing else ""
        ),
        # One-time tokens of the composer's forms (see `_form_token`).
        "reply_form_token": secrets.token_urlsafe(18),
        "note_form_token": secrets.token_urlsafe(18),
        # Collision detection: what the reply form says the agent saw; collision.js's beat.
        "latest_message_id": latest_message_id(conversation.pk),
        "viewing_heartbeat_seconds": HEARTBEAT_SECONDS,
        **tools_context(conversation),
        **composer_context(request_agent(request), conversation),
    }


def _conversation_url(conversation_id: int, list_query: str) -> str:
    return _with_query(reverse("web:conversation", args=[conversation_id]), list_query)


@vary_on_headers("HX-Request")
@require_GET
@agent_required
def conversation_detail(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation page; an htmx request gets only its live part (header, timeline,
    contact panel) for a live refresh."""
    conversation = _access(request, conversation_id)
    # Live refreshes too: a message arriving while the agent reads it is not news to them.
    notification_actions.mark_conversation_read(request_agent(request), conversation.pk)
    if request.htmx and request.htmx.target == "conversation-pane":
        # Opened from the list, which stays: the conversation's panes alone.
        context = {**_conversation_context(request, conversation), "is_pane_swap": True}
        return render(request, "web/_conversation_pane.html", context)
    if request.htmx:
        context = _conversation_context(request, conversation)
        return render(request, "web/_conversation_live.html", context)
    return _workspace_page(request, conversation)


def _after_write(
    request: HtmxHttpRequest, conversation_id: int, write: Callable[[User], object]
) -> HttpResponse:
    """Run one action; answer a plain POST with a redirect, an htmx POST with the fragment.

    A DomainError becomes a visible message: a flash message after the redirect, or an alert
    fragment swapped into the page's alert region with the error's status.
    """
    agent = request_agent(request)
    page_url = _conversation_url(conversation_id, request.GET.urlencode())
    try:
        write(agent)
    except RepliedMeanwhile:
        raise  # conversation_reply answers with its warning
    except DomainError as exc:
        # An unknown conversation is a 404 page, as for a GET; an unknown agent or team in
        # the form is an error to show on the page.
        if exc.status == 404 and not Conversation.objects.filter(pk=conversation_id).exists():
            raise Http404(exc.message) from exc
        return _error_response(request, exc, page_url)
    if request.htmx:
        conversation = _access(request, conversation_id)
        context = _conversation_context(request, conversation)
        return render(request, "web/_conversation_live.html", context)
    return HttpResponseRedirect(page_url)


@require_POST
@agent_required
def conversation_reply(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Send a reply to the customer on the conversation's channel, or on the one chosen
    (`via`). Held back with a warning (409) when someone wrote since `seen_message_id`, the
    newest message the page showed, unless the agent confirms (`confirm`, the warning's
    "Send anyway")."""
    text = request.POST.get("text", "")
    seen = request.POST.get("seen_message_id", "")
    seen_message_id = int(seen) if seen.isdigit() and not request.POST.get("confirm") else None
    via = request.POST.get("via", "")
    # Checked by the action (count, size, type read from the bytes, what the channel takes).
    files = request.FILES.getlist("attachments")
    # The composer's formatting becomes the HTML part where the channel takes HTML.
    html = reply_html(_access(request, conversation_id), text, via)

    def send(agent: User) -> Message:
        if via:
            from omnicanal.web.conversation_tools import reply_via

            return reply_via(agent, conversation_id, text, via, seen_message_id=seen_message_id,
                             attachments=files)
        return actions.reply(agent, conversation_id, text, seen_message_id=seen_message_id,
                             attachments=files, html=html)

    def write(agent: User) -> object:
        # The form's token: a double submit (or a resubmit after a lost answer) posts once.
        asked = {"kind": "reply", "conversation_id": conversation_id, "text": text, "via": via,
                 "files": [(f.name, f.size) for f in files], "html": html}
        return actions.post_once(agent, _form_token(request), asked, lambda: send(agent))

    try:
        return _after_write(request, conversation_id, write)
    except RepliedMeanwhile as exc:
        warning, status = reply_warning(exc), exc.status
    if request.htmx:
        # Into the reply form, which keeps the agent's text.
        response = render(
            request, "web/_reply_warning.html", {"reply_warning": warning}, status=status
        )
        return reswap(retarget(response, "#reply-warning"), "innerHTML")
    return _workspace_page(
        request, _access(request, conversation_id),
        reply_warning=warning, reply_text=text, status=status,
    )


@require_POST
@agent_required
def conversation_note(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Add an internal note, seen by agents only."""
    text = request.POST.get("text", "")

    def write(agent: User) -> object:
        asked = {"kind": "note", "conversation_id": conversation_id, "text": text}
        return actions.post_once(
            agent, _form_token(request), asked,
            lambda: actions.add_note(agent, conversation_id, text),
        )

    return _after_write(request, conversation_id, write)


def _form_token(request: HtmxHttpRequest) -> str:
    """The composer's one-time token (rendered in the form, renewed by app.js after each
    success): the idempotency key of what the form posts."""
    return request.POST.get("idempotency_key", "").strip()


def _optional_id(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(gettext_lazy("Choose an agent or a team."))
    return int(value)


@require_POST
@agent_required
def conversation_assign(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Assign to the agent themself (`assignee=me`), to an agent (an id), to nobody
    (`assignee=none`), and/or to a team (`team`, an id)."""
    assignee = request.POST.get("assignee", "")
    team = request.POST.get("team", "")

    def write(agent: User) -> object:
        if assignee == "none":
            return actions.unassign(agent, conversation_id)
        assignee_id = agent.pk if assignee == "me" else _optional_id(assignee)
        team_id = _optional_id(team)
        if assignee_id is None and team_id is None:
            raise InvalidInput(gettext_lazy("Choose an agent or a team."))
        return actions.assign(agent, conversation_id, assignee_id=assignee_id, team_id=team_id)

    return _after_write(request, conversation_id, write)


@require_POST
@agent_required
def conversation_status(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Resolve, reopen or set pending (snoozing has its own form: `conversation_snooze`)."""
    value = request.POST.get("status", "")

    def write(agent: User) -> object:
        if value not in (Status.OPEN, Status.PENDING, Status.RESOLVED):
            raise InvalidInput(gettext_lazy("This status does not exist."))
        return actions.set_status(agent, conversation_id, Status(value))

    return _after_write(request, conversation_id, write)


@require_POST
@agent_required
def conversation_priority(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    value = request.POST.get("priority", "")

    def write(agent: User) -> object:
        if not value.isdigit():
            raise InvalidInput(gettext_lazy("This priority does not exist."))
        return actions.set_priority(agent, conversation_id, int(value))

    return _after_write(request, conversation_id, write)


@require_POST
@agent_required
def conversation_label_add(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Add a label by name (an existing one, or a new one when a supervisor types it)."""
    name = request.POST.get("name", "")
    return _after_write(
        request, conversation_id,
        lambda agent: actions.add_label_by_name(agent, conversation_id, name),
    )


@require_POST
@agent_required
def conversation_label_remove(
    request: HtmxHttpRequest, conversation_id: int, label_id: int
) -> HttpResponse:
    return _after_write(
        request, conversation_id,
        lambda agent: actions.remove_label(agent, conversation_id, label_id),
    )


def _snooze_until(request: HtmxHttpRequest) -> dt.datetime | None:
    """`until`: a datetime-local value read in the server's time zone (the team's), or empty
    with `until_reply` for "until the customer replies"."""
    if request.POST.get("until_reply"):
        return None
    value = request.POST.get("until", "").strip()
    if not value:
        raise InvalidInput(gettext_lazy("Snoozing needs a time to wake up."))
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(gettext_lazy("The wake-up time is not a date and time.")) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@require_POST
@agent_required
def conversation_snooze(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Snooze until a date and time, or until the customer replies (`until_reply`)."""

    def write(agent: User) -> object:
        return actions.snooze(agent, conversation_id, until=_snooze_until(request))

    return _after_write(request, conversation_id, write)


# Attachments.

# Shown inline by the browser; anything else (SVG included: it can carry scripts) is a
# download, so that a customer's file never runs as a page of the workspace.
_INLINE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@require_GET
@agent_required
def attachment_download(request: HtmxHttpRequest, attachment_id: int) -> HttpResponseBase:
    """A stored attachment, for an agent who may see its conversation; 404 while the
    provider's media has not been fetched yet."""
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    _access(request, attachment.message.conversation_id)
    if not attachment.file:
        raise Http404("This attachment has not been fetched yet.")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This attachment's file is missing.") from exc
    content_type = (attachment.content_type or "").split(";")[0].strip().lower()
    is_inline = content_type in _INLINE_CONTENT_TYPES
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=not is_inline,
        filename=attachment.filename or attachment.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The contact panel: every write is on behalf of the conversation page the agent is on, so
# that the conversation's access check also guards the contact.


@require_POST
@agent_required
def contact_attributes(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Save the inline-edited attributes; a refusal is shown in the panel, next to the
    values the agent typed, so that nothing they typed is lost."""
    conversation = _access(request, conversation_id)
    definitions = list(AttributeDefinition.objects.all())
    submitted = {d.key: request.POST.get(f"attribute-{d.key}", "").strip() for d in definitions}
    try:
        contact_actions.update_contact_attributes(
            conversation.contact, submitted, actor=request_agent(request)
        )
    except DomainError as exc:
        if not request.htmx:
            return _error_response(request, exc, _conversation_url(conversation_id, ""))
        context = {
            **_conversation_context(request, conversation),
            **_contact_context(
                request, conversation.contact, attribute_error=exc.message,
                submitted=submitted,
            ),
        }
        return render(request, "web/_contact_panel.html", context, status=exc.status)
    if not request.htmx:
        return HttpResponseRedirect(_conversation_url(conversation_id, ""))
    conversation = _access(request, conversation_id)
    context = {**_conversation_context(request, conversation), "attributes_saved": True}
    return render(request, "web/_contact_panel.html", context)


@require_POST
@agent_required
def contact_merge(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Accept a merge suggestion: the other contact moves into this conversation's contact."""
    suggestion_id = _optional_id(request.POST.get("suggestion", "")) or 0

    def write(agent: User) -> object:
        conversation = actions.access_conversation(agent, conversation_id)
        return contact_actions.merge_suggested_contacts(
            agent, suggestion_id, keep_contact_id=conversation.contact_id
        )

    return _after_write(request, conversation_id, write)


@require_POST
@agent_required
def contact_unmerge(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Undo a merge into this conversation's contact."""
    merge_id = _optional_id(request.POST.get("merge", "")) or 0

    def write(agent: User) -> object:
        conversation = actions.access_conversation(agent, conversation_id)
        # Only a merge into the contact on this page: the page is the access check.
        if merge_id not in {merge.pk for merge in undoable_merges(conversation.contact)}:
            raise NotFound(gettext_lazy("No merge %(id)s."), id=merge_id)
        return contact_actions.undo_merge(agent, merge_id)

    return _after_write(request, conversation_id, write)


# Search.


@require_GET
@agent_required
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    """Contacts and messages matching the query, highlighted, narrowed by the filters; an
    htmx request (typing in the search box of this page) gets the results alone."""
    query = request.GET.get("q", "").strip()
    filters = SearchFilters.from_query(request.GET)
    results = search(request_agent(request), query, filters)
    context = {
        "section": "search",
        "query": query,
        "search_filters": filters,
        "results": results,
        "channels": channel_choices(),
        "inboxes": list(Inbox.objects.order_by("name")),
        "statuses": Status.choices,
    }
    if request.htmx:
        return render(request, "web/_search_results.html", context)
    return render(request, "web/search.html", context)
