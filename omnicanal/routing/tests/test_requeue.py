"""A waiting conversation whose priority or team changes moves in the queues at once."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations import actions, outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Priority
from omnicanal.routing.actions import configure_agent, follow_conversation, set_presence
from omnicanal.routing.models import AgentCapacity, ConversationRouting
from omnicanal.routing.queries import queue_positions

pytestmark = pytest.mark.django_db


def arrive(inbox: Inbox, external_id: str, email: str) -> int:
    conversation_id = ingest(inbox, inbound(external_id, email=email)).conversation_id
    # Queued when its events are handled; outside on-commit callbacks nothing dispatches.
    outbox.process_pending_events()
    return conversation_id


def positions() -> dict[int, tuple[int | None, int]]:
    return {p.conversation_id: (p.team_id, p.position) for p in queue_positions()}


def test_a_raised_priority_moves_a_waiting_conversation_to_the_head_of_its_queue(
    supervisor: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = arrive(api_inbox, "m-1", "a@example.fr")
        second = arrive(api_inbox, "m-2", "b@example.fr")
    assert positions() == {first: (None, 1), second: (None, 2)}

    with django_capture_on_commit_callbacks(execute=True):
        actions.set_priority(supervisor, second, Priority.URGENT)

    assert positions() == {second: (None, 1), first: (None, 2)}
    assert ConversationRouting.objects.get(pk=second).priority == Priority.URGENT


def test_moved_to_a_team_with_a_free_agent_it_is_assigned_at_once(
    supervisor: User, agent: User, team: Team, api_inbox: Inbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # It waits in Billing's queue, where nobody is online; Bob, of Support, comes online
    # with room but may not take Billing's work.
    billing = Team.objects.create(name="Billing")
    configure_agent(agent, capacity={"chat": 2})
    with django_capture_on_commit_callbacks(execute=True):
        conversation_id = arrive(api_inbox, "m-1", "a@example.fr")
        actions.assign(supervisor, conversation_id, team_id=billing.pk)
        set_presence(agent, "online")
    assert positions() == {conversation_id: (billing.pk, 1)}

    with django_capture_on_commit_callbacks(execute=True):
        actions.assign(supervisor, conversation_id, team_id=team.pk)

    assert Conversation.objects.get(pk=conversation_id).assignee == agent
    assert AgentCapacity.objects.get(profile=agent.pk, channel="chat").load == 1
    assert positions() == {}


def test_a_contact_turned_gold_passes_standard_customers_of_the_same_priority(
    api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = arrive(api_inbox, "m-1", "a@example.fr")
        second = arrive(api_inbox, "m-2", "b@example.fr")
    conversation = Conversation.objects.select_related("contact").get(pk=second)
    conversation.contact.value_tier = ValueTier.GOLD
    conversation.contact.save(update_fields=["value_tier"])

    follow_conversation(conversation)

    assert positions() == {second: (None, 1), first: (None, 2)}


def test_a_resolved_conversation_stays_out_of_the_queues(
    supervisor: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    from omnicanal.conversations.models import Status

    with django_capture_on_commit_callbacks(execute=True):
        conversation_id = arrive(api_inbox, "m-1", "a@example.fr")
        actions.set_status(supervisor, conversation_id, Status.RESOLVED)
        actions.set_priority(supervisor, conversation_id, Priority.URGENT)

    assert positions() == {}
    assert ConversationRouting.objects.get(pk=conversation_id).priority == Priority.NORMAL


def test_an_agent_answering_a_waiting_conversation_takes_it_out_of_the_queue(
    agent: User, other_agent: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    configure_agent(agent, capacity={"chat": 2})
    configure_agent(other_agent, capacity={"chat": 2})
    with django_capture_on_commit_callbacks(execute=True):
        conversation_id = arrive(api_inbox, "m-1", "a@example.fr")
        actions.reply(agent, conversation_id, "Bonjour, je regarde tout de suite.")
        # Carol comes online with room: the conversation is Bob's, not hers.
        set_presence(other_agent, "online")

    assert Conversation.objects.get(pk=conversation_id).assignee == agent
    assert positions() == {}
    assert AgentCapacity.objects.get(profile=agent.pk, channel="chat").load == 1
