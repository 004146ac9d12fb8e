"""The websocket routes of the real ASGI application and their origin checks."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from omnicanal.asgi import application
from omnicanal.connectors.webchat.tests.conftest import (
    SITE,
    TOKEN,
    VISITOR,
    chat_inbox,
    mail_inbox,
    smtp_server,
    support_mail,
)
from omnicanal.conversations.models import Inbox

__all__ = ["chat_inbox", "mail_inbox", "smtp_server", "support_mail"]

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(path: str, origin: str) -> tuple[bool, WebsocketCommunicator]:
    socket = WebsocketCommunicator(application, path, headers=[(b"origin", origin.encode())])
    connected, _ = await socket.connect()
    return connected, socket


def test_the_widget_connects_from_a_customer_site_that_is_not_one_of_our_hosts(
    chat_inbox: Inbox,
) -> None:
    async def scenario() -> dict[str, object]:
        connected, socket = await open_socket(f"/ws/webchat/{TOKEN}/", SITE)
        assert connected
        await socket.send_json_to({"type": "hello", "visitor_id": VISITOR, "since": 0})
        answer: dict[str, object] = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return answer

    assert not any("shop.example" in host for host in settings.ALLOWED_HOSTS)
    answer = async_to_sync(scenario)()
    assert answer.get("type") != "error"


def test_the_workspace_socket_refuses_another_sites_origin(db: None) -> None:
    async def scenario() -> bool:
        connected, socket = await open_socket("/ws/workspace/", "https://evil.example")
        await socket.disconnect()
        return connected

    assert async_to_sync(scenario)() is False
