"""Run queued tasks inside a test, as the worker would, so that a test asserts what they did.

pytest-django's `db` fixture keeps each test in one transaction that is rolled back, so
neither `transaction.on_commit` callbacks nor the task worker run by themselves: a test that
asserts that something was *not* sent passes whether or not the code would have sent it. Such
a test runs the action under `django_capture_on_commit_callbacks(execute=True)`, then
`run_queued_tasks()`, then looks at what the outside world received.
"""

from __future__ import annotations

from typing import Any

from django.test import TestCase
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

# A retry that re-enqueues itself for now would loop for ever; no test needs this many.
MAX_TASKS = 200


def run_queued_tasks() -> list[Any]:
    """Run every task that is ready (and those they enqueue that are ready too) in the
    worker's order, in this thread and transaction, with db_worker's own bookkeeping (claim,
    result, failure). Tasks scheduled for later (retries) stay queued. Returns what the tasks
    returned, in the order they ran."""
    # Worker.run() is not used: it closes "old" connections (the test's, inside its
    # transaction) and takes SQLite's exclusive lock; run_task() is the part that runs one.
    worker = Worker(
        queue_names=["*"], excluded_queue_names=[], interval=0, batch=True,
        backend_name="default", startup_delay=False, max_tasks=None, worker_id="test-worker",
    )
    ran: list[str] = []
    returned: list[Any] = []
    while (task_result := DBTaskResult.objects.ready().first()):
        if len(ran) >= MAX_TASKS:
            raise AssertionError(f"more than {MAX_TASKS} tasks ran: {sorted(set(ran))}")
        # The worker runs in autocommit: what a task defers to its commit (a retry, an
        # event's dispatch) happens as soon as it returns.
        with TestCase.captureOnCommitCallbacks(execute=True):
            task_result.claim(worker.worker_id)
            worker.run_task(task_result)
        ran.append(task_result.task_path)
        task_result.refresh_from_db()
        returned.append(task_result.return_value)
    return returned
