"""Outbox consumers: handled once after commit, caught up after a crash, failures retried per
subscriber then kept as failed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    HandlerRun,
    HandlerRunStatus,
    Inbox,
    Label,
    OutboxEvent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_tests_subscribers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's own subscribers (automation rules) would add events and handlers to
    every count here; these tests are about the outbox alone."""
    monkeypatch.setattr(outbox, "_subscribers", defaultdict(dict))


@pytest.fixture
def subscribe() -> Callable[[str, outbox.Handler], None]:
    return outbox.subscribe


def test_a_subscriber_sees_each_new_message_once_right_after_commit(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[str] = []
    subscribe("message.created", lambda event: seen.append(event.payload["direction"]))

    with django_capture_on_commit_callbacks(execute=True):
        ingest(api_inbox, inbound("m-1", "Bonjour"))

    assert seen == ["incoming"]
    event = OutboxEvent.objects.get(kind="message.created")
    assert event.processed_at is not None
    assert outbox.dispatch(event.pk) is False
    assert seen == ["incoming"]


def test_events_nobody_subscribes_to_are_stored_as_processed(api_inbox: Inbox) -> None:
    ingest(api_inbox, inbound("m-1", "Bonjour"))

    assert OutboxEvent.objects.exists()
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()


def test_events_left_pending_by_a_crash_are_caught_up_once(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None]
) -> None:
    seen: list[int] = []
    subscribe("message.created", lambda event: seen.append(event.pk))
    # Without the after-commit callbacks, as if the process died right after the commit.
    ingest(api_inbox, inbound("m-1", "Bonjour"))
    ingest(api_inbox, inbound("m-2", "Toujours là ?"))

    assert outbox.process_pending_events() == 2
    assert outbox.process_pending_events() == 0
    assert len(seen) == 2 and seen == sorted(seen)


def test_a_failing_handler_is_rolled_back_alone_and_recorded_for_retry(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None]
) -> None:
    def half_done_then_broken(event: OutboxEvent) -> None:
        Label.objects.create(name="half-done")
        raise RuntimeError("boom")

    def working(event: OutboxEvent) -> None:
        Label.objects.create(name="done")

    subscribe("message.created", half_done_then_broken)
    subscribe("message.created", working)
    ingest(api_inbox, inbound("m-1", "Bonjour"))

    assert outbox.process_pending_events() == 1
    assert list(Label.objects.values_list("name", flat=True)) == ["done"]
    # The event is done for the subscriber that ran; the broken one is owed a retry, not
    # dropped: nothing is marked done that did not happen.
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    run = HandlerRun.objects.get()
    assert run.subscriber.endswith("half_done_then_broken")
    assert run.status == HandlerRunStatus.RETRYING
    assert run.attempts == 1
    assert "RuntimeError: boom" in run.last_error


def test_a_failing_subscriber_is_retried_alone_with_back_off_then_kept_as_failed(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None], settings: Any
) -> None:
    settings.OUTBOX_HANDLER_MAX_ATTEMPTS = 3
    settings.OUTBOX_HANDLER_RETRY_BASE_SECONDS = 30
    runs: dict[str, int] = defaultdict(int)

    def always_broken(event: OutboxEvent) -> None:
        runs["broken"] += 1
        raise TimeoutError("lock timeout")

    def working(event: OutboxEvent) -> None:
        runs["working"] += 1

    subscribe("message.created", always_broken)
    subscribe("message.created", working)
    ingest(api_inbox, inbound("m-1", "Bonjour"))
    outbox.process_pending_events()
    run = HandlerRun.objects.get()
    first_due = run.next_attempt_at
    assert first_due is not None

    # Not due yet: nothing runs.
    assert outbox.retry_due_handler_runs(now=first_due - dt.timedelta(seconds=1)) == 0
    assert outbox.retry_due_handler_runs(now=first_due) == 1
    run.refresh_from_db()
    assert (run.attempts, run.status) == (2, HandlerRunStatus.RETRYING)
    assert run.next_attempt_at is not None
    # The back-off doubles: the second wait is longer than the first.
    assert run.next_attempt_at - first_due >= dt.timedelta(seconds=60)

    assert outbox.retry_due_handler_runs(now=run.next_attempt_at) == 1
    run.refresh_from_db()
    assert (run.attempts, run.status) == (3, HandlerRunStatus.FAILED)
    assert run.next_attempt_at is None
    assert "TimeoutError: lock timeout" in run.last_error
    assert outbox.retry_due_handler_runs(now=timezone.now() + dt.timedelta(days=1)) == 0
    # The other subscriber of the same event ran exactly once.
    assert runs == {"broken": 3, "working": 1}


def test_a_retry_that_succeeds_is_recorded_as_succeeded(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None]
) -> None:
    attempts: list[int] = []

    def flaky(event: OutboxEvent) -> None:
        attempts.append(event.pk)
        if len(attempts) == 1:
            raise RuntimeError("first time unlucky")
        Label.objects.create(name="done at last")

    subscribe("message.created", flaky)
    ingest(api_inbox, inbound("m-1", "Bonjour"))
    outbox.process_pending_events()

    assert outbox.retry_due_handler_runs(now=timezone.now() + dt.timedelta(hours=1)) == 1
    run = HandlerRun.objects.get()
    assert run.status == HandlerRunStatus.SUCCEEDED
    assert Label.objects.filter(name="done at last").exists()


def test_a_subscriber_gone_since_its_failure_is_kept_as_failed(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(event: OutboxEvent) -> None:
        raise RuntimeError("boom")

    subscribe("message.created", broken)
    ingest(api_inbox, inbound("m-1", "Bonjour"))
    outbox.process_pending_events()
    monkeypatch.setattr(outbox, "_subscribers", defaultdict(dict))

    outbox.retry_due_handler_runs(now=timezone.now() + dt.timedelta(hours=1))

    run = HandlerRun.objects.get()
    assert run.status == HandlerRunStatus.FAILED
    assert "No subscriber named" in run.last_error


def test_two_handlers_with_one_name_are_refused(
    subscribe: Callable[..., None],
) -> None:
    subscribe("message.created", lambda event: None, name="same")

    with pytest.raises(ValueError, match="already named"):
        subscribe("message.created", lambda event: None, name="same")


def test_an_event_whose_transaction_rolled_back_never_reaches_subscribers(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[int] = []
    subscribe("message.created", lambda event: seen.append(event.pk))

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ingest(api_inbox, inbound("m-1", "Bonjour"))
        raise RuntimeError("the caller failed after ingesting")

    assert seen == []
    assert outbox.process_pending_events() == 0


def test_the_events_of_one_transaction_are_handled_together_in_order(
    api_inbox: Inbox, subscribe: Callable[[str, outbox.Handler], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[tuple[str, int]] = []
    subscribe("conversation.created", lambda event: seen.append((event.kind, event.pk)))
    subscribe("message.created", lambda event: seen.append((event.kind, event.pk)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ingest(api_inbox, inbound("m-1", "Bonjour"))

    assert [kind for kind, _ in seen] == ["conversation.created", "message.created"]
    assert seen == sorted(seen, key=lambda pair: pair[1])
    # One callback per event (a rolled-back savepoint drops its own), the first did the work.
    assert len(callbacks) >= 2
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
