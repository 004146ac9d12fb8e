from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import Contact
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent
from omnicanal.routing import actions
from omnicanal.routing.models import ConversationRouting, Presence, SlaClock, SlaPolicy
from omnicanal.routing.tasks import check_sla_clocks, sweep_queue

pytestmark = pytest.mark.django_db


def test_the_periodic_sweep_assigns_what_a_missed_dispatch_left(
    agent: User, api_inbox: Inbox
) -> None:
    conversation = Conversation.objects.create(
        inbox=api_inbox, contact=Contact.objects.create(), last_activity_at="2030-01-07T09:00Z"
    )
    # Queued without a dispatch, as when the dispatch after commit failed.
    actions.enqueue_conversation(conversation, dispatch=False)
    actions.configure_agent(agent, capacity={"chat": 1}, dispatch=False)
    actions.set_presence(agent, Presence.ONLINE, dispatch=False)

    assert sweep_queue.call() == 1
    assert ConversationRouting.objects.get(pk=conversation.pk).agent == agent


def test_the_sla_check_task_records_a_breach_that_came_due(api_inbox: Inbox) -> None:
    SlaPolicy.objects.create(name="Instant", first_response_time=dt.timedelta(seconds=1))
    ingest(api_inbox, inbound("m-1"))
    outbox.process_pending_events()
    SlaClock.objects.filter(target="first_response").update(
        due_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert check_sla_clocks.call() == {"warnings": 0, "breaches": 1}
    assert check_sla_clocks.call() == {"warnings": 0, "breaches": 0}
    assert OutboxEvent.objects.filter(kind="sla.breached").count() == 1
