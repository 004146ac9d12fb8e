"""A visitor's chat message, name or site token with NUL or an unpaired surrogate: stored
minus it, or not found, never a 500."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN, VISITOR
from omnicanal.connectors.webchat.tests.test_consumers import communicator, hello
from omnicanal.conversations.models import Inbox, Message

pytestmark = pytest.mark.django_db


def post_raw(client: Client, path: str, body: str, token: str = TOKEN) -> object:
    return client.post(f"/webchat/{token}/{path}", body, content_type="application/json",
                       HTTP_ORIGIN=SITE)


def test_nul_and_lone_surrogates_in_a_chat_message_are_removed(
    client: Client, chat_inbox: Inbox
) -> None:
    # Written by hand: the escapes are what a browser's JSON.stringify sends.
    body = ('{"visitor_id": "' + VISITOR + '", "client_id": "client-0001", '
            '"text": "Bon\\u0000jour \\udc80!", "name": "Jea\\u0000nne"}')

    response = post_raw(client, "messages", body)

    assert response.status_code == 201  # type: ignore[attr-defined]
    message = Message.objects.select_related("conversation__contact").get(inbox=chat_inbox)
    assert message.text == "Bonjour !"
    assert message.conversation.contact.name == "Jeanne"


def test_a_lone_surrogate_in_a_signed_user_id_is_refused_not_a_500(
    client: Client, chat_inbox: Inbox
) -> None:
    body = ('{"visitor_id": "' + VISITOR + '", "client_id": "client-0001", "text": "Bonjour", '
            '"identity": {"user_id": "u\\ud800", "user_hash": "00"}}')

    response = post_raw(client, "messages", body)

    # Cleaned to "u", whose hash "00" is not: the visitor is told, nothing is stored.
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not Message.objects.exists()


def test_a_site_token_with_a_nul_is_not_found(client: Client, chat_inbox: Inbox) -> None:
    response = client.get(f"/webchat/{TOKEN}%00/config", HTTP_ORIGIN=SITE)

    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_nul_and_lone_surrogates_through_the_socket_are_removed(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        socket = communicator()
        await hello(socket)

        await socket.send_json_to({"type": "message", "client_id": "client-0001",
                                   "text": "Sa\u0000lut \ud800!", "name": "Jea\u0000nne"})
        answers = [await socket.receive_json_from(timeout=5) for _ in range(2)]

        assert any(a["type"] == "ack" for a in answers)
        message = await Message.objects.select_related("conversation__contact").aget(
            inbox=chat_inbox
        )
        assert message.text == "Salut !"
        await socket.disconnect()

    async_to_sync(scenario)()


def test_an_oversized_chat_body_is_a_json_413(client: Client, chat_inbox: Inbox) -> None:
    body = ('{"visitor_id": "' + VISITOR + '", "client_id": "client-0001", "text": "'
            + "a" * 70_000 + '"}')

    response = post_raw(client, "messages", body)

    assert response.status_code == 413  # type: ignore[attr-defined]
    # In the visitor's language: the site's default (French) without an Accept-Language.
    assert "trop volumineuse" in response.json()["error"]  # type: ignore[attr-defined]
    assert not Message.objects.exists()
