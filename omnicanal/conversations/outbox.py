"""Consumers of the outbox: code that reacts to domain events (automations, SLA clocks,
notifications, sends) subscribes here instead of being called from every action that emits
them.

An event with subscribers is dispatched right after its transaction commits, in the process
that wrote it, so a rule that assigns on arrival has acted before the webhook is answered.
Should that process die between commit and dispatch, the event stays unprocessed and
`process_pending_events()` (a periodic task) dispatches it later: nothing is lost. Each
event's handlers run in the event's own transaction, which marks it processed, so an event is
handled once even when several processes catch up at the same time.

A handler that raises is rolled back alone (a savepoint each) and recorded as a
`HandlerRun` for that subscriber only, in the same transaction that marks the event
processed: the other subscribers ran once and are never re-run, this one is retried by
`retry_due_handler_runs()` with back-off, then kept as failed for an administrator to see
and retry. Nothing is marked done that did not happen.

Handlers must be quick database work: anything that talks to the network enqueues a task.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.conversations.models import HandlerRun, HandlerRunStatus, OutboxEvent
from omnicanal.core.exceptions import Conflict, NotFound

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]

# kind -> subscriber name -> handler, in subscription order.
_subscribers: defaultdict[str, dict[str, Handler]] = defaultdict(dict)


def subscriber_name(handler: Handler) -> str:
    """The stable name a failed run is recorded under: it must survive a restart, since the
    retry finds the handler again by it."""
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(kind: str, handler: Handler, *, name: str = "") -> None:
    """Call from an AppConfig.ready(); handlers of one kind run in subscription order.
    `name` replaces the default module.qualname (for a handler built at run time)."""
    name = name or subscriber_name(handler)
    known = _subscribers[kind].get(name)
    if known is not None and known is not handler:
        raise ValueError(f"Another handler of {kind!r} is already named {name!r}.")
    _subscribers[kind][name] = handler


def has_subscribers(kind: str) -> bool:
    return bool(_subscribers.get(kind))


# Events written by this thread's transactions and not yet dispatched: the first after-commit
# callback hands them all to one dispatch transaction, instead of one transaction each (an
# arrival writes two or three events). A callback per event all the same, because Django
# drops the callbacks of a rolled-back savepoint; ids of rolled-back events find no row.
_written = threading.local()


def dispatch_after_commit(event_id: int) -> None:
    if not hasattr(_written, "ids"):
        _written.ids = []
    _written.ids.append(event_id)
    transaction.on_commit(_dispatch_written)


def _dispatch_written() -> None:
    event_ids, _written.ids = getattr(_written, "ids", []), []
    if not event_ids:
        return
    try:
        dispatch_many(event_ids)
    except DatabaseError:
        # What caused the events is committed and its caller must hear so (a provider
        # would otherwise retry a stored message): the events stay pending, and
        # process_pending_events() dispatches them shortly.
        logger.warning("dispatch of events %s deferred", event_ids, exc_info=True)


def forget_written() -> None:
    """Drop the ids of events whose transaction never committed (a test's rolled back
    transaction): harmless to dispatch, but a test expects its own events alone."""
    _written.ids = []


def dispatch(event_id: int) -> bool:
    """Run the event's handlers once; False when it was already handled (or is being handled
    by another process right now)."""
    return dispatch_many([event_id]) == 1


def dispatch_many(event_ids: list[int]) -> int:
    """Run the handlers of those events still pending, oldest first, in one transaction that
    marks them processed; returns how many were handled here."""
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk__in=event_ids, processed_at__isnull=True)
            .order_by("pk")
        )
        for event in events:
            for name, handler in list(_subscribers.get(event.kind, {}).items()):
                error = _run(handler, event, name)
                if error:
                    HandlerRun.objects.create(
                        event=event, subscriber=name, attempts=1, last_error=error,
                        next_attempt_at=timezone.now() + handler_retry_delay(1),
                    )
        OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(
            processed_at=timezone.now()
        )
    return len(events)


def process_pending_events(limit: int = 500, batch: int = 50) -> int:
    """Dispatch what a crashed or busy process left behind, oldest first."""
    pending = list(
        OutboxEvent.objects.filter(processed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(
        dispatch_many(pending[start:start + batch]) for start in range(0, len(pending), batch)
    )


def _run(handler: Handler, event: OutboxEvent, name: str) -> str:
    """Run one handler in a savepoint; returns its error ("" when it succeeded). The
    savepoint undoes a failing handler's half-done work and nothing else."""
    try:
        with transaction.atomic():
            handler(event)
    except Exception as exc:
        logger.exception("event %s (%s): handler %s failed", event.pk, event.kind, name)
        return "".join(traceback.format_exception_only(exc)).strip()[:4000]
    return ""


