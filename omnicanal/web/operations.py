"""What administrators watch: event handlers that failed for good (with a retry), and the
health endpoint that monitors and load balancers poll."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import (
    HtmxHttpRequest,
    administrator_required,
    request_agent,
)
from omnicanal.accounts.models import User
from omnicanal.conversations import outbox
from omnicanal.conversations.actions import stalled_sends
from omnicanal.conversations.models import (
    DeliveryStatus,
    Direction,
    HandlerRun,
    HandlerRunStatus,
    Message,
    OutboxEvent,
)
from omnicanal.core.exceptions import DomainError

logger = logging.getLogger(__name__)

FAILURES_SHOWN = 200


@require_GET
@administrator_required
def failures_page(request: HtmxHttpRequest) -> HttpResponse:
    """Event handlers that failed every retry, newest first, each with its error and a
    retry button; below them, those still being retried."""
    runs = HandlerRun.objects.select_related("event").order_by("-updated_at", "-pk")
    return render(request, "web/failures.html", {
        "section": "failures",
        "failed_runs": list(runs.filter(status=HandlerRunStatus.FAILED)[:FAILURES_SHOWN]),
        "retrying_runs": list(runs.filter(status=HandlerRunStatus.RETRYING)[:FAILURES_SHOWN]),
        "max_attempts": settings.OUTBOX_HANDLER_MAX_ATTEMPTS,
    })


@require_POST
@administrator_required
def failure_retry(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    """Run a failed handler once more now (audited); the page says how it went."""
    try:
        run = outbox.retry_failed_run(request_agent(request), run_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if run.status == HandlerRunStatus.SUCCEEDED:
            messages.success(request, gettext("The handler ran successfully."))
        else:
            messages.error(request, gettext("The handler failed again; its new error is shown."))
    return redirect("web:failures")


# Health.


def _may_see_counts(request: HttpRequest) -> bool:
    """The counts are for monitoring (the HEALTH_TOKEN bearer) and administrators; anyone
    else (a load balancer's probe) gets the status alone."""
    token = settings.HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    user = getattr(request, "user", None)
    return isinstance(user, User) and user.is_active and user.is_administrator


def health_report(now: dt.datetime | None = None) -> dict[str, Any]:
    """Counts only: no ids, no names, no text. Raises DatabaseError when the database
    does not answer."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.HEALTH_EVENTS_STALE_AFTER_SECONDS)
    pending_events = OutboxEvent.objects.filter(processed_at__isnull=True)
    runs = HandlerRun.objects.all()
    return {
        "events_pending": pending_events.count(),
        "events_stale": pending_events.filter(created_at__lt=stale_before).count(),
        "handler_runs_retrying": runs.filter(status=HandlerRunStatus.RETRYING).count(),
        "handler_runs_failed": runs.filter(status=HandlerRunStatus.FAILED).count(),
        "sends_pending": Message.objects.filter(
            direction=Direction.OUTGOING, delivery_status=DeliveryStatus.PENDING
        ).count(),
        "sends_stalled": stalled_sends(now).count(),
    }


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and background work keeps up; 503 when the database is
    unreachable or events or sends are stuck (no worker is running them). Failed handler
    runs need an administrator but do not make the service unavailable: counted, 200."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report = health_report()
    except DatabaseError:
        logger.exception("health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if report["events_stale"] or report["sends_stalled"]:
        status = "unavailable"
    elif report["handler_runs_failed"]:
        status = "failing"
    else:
        status = "ok"
    body: dict[str, Any] = {"status": status, "database": "ok"}
    if _may_see_counts(request):
        body.update(report)
    return JsonResponse(body, status=503 if status == "unavailable" else 200)
