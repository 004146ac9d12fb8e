"""Failed event handling in front of administrators, and the health endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    HandlerRun,
    HandlerRunStatus,
    Inbox,
    Label,
    OutboxEvent,
)
from omnicanal.conversations.tasks import dispatch_pending_events

pytestmark = pytest.mark.django_db


class FlakyLabeller:
    """A subscriber of message.created that fails while `is_broken` (a lock timeout, a bug
    fixed later), beside the product's own subscribers."""

    def __init__(self) -> None:
        self.is_broken = True
        self.calls = 0

    def __call__(self, event: OutboxEvent) -> None:
        self.calls += 1
        if self.is_broken:
            raise TimeoutError("canceling statement due to lock timeout")
        Label.objects.get_or_create(name=f"seen-{event.pk}")


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> Iterator[FlakyLabeller]:
    handler = FlakyLabeller()
    # A copy of the real subscriptions plus this one, restored after the test.
    subscribers = outbox._subscribers.copy()
    subscribers["message.created"] = {**subscribers["message.created"]}
    monkeypatch.setattr(outbox, "_subscribers", subscribers)
    outbox.subscribe("message.created", handler, name="tests.flaky_labeller")
    yield handler


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def exhaust_retries(settings: Any) -> None:
    """Run the periodic catch-up until no retry is due any more, as the worker would over
    the back-off's minutes (the delays are set to zero)."""
    for _ in range(settings.OUTBOX_HANDLER_MAX_ATTEMPTS + 1):
        dispatch_pending_events.call()


@pytest.fixture
def quick_retries(settings: Any) -> Any:
    settings.OUTBOX_HANDLER_MAX_ATTEMPTS = 3
    settings.OUTBOX_HANDLER_RETRY_BASE_SECONDS = 0
    return settings


@pytest.fixture
def api_conversation_id(agent: User) -> int:
    inbox = Inbox.objects.create(name="API", channel="api",
                                 settings={"webhook_url": "http://127.0.0.1:9/none"})
    return ingest(inbox, inbound("m-1")).conversation_id


def test_a_failing_subscriber_is_retried_then_shown_to_administrators_while_the_others_ran_once(
    admin: User, agent: User, flaky: FlakyLabeller, quick_retries: Any,
    api_conversation_id: int,
) -> None:
    reply(agent, api_conversation_id, "Votre colis part demain.")

    exhaust_retries(quick_retries)

    # Retried up to the limit, then kept as failed: for the ingested message and the reply.
    assert flaky.calls == 2 * 3
    runs = HandlerRun.objects.filter(subscriber="tests.flaky_labeller")
    assert set(runs.values_list("status", flat=True)) == {HandlerRunStatus.FAILED}
    # The send subscriber of the same reply event ran exactly once: one send task queued.
    assert DBTaskResult.objects.filter(task_path__endswith="send_message").count() == 1
    assert not HandlerRun.objects.exclude(subscriber="tests.flaky_labeller").exists()

    page = logged_in(admin).get(reverse("web:failures")).content.decode()
    assert "tests.flaky_labeller" in page
    assert "TimeoutError: canceling statement due to lock timeout" in page
    assert page.count('action="/settings/failures/') == 2


def test_retry_from_the_page_runs_the_handler_and_is_audited(
    admin: User, flaky: FlakyLabeller, quick_retries: Any, api_conversation_id: int
) -> None:
    exhaust_retries(quick_retries)
    run = HandlerRun.objects.get(subscriber="tests.flaky_labeller")
    flaky.is_broken = False  # the cause was fixed

    response = logged_in(admin).post(reverse("web:failure_retry", args=[run.pk]), follow=True)

    run.refresh_from_db()
    assert run.status == HandlerRunStatus.SUCCEEDED
    assert Label.objects.filter(name=f"seen-{run.event_id}").exists()
    entry = AuditLogEntry.objects.get(action="handler_run.retried")
    assert (entry.actor, entry.target_id, entry.data["succeeded"]) == (admin, str(run.pk), True)
    page = response.content.decode()
    assert "tests.flaky_labeller" not in page


