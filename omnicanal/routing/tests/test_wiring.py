"""Routing as agents meet it: customers' messages queue conversations, resolving frees room."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions, outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent, Status
from omnicanal.routing.actions import configure_agent, set_presence
from omnicanal.routing.models import ConversationRouting

pytestmark = pytest.mark.django_db


@pytest.fixture
def online_agent(agent: User) -> User:
    configure_agent(agent, capacity={"chat": 1})
    set_presence(agent, "online")
    return agent


def test_an_arriving_conversation_goes_to_the_online_agent_with_room(
    online_agent: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(api_inbox, inbound("m-1"))

    assert Conversation.objects.get(pk=result.conversation_id).assignee == online_agent


def test_a_conversation_waits_while_the_agent_is_full_and_follows_when_room_frees(
    online_agent: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest(api_inbox, inbound("m-1", email="a@example.fr")).conversation_id
        second = ingest(api_inbox, inbound("m-2", email="b@example.fr")).conversation_id
    assert Conversation.objects.get(pk=second).assignee is None
    assert ConversationRouting.objects.get(pk=second).agent_id is None

    with django_capture_on_commit_callbacks(execute=True):
        actions.set_status(online_agent, first, Status.RESOLVED)

    assert Conversation.objects.get(pk=second).assignee == online_agent


def test_a_follow_up_on_a_waiting_conversation_does_not_queue_it_twice(
    api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ingest(api_inbox, inbound("m-1"))
        ingest(api_inbox, inbound("m-2"))

    assert ConversationRouting.objects.count() == 1


def test_an_auto_reply_queues_nothing(
    online_agent: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    # After the commit, when routing has had its chance: a free agent is online.
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(api_inbox, inbound("m-1", is_auto_reply=True))

    assert Conversation.objects.get(pk=result.conversation_id).assignee is None
    assert not ConversationRouting.objects.exists()


def test_an_inbox_that_requires_a_skill_goes_to_an_agent_who_has_it(
    agent: User, other_agent: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    api_inbox.settings = {"required_skills": {"de": 1}}
    api_inbox.save()
    configure_agent(agent, capacity={"chat": 1})
    configure_agent(other_agent, capacity={"chat": 1}, skills={"de": 2})
    set_presence(agent, "online")
    set_presence(other_agent, "online")

    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(api_inbox, inbound("m-1", "Guten Tag"))

    assert Conversation.objects.get(pk=result.conversation_id).assignee == other_agent
    assert ConversationRouting.objects.get(conversation=result.conversation_id).required_skills \
        == {"de": 1}


def test_a_malformed_inbox_skill_setting_still_queues_the_message(
    api_inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    api_inbox.settings = {"required_skills": {"de": "fluent"}}
    api_inbox.save()

    result = ingest(api_inbox, inbound("m-1", "Guten Tag"))
    outbox.process_pending_events()

    assert ConversationRouting.objects.get(conversation=result.conversation_id).required_skills \
        == {}
    assert "required skills" in caplog.text


def test_the_dispatchers_assignment_is_an_assignment_like_any_other(
    online_agent: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(api_inbox, inbound("m-1"))

    conversation = Conversation.objects.get(pk=result.conversation_id)
    [line] = conversation.messages.filter(direction="activity")
    assert (line.author, line.metadata) == (
        None, {"activity": "assigned", "value": online_agent.display_name}
    )
    [event] = OutboxEvent.objects.filter(conversation=conversation, kind="conversation.assigned")
    assert event.payload["assigned_by"] == "routing"
    assert event.payload["assignee_id"] == online_agent.pk
