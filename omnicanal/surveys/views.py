"""Detractor follow-ups for supervisors: what the customer said, on which conversation, about
whom, and marking the follow-up done with a note. Thin: `surveys.actions` decides who sees
and who may close what."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, request_agent, supervisor_required
from omnicanal.core.exceptions import DomainError
from omnicanal.surveys import actions
from omnicanal.surveys.models import FollowUpStatus

PAGE_SIZE = 200


@require_GET
@supervisor_required
def follow_ups(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status", FollowUpStatus.OPEN)
    if status not in FollowUpStatus.values:
        status = FollowUpStatus.OPEN
    tasks = actions.follow_ups_for(request_agent(request), status=status).order_by(
        "-created_at", "-pk"
    )[:PAGE_SIZE]
    return render(request, "surveys/follow_ups.html", {
        "section": "supervisor", "tasks": tasks, "status": status,
        "open_count": actions.follow_ups_for(request_agent(request)).count(),
    })


@require_POST
@supervisor_required
def follow_up_done(request: HtmxHttpRequest, task_id: int) -> HttpResponse:
    try:
        actions.complete_follow_up(request_agent(request), task_id, request.POST.get("note", ""))
    except DomainError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    messages.success(request, gettext("Follow-up marked done."))
    return HttpResponseRedirect(reverse("surveys:follow_ups"))
