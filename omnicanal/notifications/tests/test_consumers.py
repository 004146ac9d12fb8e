"""Notifications reach the mentioned agent's open workspace, and no one else's."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.notifications.models import Notification
from omnicanal.web.consumers import WorkspaceConsumer

# The push happens after a real commit.
pytestmark = pytest.mark.django_db(transaction=True)


def socket_as(user: User) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
    communicator.scope["user"] = user
    return communicator


async def notifications_received(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """Everything of kind notification.* the socket got, until it stays quiet."""
    received = []
    while not await communicator.receive_nothing(timeout=0.5):
        event = await communicator.receive_json_from()
        if event["kind"].startswith("notification."):
            received.append(event)
    return received


def test_a_mention_pushes_the_new_unread_count_to_that_agent_only(
    agent: User, other_agent: User, supervisor: User, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        mentioned, bystander = socket_as(other_agent), socket_as(supervisor)
        assert (await mentioned.connect())[0] and (await bystander.connect())[0]
        await database_sync_to_async(actions.add_note)(
            agent, conversation_id, "@Carol Agent tu peux regarder ?"
        )
        result = await notifications_received(mentioned), await notifications_received(bystander)
        await mentioned.disconnect()
        await bystander.disconnect()
        return result

    to_mentioned, to_bystander = async_to_sync(scenario)()

    notification = Notification.objects.get(recipient=other_agent)
    [event] = to_mentioned
    assert event["kind"] == "notification.created"
    assert event["unread_count"] == 1
    assert event["conversation_id"] == conversation_id
    assert event["notification_id"] == notification.pk
    assert event["is_browser"] is True
    # In Carol's language, whoever wrote the note.
    assert event["text"].startswith("Bob Agent ")
    assert to_bystander == []
