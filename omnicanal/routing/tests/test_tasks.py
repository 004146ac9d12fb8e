from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing import actions
from omnicanal.routing.models import ConversationRouting, Presence
from omnicanal.routing.tasks import sweep_queue

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
