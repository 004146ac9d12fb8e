"""The widget's socket: origin, identity, messages, acknowledgements, pushes."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from omnicanal.accounts.models import User
from omnicanal.connectors.webchat.actions import user_hash
from omnicanal.connectors.webchat.consumers import WebchatConsumer
from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN, VISITOR
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message

# The consumer works in threads with their own connections: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

def communicator(origin: str = SITE, token: str = TOKEN) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        WebchatConsumer.as_asgi(), f"/ws/webchat/{token}/",
        headers=[(b"origin", origin.encode())],
    )
    socket.scope["url_route"] = {"args": (), "kwargs": {"site_token": token}}
    return socket


async def hello(socket: WebsocketCommunicator, **extra: Any) -> dict[str, Any]:
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "hello", "visitor_id": VISITOR, "since": 0, **extra})
    answer: dict[str, Any] = await socket.receive_json_from(timeout=5)
    return answer


def test_a_visitor_sends_a_message_and_gets_it_acknowledged(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        socket = communicator()
        welcome = await hello(socket)
        assert welcome == {"type": "welcome", "messages": [], "cursor": 0, "queue": None}

        await socket.send_json_to({"type": "message", "client_id": "client-0001", "text": "Salut"})
        answers = [await socket.receive_json_from(timeout=5) for _ in range(2)]

        ack = next(a for a in answers if a["type"] == "ack")
        echo = next(a for a in answers if a["type"] == "message")
        assert ack["client_id"] == "client-0001" and ack["duplicate"] is False
        assert echo["message"]["client_id"] == "client-0001"
        assert await Message.objects.filter(inbox=chat_inbox).acount() == 1
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_foreign_origin_is_closed_with_the_reason(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        socket = communicator(origin="https://evil.example")
        connected, _ = await socket.connect()
        assert connected

        closed = await socket.receive_output(timeout=5)

        assert closed["type"] == "websocket.close"
        assert closed["code"] == 4403
        assert "evil.example" in closed["reason"]

    async_to_sync(scenario)()


def test_a_forged_user_hash_closes_the_socket(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        socket = communicator()
        await socket.connect()
        await socket.send_json_to({
            "type": "hello", "visitor_id": VISITOR,
            "identity": {"user_id": "42", "user_hash": user_hash("not the secret", "42")},
        })

        closed = await socket.receive_output(timeout=5)

        assert closed["code"] == 4403
        assert "user_hash" in closed["reason"]

    async_to_sync(scenario)()


def test_an_unknown_site_token_closes_with_4404(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        socket = communicator(token="unknown")
        await socket.connect()

        closed = await socket.receive_output(timeout=5)

        assert closed["code"] == 4404

    async_to_sync(scenario)()


def test_an_agents_reply_reaches_the_open_socket_without_a_ping(
    chat_inbox: Inbox, agent: User
) -> None:
    async def scenario() -> None:
        socket = communicator()
        await hello(socket)
        await socket.send_json_to({"type": "message", "client_id": "client-0001", "text": "Salut"})
        answers = [await socket.receive_json_from(timeout=5) for _ in range(2)]
        conversation_id = next(a for a in answers if a["type"] == "ack")["conversation_id"]

        # The agent answers from the workspace (another thread of the same process); no send
        # task runs and the widget sends no ping: the reply's event pushes it.
        answer = await sync_to_async(reply)(agent, conversation_id, "Bonjour, je regarde.")
        pushed = await socket.receive_json_from(timeout=2)

        assert pushed["type"] == "message"
        assert pushed["message"]["id"] == answer.pk
        assert pushed["message"]["from"] == "agent"
        assert pushed["message"]["author"] == agent.display_name
        assert pushed["message"]["text"].startswith("Bonjour, je regarde.")
        await socket.disconnect()

    async_to_sync(scenario)()
