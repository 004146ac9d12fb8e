"""Periodic tasks: enqueued at their intervals for the task worker to run.

`settings.PERIODIC_TASKS` maps a task's dotted path to its interval in seconds. A task is
due when it was never enqueued or its interval has passed since it last was. Which process
enqueues does not matter: the claim is a conditional UPDATE of the task's row, so the thread
of every `omnicanal serve` and a cron line running `omnicanal tick` can all run at once and
each run is enqueued once. The tasks themselves run in the worker, never in the scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from omnicanal.core.tasks import close_abandoned, running_since_before
from omnicanal.web.models import PeriodicTaskRun

logger = logging.getLogger(__name__)

# The scheduler thread never sleeps longer than this, so that a task added to the settings or
# enqueued by another process is seen in reasonable time.
MAX_SLEEP_SECONDS = 30.0
MIN_SLEEP_SECONDS = 1.0


def periodic_tasks() -> dict[str, float]:
    configured: Mapping[str, Any] = getattr(settings, "PERIODIC_TASKS", {})
    checked = {}
    for path, interval in configured.items():
        if not isinstance(interval, int | float) or isinstance(interval, bool) or interval <= 0:
            raise ValueError(f"PERIODIC_TASKS[{path!r}] must be a number of seconds > 0.")
        checked[path] = float(interval)
    return checked


def enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic task that is due; returns their paths."""
    now = now or timezone.now()
    tasks = periodic_tasks()
    last = _last_enqueued(tasks)
    enqueued = []
    for path, interval in tasks.items():
        task = import_string(path)
        enqueued_at = last.get(path)
        if path not in last:
            PeriodicTaskRun.objects.get_or_create(task_path=path)
        elif enqueued_at is not None and (now - enqueued_at).total_seconds() < interval:
            # Not due: no write transaction (on SQLite, one would take the database's lock).
            continue
        is_due = Q(last_enqueued_at__isnull=True) | Q(
            last_enqueued_at__lte=now - dt.timedelta(seconds=interval)
        )
        with transaction.atomic():
            claimed = PeriodicTaskRun.objects.filter(is_due, task_path=path).update(
                last_enqueued_at=now
            )
            if claimed:
                # With the claim: a crash cannot record a run that was never enqueued.
                task.enqueue()
                enqueued.append(path)
    return enqueued


def seconds_until_next(*, now: dt.datetime | None = None) -> float:
    """How long until the next task is due, as far as the rows say."""
    now = now or timezone.now()
    tasks = periodic_tasks()
    if not tasks:
        return MAX_SLEEP_SECONDS
    last = _last_enqueued(tasks)
    waits = []
    for path, interval in tasks.items():
        enqueued_at = last.get(path)
        if enqueued_at is None:
            return MIN_SLEEP_SECONDS
        waits.append((enqueued_at - now).total_seconds() + interval)
    return max(MIN_SLEEP_SECONDS, min(MAX_SLEEP_SECONDS, min(waits)))


def _last_enqueued(paths: Collection[str]) -> dict[str, dt.datetime | None]:
    return dict(
        PeriodicTaskRun.objects.filter(task_path__in=paths).values_list(
            "task_path", "last_enqueued_at"
        )
    )


def recover_abandoned_tasks(*, now: dt.datetime | None = None) -> list[str]:
    """Task rows RUNNING for longer than any task of ours takes (`TASK_ABANDONED_AFTER_SECONDS`)
    lost their worker to a kill: closed as failed and, except periodic tasks (their next run
    comes anyway), enqueued again. Returns the paths enqueued again."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TASK_ABANDONED_AFTER_SECONDS)
    periodic = periodic_tasks()
    again = []
    with transaction.atomic():
        for row in running_since_before(cutoff).select_for_update(skip_locked=True):
            if not close_abandoned(DBTaskResult.objects.filter(pk=row.pk),
                                   "Its worker stopped; enqueued again."):
                continue
            if row.task_path in periodic:
                continue
            arguments = row.args_kwargs
            import_string(row.task_path).using(
                queue_name=row.queue_name, priority=row.priority
            ).enqueue(*arguments.get("args", []), **arguments.get("kwargs", {}))
            again.append(row.task_path)
    if again:
        logger.warning("enqueued again %s task(s) whose worker died: %s", len(again), again)
    return again


@task()
def recover_abandoned() -> int:
    """Periodic (PERIODIC_TASKS): `recover_abandoned_tasks`."""
    return len(recover_abandoned_tasks())


class Scheduler(threading.Thread):
    """Enqueues due periodic tasks until `stop()`; runs beside the ASGI server."""

    def __init__(self) -> None:
        super().__init__(name="omnicanal-scheduler", daemon=True)
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                delay = MAX_SLEEP_SECONDS
                try:
                    enqueue_due()
                    delay = seconds_until_next()
                except Exception:
                    # A database that is briefly unreachable must not end the scheduling.
                    logger.exception("Enqueuing periodic tasks failed; retrying.")
                close_old_connections()
                self._stopping.wait(delay)
        finally:
            connection.close()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.join(timeout)
