"""Background conversation work."""

from __future__ import annotations

from django_tasks import task

from omnicanal.conversations.actions import wake_due_conversations


@task()
def wake_snoozed() -> int:
    """Reopen the snoozed conversations whose time has come (scheduled every minute through
    PERIODIC_TASKS); returns how many woke."""
    return len(wake_due_conversations())
