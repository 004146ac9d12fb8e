"""Background routing work."""

from __future__ import annotations

from django_tasks import task

from omnicanal.routing import sla
from omnicanal.routing.actions import assign_waiting


@task()
def sweep_queue() -> int:
    """The full sweep, to schedule every minute or so: the dispatch after each event looks
    only at what the event changed, so a dispatch that failed, or skipped rows another
    transaction held three times over, leaves work that only a full sweep finds."""
    return len(assign_waiting())


@task()
def check_sla_clocks() -> dict[str, int]:
    """Record SLA warnings and breaches that came due; to schedule every minute. An event is
    recorded once per clock however often this runs, or however many run at once."""
    outcome = sla.check_sla_clocks()
    return {"warnings": outcome.warnings, "breaches": outcome.breaches}
