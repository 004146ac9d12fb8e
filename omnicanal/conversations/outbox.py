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


def dispatch_after_commit(event_id: int) -> None:
    transaction.on_commit(lambda: dispatch(event_id))


def dispatch(event_id: int) -> bool:
    """Run the event's handlers once; False when it was already handled (or is being handled
    by another process right now)."""
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        for handler in _subscribers.get(event.kind, []):
            try:
                # A savepoint each: one failing consumer must not undo what the others did,
                # nor keep the event pending forever (it would fail the same way each time).
                with transaction.atomic():
                    handler(event)
            except Exception:
                logger.exception("event %s (%s): handler %s failed", event.pk, event.kind,
                                 getattr(handler, "__qualname__", handler))
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
    return True


def process_pending_events(limit: int = 500) -> int:
    """Dispatch what a crashed or busy process left behind, oldest first."""
    pending = list(
        OutboxEvent.objects.filter(processed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(dispatch(event_id) for event_id in pending)
