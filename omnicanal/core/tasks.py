"""The task queue's rows whose worker died: the database backend has no heartbeat, so a worker
killed mid-task leaves its row RUNNING for ever. Closing them keeps the queue's own view true;
what runs them again is the caller's choice (every task of ours is safe to run twice: sends
claim their message, fetches and mails check what is done, webhooks carry the event's id)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

WORKER_LOST = "omnicanal.core.tasks.WorkerLost"


def running_since_before(cutoff: dt.datetime) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)


def close_abandoned(rows: QuerySet[DBTaskResult], reason: str) -> int:
    """Mark these RUNNING rows failed, with why; returns how many were still running."""
    return rows.filter(status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback=reason,
    )
