"""Running the database task queue inside a test, as `omnicanal db_worker` would."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult


def run_ready_tasks() -> list[Any]:
    """Run every task that is due, oldest first, including those the tasks enqueue; returns
    their results. In the test's own transaction, unlike a worker thread."""
    results = []
    while (row := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        row.claim("test-worker")
        task_result = row.task_result
        value = row.task.call(*task_result.args, **task_result.kwargs)
        row.set_successful(value)
        results.append(value)
    return results
