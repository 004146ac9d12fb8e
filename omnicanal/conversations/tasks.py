"""Background conversation work."""

from __future__ import annotations

from django_tasks import task

from omnicanal.conversations.outbox import process_pending_events


@task()
def dispatch_pending_events() -> int:
    """Periodic catch-up of events whose dispatch after commit never ran."""
    return process_pending_events()