def handler_retry_delay(attempts: int) -> dt.timedelta:
    """After the n-th failed run: base, twice the base, four times… capped at an hour."""
    base = settings.OUTBOX_HANDLER_RETRY_BASE_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


def retry_handler_run(run: HandlerRun, *, now: dt.datetime | None = None) -> bool:
    """Run a recorded subscriber once more on its event. The caller holds `run` locked in
    its transaction. Returns whether it succeeded; a failure counts an attempt and either
    schedules the next one or, at the limit, leaves the run failed."""
    event = run.event
    handler = _subscribers.get(event.kind, {}).get(run.subscriber)
    now = now or timezone.now()
    run.attempts += 1
    if handler is None:
        # Renamed or removed since: nothing can run it, an administrator has to know.
        error = f"No subscriber named {run.subscriber} handles {event.kind} any more."
    else:
        error = _run(handler, event, run.subscriber)
    if not error:
        run.status = HandlerRunStatus.SUCCEEDED
        run.next_attempt_at = None
    else:
        run.last_error = error
        if handler is None or run.attempts >= settings.OUTBOX_HANDLER_MAX_ATTEMPTS:
            run.status = HandlerRunStatus.FAILED
            run.next_attempt_at = None
        else:
            run.status = HandlerRunStatus.RETRYING
            run.next_attempt_at = now + handler_retry_delay(run.attempts)
    run.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "updated_at"])
    return not error


def retry_due_handler_runs(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Retry the failed subscribers whose back-off has passed (that subscriber only, never
    the event's others); returns how many runs were tried. Locked rows are another
    process's retry in progress and are skipped."""
    now = now or timezone.now()
    due = list(
        HandlerRun.objects.filter(status=HandlerRunStatus.RETRYING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    tried = 0
    for run_id in due:
        with transaction.atomic():
            run = (
                HandlerRun.objects.select_for_update(skip_locked=True)
                .select_related("event")
                .filter(pk=run_id, status=HandlerRunStatus.RETRYING, next_attempt_at__lte=now)
                .first()
            )
            if run is None:
                continue
            retry_handler_run(run, now=now)
            tried += 1
    return tried


def retry_failed_run(user: User, run_id: int) -> HandlerRun:
    """An administrator's "retry" on a failed subscriber: one more run at once, audited. A
    failure leaves it failed with the new error (it is in front of the administrator)."""
    require_administrator(user)
    with transaction.atomic():
        run = (
            HandlerRun.objects.select_for_update()
            .select_related("event")
            .filter(pk=run_id)
            .first()
        )
        if run is None:
            raise NotFound(_("No failed handler run %(id)s."), id=run_id)
        if run.status != HandlerRunStatus.FAILED:
            raise Conflict(_("This handler run is not failed (any more)."))
        succeeded = retry_handler_run(run)
        if not succeeded and run.status == HandlerRunStatus.RETRYING:
            # Below the limit again only if the limit was raised since: one manual run, then
            # it stays in front of the administrator rather than being retried in the back.
            run.status = HandlerRunStatus.FAILED
            run.next_attempt_at = None
            run.save(update_fields=["status", "next_attempt_at", "updated_at"])
        record_audit(
            user, "handler_run.retried", run, subscriber=run.subscriber,
            event_id=run.event_id, succeeded=succeeded,
        )
    return run
