"""Consumers of the outbox: code that reacts to domain events (automations, SLA clocks,
notifications) subscribes here instead of being called from every action that emits them.

An event with subscribers is dispatched right after its transaction commits, in the process
that wrote it, so a rule that assigns on arrival has acted before the webhook is answered.
Should that process die between commit and dispatch, the event stays unprocessed and
`process_pending_events()` (a periodic task) dispatches it later: nothing is lost. Each
event's handlers run in the event's own transaction, which marks it processed, so an event is
handled once even when several processes catch up at the same time.

Handlers must be quick database work: anything that talks to the network enqueues a task.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from omnicanal.conversations.models import OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]

_subscribers: defaultdict[str, list[Handler]] = defaultdict(list)


def subscribe(kind: str, handler: Handler) -> None:
    """Call from an AppConfig.ready(); handlers of one kind run in subscription order."""
    if handler not in _subscribers[kind]:
        _subscribers[kind].append(handler)


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
    if event_ids:
        dispatch_many(event_ids)


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
            for handler in _subscribers.get(event.kind, []):
                try:
                    # A savepoint each: one failing consumer must not undo what the others
                    # did, nor keep the event pending forever (it would fail the same way).
                    with transaction.atomic():
                        handler(event)
                except Exception:
                    logger.exception("event %s (%s): handler %s failed", event.pk, event.kind,
                                     getattr(handler, "__qualname__", handler))
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
