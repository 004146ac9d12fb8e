"""Several SLA checks at once, each in its own thread with its own database connection: on
PostgreSQL they share the clocks through SKIP LOCKED, on SQLite they take turns. Either way
each breach is recorded once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, OutboxEvent
from omnicanal.routing.models import SlaClock, SlaPolicy
from omnicanal.routing.sla import CheckOutcome, check_sla_clocks

CONVERSATIONS, CHECKS = 20, 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_record_each_breach_once(api_inbox: Inbox) -> None:
    SlaPolicy.objects.create(name="Fast", first_response_time=dt.timedelta(minutes=1))
    for number in range(CONVERSATIONS):
        # Committed for real: the outbox handlers start the clocks after each commit.
        ingest(api_inbox, inbound(f"m-{number}", email=f"c{number}@example.fr"))
    assert SlaClock.objects.filter(target="first_response").count() == CONVERSATIONS

    later = timezone.now() + dt.timedelta(hours=1)
    barrier = threading.Barrier(CHECKS)
    outcomes: list[CheckOutcome] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            outcomes.append(check_sla_clocks(now=later))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(CHECKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sum(outcome.breaches for outcome in outcomes) == CONVERSATIONS
    per_conversation = Counter(
        OutboxEvent.objects.filter(kind="sla.breached").values_list("conversation_id", flat=True)
    )
    assert len(per_conversation) == CONVERSATIONS
    assert set(per_conversation.values()) == {1}
