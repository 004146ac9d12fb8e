"""The agent workspace: the conversation list and the conversation page.

Pages are server-rendered; htmx swaps their fragments (`templates/web/_*.html`). Every write
goes through `omnicanal.conversations.actions`; a plain POST redirects (so a reload never
posts twice), an htmx POST answers with the fragment it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from itertools import groupby
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext, gettext_noop
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import AttributeDefinition
from omnicanal.conversations import actions
from omnicanal.conversations.exceptions import DomainError, InvalidInput, NotFound
from omnicanal.conversations.models import Conversation, Message, Status
from omnicanal.conversations.queries import (
    Cursor,
    ListView,
    contact_conversations,
    contact_timeline,
    conversation_page,
)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


View = TypeVar("View", bound=Callable[..., HttpResponse])

# The actions' messages are English; those an agent can trigger from these pages are listed
# here so that makemessages extracts them and `gettext(exc.message)` finds a translation.
# When an action's wording changes, the new one shows with a translated summary until it is
# listed here too.
KNOWN_DOMAIN_MESSAGES = (
    gettext_noop("The message is empty."),
    gettext_noop("Only a supervisor can reassign a colleague's conversation."),
    gettext_noop("Only a supervisor can unassign someone else."),
    gettext_noop("Choose an agent or a team."),
    gettext_noop("This status does not exist."),
)

# Said before an action's message that has no translation (one naming an id, or new), so
# the agent knows what happened even when the detail stays in English.
_ERROR_SUMMARIES = {
    403: gettext_noop("You are not allowed to do this."),
    404: gettext_noop("This no longer exists."),
    409: gettext_noop("Someone else changed this in the meantime."),
}


def _error_text(exc: DomainError) -> str:
    translated = gettext(exc.message)
    if translated != exc.message or get_language() == "en":
        return translated
    summary = gettext(_ERROR_SUMMARIES.get(exc.status, gettext_noop("This could not be done.")))
    return f"{summary} ({exc.message})"


def agent_required(view: View) -> View:
    """Logged in and active. Django's ModelBackend already drops the user of a session that
    outlived a deactivation; checking here keeps that true whatever backend is configured."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_active:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def _agent(request: HtmxHttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# The conversation list.


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    is_current: bool


def _list_params(request: HtmxHttpRequest) -> tuple[ListView, Status]:
    """The view and status asked for, falling back to the defaults for unknown values."""
    try:
        view = ListView(request.GET.get("view", ListView.ALL))
    except ValueError:
        view = ListView.ALL
    try:
        status = Status(request.GET.get("status", Status.OPEN))
    except ValueError:
        status = Status.OPEN
    return view, status


def _list_url(view: ListView, status: Status, after: Cursor | None = None) -> str:
    query = {"view": view.value, "status": status.value}
    if after is not None:
        query["after"] = after.encode()
    return f"{reverse('web:conversations')}?{urlencode(query)}"


# The same URL answers a page or a fragment: without Vary, the browser's cache could show a
# bare fragment when the agent comes back with the Back button.
@vary_on_headers("HX-Request")
@require_GET
@agent_required
def conversation_list(request: HtmxHttpRequest) -> HttpResponse:
    """The list of conversations: full page, the list alone (live refresh), or one more page
    of rows (`after`, the keyset cursor of the last row shown)."""
    view, status = _list_params(request)
    after = Cursor.decode(request.GET.get("after", ""))
    page = conversation_page(_agent(request), view=view, status=status, after=after)
    view_labels = {
        ListView.MINE: gettext("Mine"),
        ListView.UNASSIGNED: gettext("Unassigned"),
        ListView.ALL: gettext("All"),
    }
    context = {
        "section": "conversations",
        "conversations": page.conversations,
        "next_url": _list_url(view, status, page.next_cursor) if page.next_cursor else "",
        "view_tabs": [
            Tab(label, _list_url(value, status), value == view)
            for value, label in view_labels.items()
        ],
        "status_tabs": [
            Tab(str(value.label), _list_url(view, value), value == status) for value in Status
        ],
        # A live refresh re-reads the page the agent is on, not the first one.
        "refresh_url": _list_url(view, status, after),
    }
    if request.htmx and after is not None:
        return render(request, "web/_conversation_rows.html", context)
    if request.htmx:
        return render(request, "web/_conversation_list.html", context)
    return render(request, "web/conversation_list.html", context)


# The conversation page.


