"""The routing pages: every agent's presence toggle, and the supervisor's live view of the
queues and the agents, with reassignment.

Thin: presence goes through `routing.actions`, reassignment through
`conversations.actions.assign` (whose event counts the conversation against the new agent's
capacity and frees the previous agent's slot: `routing.subscribers`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from omnicanal.accounts.decorators import (
    HtmxHttpRequest,
    agent_required,
    supervisor_required,
)
from omnicanal.accounts.decorators import request_agent as _user
from omnicanal.accounts.models import User
from omnicanal.conversations import actions as conversation_actions
from omnicanal.core.exceptions import DomainError, InvalidInput
from omnicanal.routing import actions
from omnicanal.routing.models import AgentProfile, Presence
from omnicanal.routing.overview import overview

# Presence.


def presence_context(agent: User, next_url: str) -> dict[str, Any]:
    profile = AgentProfile.objects.filter(pk=agent.pk).first()
    return {
        "presence": profile.presence if profile else Presence.OFFLINE,
        "is_away_for_inactivity": bool(profile and profile.is_away_for_inactivity),
        "presence_choices": Presence.choices,
        "away_after_seconds": settings.PRESENCE_AWAY_AFTER_SECONDS,
        "agent_id": agent.pk,
        # Where a plain (script-less) post of the toggle returns.
        "next_url": next_url,
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@agent_required
def presence(request: HtmxHttpRequest) -> HttpResponseBase:
    """GET: the toggle (re-read when another tab changed the presence). POST: the agent's
    choice, or with `automatic` the workspace's report of inactivity or of activity again."""
    agent = _user(request)
    if request.method == "POST":
        chosen = request.POST.get("presence", "")
        is_automatic = request.POST.get("automatic") == "1"
        try:
            if is_automatic and chosen == Presence.AWAY:
                actions.away_for_inactivity(agent)
            elif is_automatic and chosen == Presence.ONLINE:
                actions.back_from_inactivity(agent)
            else:
                actions.set_presence(agent, chosen)
        except InvalidInput:
            return HttpResponse(gettext("This presence does not exist."), status=400)
        if not request.htmx:
            return HttpResponseRedirect(_safe_next(request))
    page = request.htmx.current_url_abs_path if request.htmx else None
    return render(request, "routing/_presence.html",
                  presence_context(agent, page or reverse("web:conversations")))


def _safe_next(request: HtmxHttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:conversations")


# The supervisor's view.


def _supervisor_context() -> dict[str, Any]:
    return {
        "section": "supervisor",
        "overview": overview(),
        "assignable_agents": list(User.objects.filter(is_active=True).order_by("name", "email")),
    }


@vary_on_headers("HX-Request")
@supervisor_required
def supervisor(request: HtmxHttpRequest) -> HttpResponse:
    """The page, or its live part alone (htmx refresh after a routing event)."""
    context = _supervisor_context()
    if request.htmx:
        return render(request, "routing/_supervisor_live.html", context)
    return render(request, "routing/supervisor.html", context)


# The reassignment form's choice that sends conversations back to wait for the dispatcher.
BACK_TO_QUEUE = "queue"


def _reassignment(choice: str) -> Callable[[User, int], object]:
    if choice == BACK_TO_QUEUE:
        # At its original place in the queue (assign_manually keeps the arrival time).
        return conversation_actions.unassign
    if not choice.isdigit():
        raise InvalidInput(gettext_lazy("Choose an agent."))
    assignee_id = int(choice)
    return lambda user, pk: conversation_actions.assign(user, pk, assignee_id=assignee_id)


@require_POST
@supervisor_required
def reassign(request: HtmxHttpRequest) -> HttpResponse:
    """Give the ticked conversations (waiting or held) to one agent, or send them back to the
    queue, each through the conversation's action: its own transaction, permission check,
    event and load counts."""
    supervisor_user = _user(request)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    try:
        outcome = conversation_actions.for_each_conversation(
            supervisor_user, ids, _reassignment(request.POST.get("assignee", ""))
        )
    except DomainError as exc:
        summary, refusals = "", [exc.message]
    else:
        summary = ngettext(
            "%(count)d conversation reassigned.", "%(count)d conversations reassigned.",
            len(outcome.done),
        ) % {"count": len(outcome.done)}
        refusals = [
            gettext("#%(id)d: %(reason)s") % {"id": pk, "reason": reason}
            for pk, reason in outcome.refused.items()
        ]
    if not request.htmx:
        if summary:
            messages.success(request, summary)
        for refusal in refusals:
            messages.error(request, refusal)
        return HttpResponseRedirect(reverse("routing:supervisor"))
    context = {**_supervisor_context(), "summary": summary, "refusals": refusals}
    return render(request, "routing/_supervisor_live.html", context)
