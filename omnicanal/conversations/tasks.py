"""Background conversation work."""

from __future__ import annotations

from django_tasks import task

from omnicanal.conversations.actions import wake_due_conversations
from omnicanal.conversations.outbox import process_pending_events, retry_due_handler_runs


@task()
def wake_snoozed() -> int:
    """Reopen the snoozed conversations whose time has come (scheduled every minute through
    PERIODIC_TASKS); returns how many woke."""
    return len(wake_due_conversations())


@task()
def dispatch_pending_events() -> int:
    """Periodic catch-up of events whose dispatch after commit never ran, then of the
    failed subscribers whose retry is due; returns how many of both were handled."""
    return process_pending_events() + retry_due_handler_runs()
