"""Background routing work."""

from __future__ import annotations

from django_tasks import task

from omnicanal.routing.actions import assign_waiting


@task()
def sweep_queue() -> int:
    """The full sweep, to schedule every minute or so: the dispatch after each event looks
    only at what the event changed, so a dispatch that failed, or skipped rows another
    transaction held three times over, leaves work that only a full sweep finds."""
    return len(assign_waiting())
