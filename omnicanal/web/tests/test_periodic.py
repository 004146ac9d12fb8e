"""Periodic tasks: each is enqueued when its interval has passed, once, whoever asks."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Status
from omnicanal.web.periodic import Scheduler, enqueue_due

pytestmark = pytest.mark.django_db

SWEEP = "omnicanal.routing.tasks.sweep_queue"
WAKE = "omnicanal.conversations.tasks.wake_snoozed"


@pytest.fixture(autouse=True)
def two_periodic_tasks(settings: Any) -> None:
    settings.PERIODIC_TASKS = {SWEEP: 30, WAKE: 60}


def queued() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_each_task_is_enqueued_when_its_interval_has_passed_and_not_before(
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(enqueue_due(now=start)) == [WAKE, SWEEP]
        assert enqueue_due(now=start + dt.timedelta(seconds=29)) == []
        assert enqueue_due(now=start + dt.timedelta(seconds=30)) == [SWEEP]
        assert enqueue_due(now=start + dt.timedelta(seconds=45)) == []
        assert sorted(enqueue_due(now=start + dt.timedelta(seconds=61))) == [WAKE, SWEEP]

    assert queued() == [WAKE, WAKE, SWEEP, SWEEP, SWEEP]


def test_the_tick_command_enqueues_what_is_due_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tick", stdout=out)
        # A second scheduler right after (the serve thread, another cron line): nothing due.
        call_command("tick", stdout=out)

    assert queued() == [WAKE, SWEEP]
    assert out.getvalue().count("Enqueued") == 2


def test_the_worker_runs_the_enqueued_wake_up_and_a_due_snoozed_conversation_reopens(
    django_capture_on_commit_callbacks: Any, settings: Any, agent: User, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    actions.snooze(agent, conversation_id, until=timezone.now() + dt.timedelta(minutes=5))
    # Five minutes later, as far as the conversation is concerned.
    Conversation.objects.filter(pk=conversation_id).update(
        snoozed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    settings.PERIODIC_TASKS = {WAKE: 60}

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_due()
    # What the worker does with the row it claims.
    enqueued = DBTaskResult.objects.get()
    enqueued.task.call(*enqueued.args_kwargs["args"], **enqueued.args_kwargs["kwargs"])

    assert Conversation.objects.get(pk=conversation_id).status == Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_enqueues_due_tasks_and_stops_when_asked() -> None:
    scheduler = Scheduler()
    scheduler.start()
    try:
        deadline = timezone.now() + dt.timedelta(seconds=10)
        while len(queued()) < 2 and timezone.now() < deadline:
            scheduler.join(0.05)
    finally:
        scheduler.stop()

    assert not scheduler.is_alive()
    assert queued() == [WAKE, SWEEP]


def test_a_task_whose_worker_was_killed_is_closed_and_run_again(settings: Any) -> None:
    from omnicanal.connectors.media import fetch_attachment
    from omnicanal.routing.tasks import sweep_queue
    from omnicanal.web.periodic import recover_abandoned_tasks

    settings.TASK_ABANDONED_AFTER_SECONDS = 900
    killed_fetch = fetch_attachment.enqueue(12345)
    killed_sweep = sweep_queue.enqueue()
    running_now = fetch_attachment.enqueue(678)
    for result in (killed_fetch, killed_sweep, running_now):
        DBTaskResult.objects.get(pk=result.id).claim("a-worker")
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    DBTaskResult.objects.filter(pk__in=[killed_fetch.id, killed_sweep.id]).update(
        started_at=an_hour_ago
    )

    assert recover_abandoned_tasks() == ["omnicanal.connectors.media.fetch_attachment"]

    statuses = {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}
    assert statuses[killed_fetch.id] == "FAILED"
    assert statuses[killed_sweep.id] == "FAILED"
    assert statuses[running_now.id] == "RUNNING"  # a live worker's task is left alone
    # The fetch runs again with its arguments; the sweep waits for its next period.
    again = DBTaskResult.objects.exclude(
        pk__in=[killed_fetch.id, killed_sweep.id, running_now.id]
    ).get()
    assert (again.task_path, again.args_kwargs["args"], again.status) == (
        "omnicanal.connectors.media.fetch_attachment", [12345], "READY"
    )
    assert recover_abandoned_tasks() == []