def _access(request: HtmxHttpRequest, conversation_id: int) -> Conversation:
    try:
        return actions.access_conversation(_agent(request), conversation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@dataclass(frozen=True)
class Segment:
    """Consecutive messages of one conversation in the contact's timeline."""

    conversation: Conversation
    messages: list[Message]
    is_current: bool


def _segments(timeline: list[Message], current: Conversation) -> list[Segment]:
    return [
        Segment(messages[0].conversation, messages, conversation_id == current.pk)
        for conversation_id, group in groupby(timeline, key=lambda m: m.conversation_id)
        for messages in [list(group)]
    ]


def _conversation_context(conversation: Conversation) -> dict[str, Any]:
    contact = conversation.contact
    timeline, is_truncated = contact_timeline(contact)
    identities = list(contact.identities.order_by("kind", "value"))
    labels = dict(AttributeDefinition.objects.values_list("key", "label"))
    return {
        "section": "conversations",
        "conversation": conversation,
        "contact": contact,
        "contact_name": contact.name or (identities[0].value if identities else f"#{contact.pk}"),
        "identities": identities,
        "attributes": [(labels.get(key, key), value) for key, value in contact.attributes.items()],
        "segments": _segments(timeline, conversation),
        "timeline_is_truncated": is_truncated,
        "contact_conversations": list(contact_conversations(contact)),
        "agents": list(User.objects.filter(is_active=True).order_by("name", "email")),
        "teams": list(Team.objects.order_by("name")),
        "is_resolved": conversation.status == Status.RESOLVED,
        "list_url": reverse("web:conversations"),
    }


@vary_on_headers("HX-Request")
@require_GET
@agent_required
def conversation_detail(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation page; an htmx request gets only its live part (header, timeline,
    contact panel) for a live refresh."""
    conversation = _access(request, conversation_id)
    context = _conversation_context(conversation)
    if request.htmx:
        return render(request, "web/_conversation_live.html", context)
    return render(request, "web/conversation.html", context)


def _after_write(
    request: HtmxHttpRequest, conversation_id: int, write: Callable[[User], object]
) -> HttpResponse:
    """Run one action; answer a plain POST with a redirect, an htmx POST with the fragment.

    A DomainError becomes a visible message: a flash message after the redirect, or an alert
    fragment swapped into the page's alert region with the error's status.
    """
    agent = _agent(request)
    try:
        write(agent)
    except DomainError as exc:
        # An unknown conversation is a 404 page, as for a GET; an unknown agent or team in
        # the form is an error to show on the page.
        if exc.status == 404 and not Conversation.objects.filter(pk=conversation_id).exists():
            raise Http404(exc.message) from exc
        text = _error_text(exc)
        if request.htmx:
            response = render(request, "web/_alert.html", {"error": text}, status=exc.status)
            return reswap(retarget(response, "#alerts"), "innerHTML")
        messages.error(request, text)
        return HttpResponseRedirect(reverse("web:conversation", args=[conversation_id]))
    if request.htmx:
        conversation = _access(request, conversation_id)
        return render(request, "web/_conversation_live.html", _conversation_context(conversation))
    return HttpResponseRedirect(reverse("web:conversation", args=[conversation_id]))


@require_POST
@agent_required
def conversation_reply(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Send a reply to the customer on the conversation's channel."""
    text = request.POST.get("text", "")
    return _after_write(
        request, conversation_id, lambda agent: actions.reply(agent, conversation_id, text)
    )


@require_POST
@agent_required
def conversation_note(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Add an internal note, seen by agents only."""
    text = request.POST.get("text", "")
    return _after_write(
        request, conversation_id, lambda agent: actions.add_note(agent, conversation_id, text)
    )


def _optional_id(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("Choose an agent or a team.")
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
            raise InvalidInput("Choose an agent or a team.")
        return actions.assign(agent, conversation_id, assignee_id=assignee_id, team_id=team_id)

    return _after_write(request, conversation_id, write)


@require_POST
@agent_required
def conversation_status(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Resolve, reopen or set pending (snoozing needs a time, not offered here yet)."""
    value = request.POST.get("status", "")

    def write(agent: User) -> object:
        if value not in (Status.OPEN, Status.PENDING, Status.RESOLVED):
            raise InvalidInput("This status does not exist.")
        return actions.set_status(agent, conversation_id, Status(value))

    return _after_write(request, conversation_id, write)
