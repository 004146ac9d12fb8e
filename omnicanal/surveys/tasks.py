"""Background survey work."""

from __future__ import annotations

from django_tasks import task

from omnicanal.surveys import actions


@task()
def send_due_surveys() -> int:
    """Periodic (PERIODIC_TASKS): send the surveys whose day has come (NPS some days after
    the resolution, and any a crash kept from going out on it) and expire the unanswered;
    returns how many were sent."""
    return actions.send_due_surveys()
