"""`Conversation.assignee` is the one truth for who holds a conversation: routing's rows and
load counters follow it, and the periodic sweep puts them back when they drifted (a handler
that failed, a write that went around the actions)."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions as conversation_actions
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Status
from omnicanal.routing import actions
from omnicanal.routing.models import AgentCapacity, ConversationRouting
from omnicanal.routing.tasks import sweep_queue

pytestmark = pytest.mark.django_db


def load(agent: User) -> int:
    return AgentCapacity.objects.get(profile_id=agent.pk, channel="chat").load


def arrive(inbox: Inbox, external_id: str) -> int:
    conversation_id = ingest(
        inbox, inbound(external_id, email=f"{external_id}@example.fr")
    ).conversation_id
    outbox.process_pending_events()  # queued; nothing dispatches in a test's transaction
    return conversation_id


@pytest.fixture
def agents(agent: User, other_agent: User) -> tuple[User, User]:
    actions.configure_agent(agent, capacity={"chat": 2}, dispatch=False)
    actions.configure_agent(other_agent, capacity={"chat": 2}, dispatch=False)
    return agent, other_agent


def test_an_assignment_counts_against_the_agent_once_its_event_is_handled(
    supervisor: User, agents: tuple[User, User], api_inbox: Inbox
) -> None:
    bob, _carol = agents
    conversation_id = arrive(api_inbox, "m-1")

    conversation_actions.assign(supervisor, conversation_id, assignee_id=bob.pk)
    outbox.process_pending_events()

    assert ConversationRouting.objects.get(pk=conversation_id).agent == bob
    assert load(bob) == 1


def test_the_sweep_moves_the_load_to_whoever_holds_the_conversation(
    supervisor: User, agents: tuple[User, User], api_inbox: Inbox
) -> None:
    bob, carol = agents
    conversation_id = arrive(api_inbox, "m-1")
    conversation_actions.assign(supervisor, conversation_id, assignee_id=bob.pk)
    outbox.process_pending_events()
    # The conversation changes hands without routing hearing of it.
    Conversation.objects.filter(pk=conversation_id).update(assignee=carol)
    assert (load(bob), load(carol)) == (1, 0)

    sweep_queue.call()

    assert ConversationRouting.objects.get(pk=conversation_id).agent == carol
    assert (load(bob), load(carol)) == (0, 1)


def test_the_sweep_queues_again_a_conversation_nobody_holds_any_more(
    supervisor: User, agents: tuple[User, User], api_inbox: Inbox
) -> None:
    bob, _carol = agents
    conversation_id = arrive(api_inbox, "m-1")
    conversation_actions.assign(supervisor, conversation_id, assignee_id=bob.pk)
    outbox.process_pending_events()
    Conversation.objects.filter(pk=conversation_id).update(assignee=None)

    reconciled = actions.reconcile_with_conversations()

    assert reconciled.reassigned == 1
    assert ConversationRouting.objects.get(pk=conversation_id).is_waiting
    assert load(bob) == 0


def test_the_sweep_frees_the_slot_of_a_conversation_resolved_behind_routings_back(
    supervisor: User, agents: tuple[User, User], api_inbox: Inbox
) -> None:
    bob, _carol = agents
    conversation_id = arrive(api_inbox, "m-1")
    conversation_actions.assign(supervisor, conversation_id, assignee_id=bob.pk)
    outbox.process_pending_events()
    Conversation.objects.filter(pk=conversation_id).update(status=Status.RESOLVED)

    reconciled = actions.reconcile_with_conversations()

    assert reconciled.released == 1
    assert ConversationRouting.objects.get(pk=conversation_id).resolved_at is not None
    assert load(bob) == 0


def test_the_sweep_recounts_a_load_that_drifted(
    supervisor: User, agents: tuple[User, User], api_inbox: Inbox
) -> None:
    bob, carol = agents
    conversation_id = arrive(api_inbox, "m-1")
    conversation_actions.assign(supervisor, conversation_id, assignee_id=bob.pk)
    outbox.process_pending_events()
    AgentCapacity.objects.filter(profile_id=bob.pk, channel="chat").update(load=2)
    AgentCapacity.objects.filter(profile_id=carol.pk, channel="chat").update(load=1)

    reconciled = actions.reconcile_with_conversations()

    assert reconciled.recounted == 2
    assert (load(bob), load(carol)) == (1, 0)


def test_the_dispatcher_leaves_a_conversation_a_person_assigned_before_routing_heard(
    supervisor: User, agents: tuple[User, User], api_inbox: Inbox
) -> None:
    bob, carol = agents
    conversation_id = arrive(api_inbox, "m-1")
    actions.set_presence(carol, "online", dispatch=False)
    # Bob got it from a supervisor; the event that tells routing is not handled yet.
    conversation_actions.assign(supervisor, conversation_id, assignee_id=bob.pk)

    assert actions.assign_waiting() == []

    assert Conversation.objects.get(pk=conversation_id).assignee == bob
    assert load(carol) == 0
    outbox.process_pending_events()
    assert ConversationRouting.objects.get(pk=conversation_id).agent == bob
