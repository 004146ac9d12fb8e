"""The bell's pages: the agent's notifications, opening them, their preferences, and the
list of agents the note box suggests after an `@`."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.accounts.mentions import fold
from omnicanal.accounts.models import User
from omnicanal.notifications import actions
from omnicanal.notifications.models import Kind

# The dropdown shows the latest; the page shows more, and older ones are history.
PANEL_SIZE = 15
PAGE_SIZE = 100
SUGGESTIONS_MAX = 8



def _list_context(request: HtmxHttpRequest, limit: int) -> dict[str, Any]:
    agent = request_agent(request)
    return {
        "notifications": list(actions.notifications_of(agent)[:limit]),
        "unread_count": actions.unread_count(agent),
    }


@vary_on_headers("HX-Request")
@require_GET
@agent_required
def notification_list(request: HtmxHttpRequest) -> HttpResponse:
    """The agent's notifications: a page, or the bell's dropdown (an htmx request)."""
    if request.htmx:
        context = {**_list_context(request, PANEL_SIZE), "is_panel": True}
        return render(request, "notifications/_notification_list.html", context)
    context = {**_list_context(request, PAGE_SIZE), "section": "notifications"}
    return render(request, "notifications/notification_list.html", context)


@require_POST
@agent_required
def notification_open(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go where it points."""
    notification = actions.open_notification(request_agent(request), notification_id)
    if notification.conversation_id is None:
        return HttpResponseRedirect(reverse("notifications:list"))
    return HttpResponseRedirect(reverse("web:conversation", args=[notification.conversation_id]))


@require_POST
@agent_required
def notification_read_all(request: HtmxHttpRequest) -> HttpResponse:
    actions.mark_all_read(request_agent(request))
    if request.htmx:
        context = {**_list_context(request, PANEL_SIZE), "is_panel": True}
        return render(request, "notifications/_notification_list.html", context)
    return HttpResponseRedirect(reverse("notifications:list"))


@require_http_methods(["GET", "POST"])
@agent_required
def notification_preferences(request: HtmxHttpRequest) -> HttpResponse:
    """Per kind: in the bell, and as a browser notification. Unticked boxes are not posted,
    so every kind on the form is saved from what was ticked."""
    agent = request_agent(request)
    is_saved = False
    if request.method == "POST":
        ticked = set(request.POST.getlist("in_app")), set(request.POST.getlist("browser"))
        actions.set_preferences(agent, {
            kind: actions.Channels(kind.value in ticked[0], kind.value in ticked[1])
            for kind in Kind
        })
        is_saved = True
    chosen = actions.preferences(agent)
    rows = [(kind, kind.label, chosen[kind]) for kind in Kind]
    return render(request, "notifications/preferences.html", {
        "section": "notifications",
        "rows": rows,
        "is_saved": is_saved,
    })


@require_GET
@agent_required
def mentionable_agents(request: HtmxHttpRequest) -> JsonResponse:
    """Active agents whose name or address starts with `q` (accents and case ignored),
    for the note box's suggestions; names only, no addresses (PII the list does not need)."""
    query = fold(request.GET.get("q", "").strip())
    agents = User.objects.filter(is_active=True).exclude(pk=request_agent(request).pk)
    matches = []
    for agent in agents.order_by("name", "email"):
        name = " ".join(agent.display_name.split())
        words = [fold(word) for word in name.split(" ")]
        candidates = [fold(name), *words, fold(agent.email.split("@")[0])]
        if not query or any(candidate.startswith(query) for candidate in candidates):
            matches.append({"id": agent.pk, "name": name})
        if len(matches) >= SUGGESTIONS_MAX:
            break
    return JsonResponse({"agents": matches})
