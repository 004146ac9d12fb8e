"""Outbox consumers: handled once after commit, caught up after a crash, isolated failures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Label, OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_tests_subscribers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's own subscribers (automation rules) would add events and handlers to
    every count here; these tests are about the outbox alone."""
    monkeypatch.setattr(outbox, "_subscribers", defaultdict(list))


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


def test_a_failing_handler_is_rolled_back_alone_and_does_not_block_the_event(
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
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()


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