def test_a_retry_that_fails_again_stays_failed_with_its_new_error(
    admin: User, flaky: FlakyLabeller, quick_retries: Any, api_conversation_id: int
) -> None:
    exhaust_retries(quick_retries)
    run = HandlerRun.objects.get(subscriber="tests.flaky_labeller")

    logged_in(admin).post(reverse("web:failure_retry", args=[run.pk]))

    run.refresh_from_db()
    assert (run.status, run.attempts) == (HandlerRunStatus.FAILED, 4)
    # Not back in the automatic retries: it stays in front of the administrator.
    dispatch_pending_events.call()
    assert HandlerRun.objects.get(pk=run.pk).attempts == 4


def test_only_administrators_see_the_failures_and_retry(
    agent: User, supervisor: User, flaky: FlakyLabeller, quick_retries: Any,
    api_conversation_id: int,
) -> None:
    exhaust_retries(quick_retries)
    run = HandlerRun.objects.get(subscriber="tests.flaky_labeller")

    for user in (agent, supervisor):
        client = logged_in(user)
        assert client.get(reverse("web:failures")).status_code == 403
        assert client.post(reverse("web:failure_retry", args=[run.pk])).status_code == 403
    assert Client().get(reverse("web:failures")).status_code == 302  # to the login page
    assert HandlerRun.objects.get(pk=run.pk).attempts == 3
    assert not AuditLogEntry.objects.filter(action="handler_run.retried").exists()


def test_retry_needs_a_post_with_a_csrf_token(
    admin: User, flaky: FlakyLabeller, quick_retries: Any, api_conversation_id: int
) -> None:
    exhaust_retries(quick_retries)
    run = HandlerRun.objects.get(subscriber="tests.flaky_labeller")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)

    assert client.get(reverse("web:failure_retry", args=[run.pk])).status_code == 405
    assert client.post(reverse("web:failure_retry", args=[run.pk])).status_code == 403
    assert HandlerRun.objects.get(pk=run.pk).attempts == 3


def test_the_health_endpoint_counts_failed_handler_runs_for_a_monitor(
    settings: Any, flaky: FlakyLabeller, quick_retries: Any, api_conversation_id: int
) -> None:
    settings.HEALTH_TOKEN = "monitor-token"
    exhaust_retries(quick_retries)

    response = Client().get("/health/", HTTP_AUTHORIZATION="Bearer monitor-token")

    assert response.status_code == 200
    assert response.json() == {
        "status": "failing", "database": "ok", "events_pending": 0, "events_stale": 0,
        "handler_runs_retrying": 0, "handler_runs_failed": 1, "sends_pending": 0,
        "sends_stalled": 0,
    }


def test_without_the_token_the_health_endpoint_says_the_status_alone(
    settings: Any, agent: User
) -> None:
    settings.HEALTH_TOKEN = "monitor-token"

    anonymous = Client().get("/health/")
    wrong = Client().get("/health/", HTTP_AUTHORIZATION="Bearer guess")
    an_agent = logged_in(agent).get("/health/")

    for response in (anonymous, wrong, an_agent):
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}


def test_the_health_endpoint_answers_503_when_sends_are_stalled(
    admin: User, agent: User, settings: Any, api_conversation_id: int
) -> None:
    settings.SEND_STALLED_AFTER_SECONDS = 0
    # A reply whose send nobody runs (no worker): stalled once overdue.
    reply(agent, api_conversation_id, "Bonjour")

    response = logged_in(admin).get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert (body["sends_pending"], body["sends_stalled"]) == (1, 1)
    # Events the dispatcher has not handled yet, but not stale.
    assert body["events_pending"] > 0 and body["events_stale"] == 0
