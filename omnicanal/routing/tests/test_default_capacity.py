"""Every agent takes work by default, however their account was made (issue 13): a helpdesk
where nothing is ever assigned is broken by default."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing import actions
from omnicanal.routing.models import AgentCapacity, ConversationRouting, Presence

pytestmark = pytest.mark.django_db


def capacities(agent: User) -> dict[str, int]:
    return dict(
        AgentCapacity.objects.filter(profile_id=agent.pk).values_list("channel", "capacity")
    )


def test_a_freshly_created_agent_who_goes_online_gets_a_waiting_conversation(
    api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = Conversation.objects.create(
        inbox=api_inbox, contact=Contact.objects.create(name="Jeanne Martin"),
        last_activity_at=timezone.now(),
    )
    actions.enqueue_conversation(conversation, dispatch=False)
    # Made as the admin, a command or the first-run page would: nothing about routing.
    newcomer = User.objects.create_user("newcomer@example.com", "pw-new-123")

    with django_capture_on_commit_callbacks(execute=True):
        actions.set_presence(newcomer, Presence.ONLINE)

    assert ConversationRouting.objects.get(pk=conversation.pk).agent_id == newcomer.pk
    conversation.refresh_from_db()
    assert conversation.assignee == newcomer


def test_the_default_comes_from_the_setting(agent: User, settings: Any) -> None:
    settings.ROUTING_DEFAULT_CAPACITY = {"chat": 2, "email": 7}

    actions.set_presence(agent, Presence.ONLINE, dispatch=False)

    assert capacities(agent) == {"chat": 2, "email": 7}


def test_the_shipped_default_takes_three_chats_ten_mails_and_one_call(agent: User) -> None:
    actions.set_presence(agent, Presence.ONLINE, dispatch=False)

    assert capacities(agent) == {"chat": 3, "email": 10, "voice": 1}


def test_a_configured_capacity_replaces_the_default(agent: User) -> None:
    actions.configure_agent(agent, capacity={"chat": 5}, dispatch=False)

    assert capacities(agent) == {"chat": 5, "email": 0, "voice": 0}


def test_a_deactivated_agent_goes_offline_and_gets_nothing_new(
    agent: User, api_inbox: Inbox
) -> None:
    actions.set_presence(agent, Presence.ONLINE, dispatch=False)

    agent.is_active = False
    agent.save(update_fields=["is_active"])

    assert agent.routing_profile.presence == Presence.OFFLINE
    assert not AgentCapacity.objects.filter(profile_id=agent.pk, is_available=True).exists()
