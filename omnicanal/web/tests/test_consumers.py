from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.web.consumers import WorkspaceConsumer

# The action runs in a worker thread and its on-commit push must really happen: the test
# needs committed transactions, not the rolled-back one of the `db` fixture.
pytestmark = pytest.mark.django_db(transaction=True)


def socket_as(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
    communicator.scope["user"] = user
    return communicator


def test_an_anonymous_socket_is_refused() -> None:
    async def scenario() -> tuple[bool, int | str | None]:
        communicator = socket_as(AnonymousUser())
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()

    assert connected is False
    assert code == 4401


def test_a_deactivated_agents_socket_is_refused(agent: User) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)
    agent.refresh_from_db()

    async def scenario() -> bool:
        communicator = socket_as(agent)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_an_anonymous_browser_is_refused_through_the_whole_application(
    db: Any, settings: Any
) -> None:
    """Through the real stack (origin check, session auth): no session cookie, no events."""
    from omnicanal.asgi import application

    async def scenario() -> bool:
        communicator = WebsocketCommunicator(
            application, "/ws/workspace/", headers=[(b"origin", b"http://127.0.0.1")]
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_an_agents_socket_receives_the_event_an_action_records(
    agent: User, api_inbox: Inbox
) -> None:
    result = ingest(api_inbox, inbound("m-1"))

    async def scenario() -> dict[str, Any]:
        communicator = socket_as(agent)
        connected, _ = await communicator.connect()
        assert connected
        note = await database_sync_to_async(actions.add_note)(
            agent, result.conversation_id, "Rappeler demain"
        )
        event: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return {**event, "expected_message_id": note.pk}

    event = async_to_sync(scenario)()

    assert event["kind"] == "message.created"
    assert event["conversation_id"] == result.conversation_id
    assert event["contact_id"] == result.contact_id
    assert event["message_id"] == event["expected_message_id"]
    assert event["direction"] == "note"
