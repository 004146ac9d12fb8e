"""The visitor's place in line: on the socket (welcome, ack, pong when asked, a push when an
agent takes the conversation) and over HTTP, and only ever the visitor's own conversation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN, VISITOR
from omnicanal.connectors.webchat.tests.test_consumers import communicator
from omnicanal.conversations import actions
from omnicanal.conversations.models import Inbox
from omnicanal.routing.actions import configure_agent, set_presence

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_VISITOR = "vfedcba9876543210fedc"
EARLIEST_VISITOR = "v00000000000000000000"


async def hello(socket: WebsocketCommunicator, visitor_id: str = VISITOR) -> dict[str, Any]:
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "hello", "visitor_id": visitor_id, "since": 0})
    answer: dict[str, Any] = await socket.receive_json_from(timeout=5)
    return answer


async def say(socket: WebsocketCommunicator, client_id: str, text: str) -> dict[str, Any]:
    """Send a message; return its ack, once the echo to the visitor's tabs came too."""
    await socket.send_json_to({"type": "message", "client_id": client_id, "text": text})
    answers = {}
    while not {"ack", "message"} <= set(answers):
        answer: dict[str, Any] = await socket.receive_json_from(timeout=5)
        answers[answer["type"]] = answer
    return answers["ack"]


def post_message(client: Client, visitor_id: str, client_id: str) -> Any:
    body = {"visitor_id": visitor_id, "client_id": client_id, "text": "Bonjour"}
    return client.post(f"/webchat/{TOKEN}/messages", json.dumps(body),
                       content_type="application/json", HTTP_ORIGIN=SITE)


def test_each_visitor_learns_their_own_place_in_line(chat_inbox: Inbox, agent: User) -> None:
    configure_agent(agent, capacity={"chat": 1})
    set_presence(agent, "online")

    async def scenario() -> None:
        earliest, first, second = communicator(), communicator(), communicator()
        await hello(earliest, EARLIEST_VISITOR)
        # Bob takes the earliest visitor at once, which fills his only slot.
        assert (await say(earliest, "client-0000", "Bonjour"))["queue"] is None
        assert (await hello(first))["queue"] is None  # nothing written yet: not waiting
        await hello(second, OTHER_VISITOR)

        first_ack = await say(first, "client-0001", "Bonjour")
        second_ack = await say(second, "client-0002", "Bonjour")
        # One slot, the default 300 s per conversation.
        assert first_ack["queue"] == {"position": 1, "estimated_wait_seconds": 300}
        assert second_ack["queue"] == {"position": 2, "estimated_wait_seconds": 600}

        await second.send_json_to({"type": "ping", "since": second_ack["id"], "queue": True})
        pong = await second.receive_json_from(timeout=5)
        assert pong["type"] == "pong" and pong["queue"]["position"] == 2
        # A ping that does not ask costs no queue reading.
        await second.send_json_to({"type": "ping", "since": second_ack["id"]})
        assert "queue" not in await second.receive_json_from(timeout=5)
        for socket in (earliest, first, second):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_the_line_goes_at_once_when_an_agent_takes_the_conversation(
    chat_inbox: Inbox, agent: User
) -> None:
    async def scenario() -> None:
        visitor, bystander = communicator(), communicator()
        await hello(visitor)
        await hello(bystander, OTHER_VISITOR)
        ack = await say(visitor, "client-0001", "Bonjour")
        assert ack["queue"] == {"position": 1, "estimated_wait_seconds": None}

        await sync_to_async(actions.assign)(agent, ack["conversation_id"], assignee_id=agent.pk)

        assert await visitor.receive_json_from(timeout=5) == {"type": "queue", "queue": None}
        # Another visitor hears nothing of it.
        assert await bystander.receive_nothing(timeout=0.5)
        await visitor.disconnect()
        await bystander.disconnect()

    async_to_sync(scenario)()


def test_a_conversation_given_back_to_the_queue_shows_its_place_again(
    chat_inbox: Inbox, agent: User
) -> None:
    async def scenario() -> None:
        visitor = communicator()
        await hello(visitor)
        ack = await say(visitor, "client-0001", "Bonjour")
        conversation_id = ack["conversation_id"]
        await sync_to_async(actions.assign)(agent, conversation_id, assignee_id=agent.pk)
        assert (await visitor.receive_json_from(timeout=5))["queue"] is None

        await sync_to_async(actions.unassign)(agent, conversation_id)

        answer = await visitor.receive_json_from(timeout=5)
        assert answer == {"type": "queue",
                          "queue": {"position": 1, "estimated_wait_seconds": None}}
        await visitor.disconnect()

    async_to_sync(scenario)()


def test_over_http_the_post_and_the_poll_say_the_place_in_line(chat_inbox: Inbox) -> None:
    client = Client()
    assert post_message(client, VISITOR, "client-0001").json()["queue"]["position"] == 1
    assert post_message(client, OTHER_VISITOR, "client-0002").json()["queue"]["position"] == 2

    asked = client.get(f"/webchat/{TOKEN}/messages",
                       {"visitor_id": OTHER_VISITOR, "since": 0, "queue": 1}, HTTP_ORIGIN=SITE)
    not_asked = client.get(f"/webchat/{TOKEN}/messages",
                           {"visitor_id": OTHER_VISITOR, "since": 0}, HTTP_ORIGIN=SITE)
    stranger = client.get(f"/webchat/{TOKEN}/messages",
                          {"visitor_id": "vstranger0000000000", "since": 0, "queue": 1},
                          HTTP_ORIGIN=SITE)

    assert asked.json()["queue"] == {"position": 2, "estimated_wait_seconds": None}
    assert "queue" not in not_asked.json()
    # A visitor without a conversation learns nothing about the others in line.
    assert stranger.json()["queue"] is None
