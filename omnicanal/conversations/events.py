"""Domain events: an outbox row in the writer's transaction, a realtime push after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from omnicanal.conversations import outbox
from omnicanal.conversations.models import Conversation, OutboxEvent

logger = logging.getLogger(__name__)

EventKind = Literal[
    "conversation.created",
    "conversation.assigned",
    "conversation.status_changed",
    "conversation.updated",
    # The bot gave the conversation to the team: routing queues it like a new arrival.
    "conversation.handed_over",
    "message.created",
    "message.status_changed",
    "sla.warning",
    "sla.breached",
    "automation.notify",
    "conversation.triaged",
    # A customer answered a survey (the surveys app; payload: response_id, kind, score).
    "survey.answered",
]

# Every agent's workspace listens here; pages filter what concerns them.
WORKSPACE_GROUP = "workspace"

_is_realtime_paused: ContextVar[bool] = ContextVar("is_realtime_paused", default=False)
# What caused the events recorded now ("automation" while rules apply their actions): a
# consumer can tell its own consequences apart, which is how rules avoid triggering rules.
_cause: ContextVar[str] = ContextVar("event_cause", default="")


@contextmanager
def caused_by(cause: str) -> Iterator[None]:
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


@contextmanager
def realtime_paused() -> Iterator[None]:
    """No pushes while importing history: thousands of old events would flood every open
    workspace. The outbox rows are still written."""
    token = _is_realtime_paused.set(True)
    try:
        yield
    finally:
        _is_realtime_paused.reset(token)


def record_event(
    kind: EventKind, conversation: Conversation, /, **payload: Any
) -> OutboxEvent:
    """Write the event with the caller's transaction; after commit, push it to open workspaces
    and hand it to its subscribers (an event nobody subscribes to is stored as processed)."""
    body = {
        "conversation_id": conversation.pk,
        "inbox_id": conversation.inbox_id,
        "contact_id": conversation.contact_id,
        "assignee_id": conversation.assignee_id,
        "status": conversation.status,
        **payload,
    }
    if _cause.get():
        body["cause"] = _cause.get()
    if _is_realtime_paused.get():
        # An import's event: its subscribers' own events stay quiet too.
        body["quiet"] = True
    has_subscribers = outbox.has_subscribers(kind)
    event = OutboxEvent.objects.create(
        kind=kind,
        conversation=conversation,
        payload=body,
        processed_at=None if has_subscribers else timezone.now(),
    )
    if not _is_realtime_paused.get():
        message = {"type": "omnicanal.event", "event": event.as_dict()}
        transaction.on_commit(lambda: push_realtime(message))
    if has_subscribers:
        outbox.dispatch_after_commit(event.pk)
    return event


def push_realtime(message: dict[str, Any]) -> None:
    # Realtime is a convenience on top of the durable outbox: a failed push loses nothing, the
    # agent's next page load shows the state, so it is logged and never raised.
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # One group: a page filters the events it shows. async_to_sync costs about a
        # millisecond outside an event loop (worker, CLI), so every extra group doubles it.
        async_to_sync(layer.group_send)(WORKSPACE_GROUP, message)
    except Exception:
        logger.exception("realtime push failed for %s", message["event"]["kind"])
