"""The widget's socket, `/ws/webchat/<site token>/`.

Protocol (JSON frames). The widget opens with `{"type": "hello", "visitor_id", "identity"?,
"since"}` and gets `{"type": "welcome", "messages", "cursor"}` (what it missed); then:
- widget → server: `message {client_id, text, email?, name?, phone?, attributes?}` (the
  pre-chat form's answers ride on the first message; answered `ack {client_id, id,
  queue}` or `error {client_id, reason}`), `typing {is_typing}`, `read {up_to, is_read}`,
  `ping {since, queue?}` (answered `pong` with the messages after `since`: a reply pushed by a
  worker in another process, without a shared channel layer, still arrives within one ping;
  and with `queue` when asked);
- server → widget: `message {message}`, `typing {name, is_typing}`, `queue {queue}` (an agent
  took the conversation, or gave it back).
`queue` is the visitor's own conversation's place in line, `{position,
estimated_wait_seconds}` (null seconds: no agent online to take it), or null when it does not
wait; `welcome` always carries it, `pong` when the widget asks (it does while waiting).
A refused origin, an unknown token or a forged `user_hash` closes the socket with code 4403
(4404 for the token) and the reason, after accepting it, so that the widget can show it.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from omnicanal.connectors.webchat import actions
from omnicanal.connectors.webchat.ratelimit import check_rate
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import DomainError
from omnicanal.core.text import clean_data

CLOSE_REFUSED = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_RATE = 4429


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


class WebchatConsumer(AsyncJsonWebsocketConsumer):
    inbox: Inbox | None = None
    visitor: actions.Visitor | None = None

    @property
    def ip(self) -> str:
        client = self.scope.get("client") or ("",)
        return str(client[0] or "")

    async def connect(self) -> None:
        await self.accept()
        token = self.scope["url_route"]["kwargs"]["site_token"]
        try:
            await database_sync_to_async(check_rate)("connect", ip=self.ip)
            inbox = await database_sync_to_async(actions.find_inbox)(token)
            await database_sync_to_async(actions.check_origin)(
                inbox, _header(self.scope, b"origin")
            )
        except DomainError as exc:
            code = {404: CLOSE_NOT_FOUND, 429: CLOSE_RATE}.get(exc.status, CLOSE_REFUSED)
            await self.close(code=code, reason=exc.message[:120])
            return
        self.inbox = inbox

    async def disconnect(self, code: int) -> None:
        if self.visitor is not None:
            await self.channel_layer.group_discard(self.visitor.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.inbox is None or not isinstance(content, dict):
            return
        # The visitor's text and identity, minus NUL and unpaired surrogates (core.text).
        content = clean_data(content)
        kind = content.get("type")
        if kind == "hello":
            await self._hello(content)
            return
        if self.visitor is None:
            await self.send_json({"type": "error", "reason": "Say hello first."})
            return
        try:
            if kind == "message":
                await self._message(content)
            elif kind == "typing":
                await database_sync_to_async(check_rate)(
                    "typing", visitor=self.visitor.identity_value
                )
                await database_sync_to_async(actions.notify_visitor_typing)(
                    self.visitor, bool(content.get("is_typing"))
                )
            elif kind == "read":
                await database_sync_to_async(check_rate)(
                    "read", visitor=self.visitor.identity_value
                )
                await database_sync_to_async(actions.acknowledge)(
                    self.visitor, content.get("up_to"), is_read=bool(content.get("is_read"))
                )
            elif kind == "ping":
                await self._send_since(content.get("since"), "pong",
                                       with_queue=bool(content.get("queue")))
        except DomainError as exc:
            await self.send_json({"type": "error", "reason": exc.message, "status": exc.status,
                                  "client_id": content.get("client_id", "")})

    async def _hello(self, content: dict[str, Any]) -> None:
        assert self.inbox is not None
        identity = content.get("identity") if isinstance(content.get("identity"), dict) else None
        try:
            visitor = await database_sync_to_async(actions.identify)(
                self.inbox, content.get("visitor_id", ""), identity
            )
        except DomainError as exc:
            await self.close(code=CLOSE_REFUSED, reason=exc.message[:120])
            return
        if self.visitor is not None and self.visitor.group != visitor.group:
            await self.channel_layer.group_discard(self.visitor.group, self.channel_name)
        self.visitor = visitor
        await self.channel_layer.group_add(visitor.group, self.channel_name)
        await self._send_since(content.get("since"), "welcome", with_queue=True)

    async def _send_since(self, since: Any, kind: str, *, with_queue: bool = False) -> None:
        assert self.visitor is not None
        try:
            cursor = int(since or 0)
        except (TypeError, ValueError):
            cursor = 0
        rows = await database_sync_to_async(actions.messages_since)(self.visitor, cursor)
        cursor = max([cursor, *(m["id"] for m in rows)])
        answer: dict[str, Any] = {"type": kind, "messages": rows, "cursor": cursor}
        if with_queue:
            answer["queue"] = await database_sync_to_async(actions.visitor_queue)(self.visitor)
        await self.send_json(answer)

    async def _message(self, content: dict[str, Any]) -> None:
        assert self.visitor is not None
        await database_sync_to_async(check_rate)(
            "message", visitor=self.visitor.identity_value, ip=self.ip
        )
        result = await database_sync_to_async(actions.post_message)(
            self.visitor, content.get("client_id"), content.get("text"),
            email=str(content.get("email") or ""), name=str(content.get("name") or ""),
            phone=str(content.get("phone") or ""), attributes=content.get("attributes"),
        )
        queue = await database_sync_to_async(actions.conversation_queue)(result.conversation_id)
        await self.send_json({
            "type": "ack", "client_id": content.get("client_id"), "id": result.message_id,
            "conversation_id": result.conversation_id, "duplicate": result.is_duplicate,
            "queue": queue,
        })

    async def webchat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", "message": event["message"]})

    async def webchat_typing(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "typing", "name": event.get("name", ""), "is_typing": event["is_typing"]}
        )

    async def webchat_queue(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "queue", "queue": event["queue"]})
