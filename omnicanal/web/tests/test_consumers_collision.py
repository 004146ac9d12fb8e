"""Collision detection on the workspace socket: who views a conversation, who types in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.web.consumers import WorkspaceConsumer

# The consumer reads the database from its own threads: the test's rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_viewers_left_over() -> Iterator[None]:
    # Conversation ids start again at 1 after each test's flush: a previous test's viewers
    # would still be in the cache under the same key.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def conversation_id(api_inbox: Inbox) -> int:
    return ingest(api_inbox, inbound("m-1")).conversation_id


async def open_socket(user: User) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(WorkspaceConsumer.as_asgi(), "/ws/workspace/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def viewing(socket: WebsocketCommunicator, conversation_id: int) -> None:
    await socket.send_json_to({"type": "viewing", "conversation_id": conversation_id})


async def next_event(socket: WebsocketCommunicator) -> dict[str, Any]:
    event: dict[str, Any] = await socket.receive_json_from(timeout=5)
    return event


def viewer_names(event: dict[str, Any]) -> list[str]:
    assert event["kind"] == "collision.viewers"
    return [viewer["name"] for viewer in event["viewers"]]


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


async def both_viewing(
    bob_user: User, carol_user: User, conversation_id: int
) -> tuple[WebsocketCommunicator, WebsocketCommunicator]:
    """Bob, then Carol, open the conversation; each has read the other's arrival."""
    bob = await open_socket(bob_user)
    carol = await open_socket(carol_user)
    await viewing(bob, conversation_id)
    await next_event(bob)
    await viewing(carol, conversation_id)
    assert viewer_names(await next_event(bob)) == ["Carol Agent"]
    await next_event(carol)
    return bob, carol


def test_each_agent_sees_the_other_viewing_the_conversation(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob = await open_socket(agent)
        await viewing(bob, conversation_id)
        # Alone: nobody else is viewing.
        assert viewer_names(await next_event(bob)) == []

        carol = await open_socket(other_agent)
        await viewing(carol, conversation_id)
        assert viewer_names(await next_event(bob)) == ["Carol Agent"]
        assert viewer_names(await next_event(carol)) == ["Bob Agent"]
        await bob.disconnect()
        await carol.disconnect()

    run(scenario)


def test_who_is_viewing_comes_from_the_session_not_from_the_message(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob = await open_socket(agent)
        await viewing(bob, conversation_id)
        await next_event(bob)

        carol = await open_socket(other_agent)
        await carol.send_json_to({
            "type": "viewing", "conversation_id": conversation_id,
            "user_id": agent.pk, "name": "Le directeur",
        })
        assert viewer_names(await next_event(bob)) == ["Carol Agent"]
        await bob.disconnect()
        await carol.disconnect()

    run(scenario)


def test_typing_reaches_the_other_viewers_and_says_which_box(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob, carol = await both_viewing(agent, other_agent, conversation_id)

        await carol.send_json_to({
            "type": "typing", "conversation_id": conversation_id, "box": "reply",
            "is_typing": True,
        })
        typing = await next_event(bob)
        assert (typing["kind"], typing["name"], typing["box"], typing["is_typing"]) == (
            "collision.typing", "Carol Agent", "reply", True
        )

        await bob.send_json_to({
            "type": "typing", "conversation_id": conversation_id, "box": "note",
            "is_typing": True,
        })
        # Carol's next event is Bob's note, not her own typing echoed back.
        typing = await next_event(carol)
        assert (typing["name"], typing["box"]) == ("Bob Agent", "note")

        await carol.send_json_to({
            "type": "typing", "conversation_id": conversation_id, "box": "reply",
            "is_typing": False,
        })
        stopped = await next_event(bob)
        assert (stopped["name"], stopped["is_typing"]) == ("Carol Agent", False)
        await bob.disconnect()
        await carol.disconnect()

    run(scenario)


def test_leaving_the_page_takes_the_agent_off_the_others_list(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob, carol = await both_viewing(agent, other_agent, conversation_id)

        await carol.send_json_to({"type": "leaving", "conversation_id": conversation_id})
        assert viewer_names(await next_event(bob)) == []
        await bob.disconnect()
        await carol.disconnect()

    run(scenario)


def test_a_closed_socket_takes_the_agent_off_the_others_list(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob, carol = await both_viewing(agent, other_agent, conversation_id)

        await carol.disconnect()
        assert viewer_names(await next_event(bob)) == []
        await bob.disconnect()

    run(scenario)


def test_a_second_tab_of_the_same_agent_changes_nothing_for_the_others(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob = await open_socket(agent)
        await viewing(bob, conversation_id)
        await next_event(bob)
        first_tab = await open_socket(other_agent)
        await viewing(first_tab, conversation_id)
        assert viewer_names(await next_event(bob)) == ["Carol Agent"]

        second_tab = await open_socket(other_agent)
        await viewing(second_tab, conversation_id)
        # The new tab gets the list; Bob is told nothing, Carol was already there.
        assert viewer_names(await next_event(second_tab)) == ["Bob Agent"]
        await first_tab.disconnect()
        await second_tab.disconnect()
        # Only the last tab closing makes Carol leave: Bob's next event says so.
        assert viewer_names(await next_event(bob)) == []
        await bob.disconnect()

    run(scenario)


def test_an_unknown_conversation_is_refused_and_told_to_nobody(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob = await open_socket(agent)
        await viewing(bob, conversation_id)
        await next_event(bob)

        carol = await open_socket(other_agent)
        await viewing(carol, conversation_id + 1000)
        refused = await next_event(carol)
        assert refused == {"kind": "collision.refused", "conversation_id": conversation_id + 1000}
        # Typing on a conversation this socket did not announce goes nowhere either.
        await carol.send_json_to({
            "type": "typing", "conversation_id": conversation_id, "box": "reply",
            "is_typing": True,
        })
        await viewing(carol, conversation_id)
        # Bob's next event is Carol arriving: neither the refusal nor the typing reached him.
        assert viewer_names(await next_event(bob)) == ["Carol Agent"]
        await bob.disconnect()
        await carol.disconnect()

    run(scenario)


def test_a_deactivated_agents_open_socket_stops_showing_them(
    agent: User, other_agent: User, conversation_id: int
) -> None:
    async def scenario() -> None:
        bob, carol = await both_viewing(agent, other_agent, conversation_id)

        await database_sync_to_async(
            User.objects.filter(pk=other_agent.pk).update
        )(is_active=False)
        # Her page's next heartbeat is refused and takes her off Bob's header.
        await viewing(carol, conversation_id)
        assert (await next_event(carol))["kind"] == "collision.refused"
        assert viewer_names(await next_event(bob)) == []

        await carol.send_json_to({
            "type": "typing", "conversation_id": conversation_id, "box": "reply",
            "is_typing": True,
        })
        await bob.send_json_to({"type": "leaving", "conversation_id": conversation_id})
        await viewing(bob, conversation_id)
        # Bob's next event is his own fresh list, not Carol typing.
        assert viewer_names(await next_event(bob)) == []
        await bob.disconnect()
        await carol.disconnect()

    run(scenario)
