"""The list's toolbar: its order, its filters panel, the saved views menu and what a bulk
change tells the agent; the saved views' pages (their rules are in `saved_views`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.conversations.queries import ListFilters, ListSort, ListView
from omnicanal.core.exceptions import DomainError
from omnicanal.web import saved_views
from omnicanal.web.models import SavedView
from omnicanal.web.views import BulkOperation, _error_response, _list_url, _optional_id


def sort_labels() -> dict[ListSort, str]:
    return {
        ListSort.NEWEST: gettext("Newest activity"),
        ListSort.OLDEST: gettext("Oldest activity"),
        ListSort.WAITING: gettext("Waiting longest"),
        ListSort.PRIORITY: gettext("Priority"),
        ListSort.SLA_DUE: gettext("SLA due first"),
    }


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    is_current: bool


@dataclass(frozen=True)
class SavedViewItem:
    saved_view: SavedView
    url: str
    is_current: bool
    is_mine: bool
    can_edit: bool


def saved_view_url(saved_view: SavedView) -> str:
    """The list the view opens, marked with the view's id so the menu names it."""
    saved = saved_views.saved_list(saved_view)
    url = _list_url(saved.view, saved.filters, sort=saved.sort)
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'saved': saved_view.pk})}"


def toolbar_context(request: HtmxHttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """What the toolbar shows above a list page whose context is `context`."""
    agent = request_agent(request)
    view: ListView = context["view"]
    filters: ListFilters = context["filters"]
    sort: ListSort = context["sort"]
    labels = sort_labels()
    current = saved_views.SavedList(view, filters, sort)
    asked_id = _optional_id(request.GET.get("saved", ""))
    items = [
        SavedViewItem(
            saved_view=saved_view,
            url=saved_view_url(saved_view),
            # Named as current only while the list is still the one saved: once the agent
            # changes a filter, it is another list.
            is_current=(saved_view.pk == asked_id
                        and saved_views.saved_list(saved_view) == current),
            is_mine=saved_view.owner_id == agent.pk,
            can_edit=saved_views.can_edit(agent, saved_view),
        )
        for saved_view in saved_views.visible_saved_views(agent)
    ]
    return {
        "sort_label": labels[sort],
        "sort_options": [
            MenuItem(label, _list_url(view, filters, sort=option), option == sort)
            for option, label in labels.items()
        ],
        "active_filter_count": sum(value is not None for value in asdict(filters).values()),
        "my_saved_views": [item for item in items if item.is_mine],
        "team_saved_views": [item for item in items if not item.is_mine],
        "current_saved_view": next((item.saved_view for item in items if item.is_current), None),
        "shareable_teams": saved_views.shareable_teams(agent),
        "list_fields": {"view": view.value, "sort": sort.value, **filters.as_query()},
    }


def bulk_summary(operation: str, done: int, refused: int) -> str:
    """What a bulk change did, as the agent would say it: "3 conversations resolved.", and
    how many were refused (each refusal is listed with its reason beside)."""
    if operation == BulkOperation.ASSIGN_ME:
        text = ngettext("%(count)d conversation assigned to you.",
                        "%(count)d conversations assigned to you.", done)
    elif operation == BulkOperation.ASSIGN:
        text = ngettext("%(count)d conversation assigned.",
                        "%(count)d conversations assigned.", done)
    elif operation == BulkOperation.LABEL:
        text = ngettext("Label added to %(count)d conversation.",
                        "Label added to %(count)d conversations.", done)
    elif operation == BulkOperation.RESOLVE:
        text = ngettext("%(count)d conversation resolved.",
                        "%(count)d conversations resolved.", done)
    elif operation == BulkOperation.SNOOZE:
        text = ngettext("%(count)d conversation snoozed.",
                        "%(count)d conversations snoozed.", done)
    else:
        text = ngettext("%(count)d conversation updated.",
                        "%(count)d conversations updated.", done)
    summary = text % {"count": done}
    if refused:
        summary += " " + ngettext("%(count)d refused.", "%(count)d refused.", refused) % {
            "count": refused
        }
    return summary


# The saved views' pages: plain POSTs from the menu, answered with a redirect to the list.


def _back_to_list(request: HtmxHttpRequest) -> str:
    """The list the form was posted from (its query, re-encoded: it came from the page)."""
    query = QueryDict(request.POST.get("back", "")).urlencode()
    return reverse("web:conversations") + (f"?{query}" if query else "")


@require_POST
@agent_required
def saved_view_create(request: HtmxHttpRequest) -> HttpResponse:
    """Save the list the agent is on (its view, filters and order ride in the form)."""
    agent = request_agent(request)
    fields = ("view", "sort", *ListFilters.__dataclass_fields__)
    query = {key: request.POST.get(key, "") for key in fields}
    try:
        saved_view = saved_views.create_saved_view(
            agent, request.POST.get("name", ""), query,
            team_id=_optional_id(request.POST.get("share_with", "")),
        )
    except DomainError as exc:
        return _error_response(request, exc, _back_to_list(request))
    return HttpResponseRedirect(saved_view_url(saved_view))


@require_POST
@agent_required
def saved_view_rename(request: HtmxHttpRequest, saved_view_id: int) -> HttpResponse:
    agent = request_agent(request)
    try:
        saved_view = saved_views.rename_saved_view(
            agent, saved_view_id, request.POST.get("name", "")
        )
    except DomainError as exc:
        return _error_response(request, exc, _back_to_list(request))
    return HttpResponseRedirect(saved_view_url(saved_view))


@require_POST
@agent_required
def saved_view_delete(request: HtmxHttpRequest, saved_view_id: int) -> HttpResponse:
    agent = request_agent(request)
    try:
        saved_views.delete_saved_view(agent, saved_view_id)
    except DomainError as exc:
        return _error_response(request, exc, _back_to_list(request))
    return HttpResponseRedirect(_back_to_list(request))
