"""The workspace socket: authenticated agents receive domain events as they happen.

Collision detection rides on it (collision.js). The page sends
`{"type": "viewing", "conversation_id": N}` on connecting and every HEARTBEAT_SECONDS,
`{"type": "leaving", ...}` when it goes, and `{"type": "typing", ..., "box": "reply"|"note",
"is_typing": bool}`; it receives `collision.viewers` (the others viewing N),
`collision.typing` and `collision.refused` (N is not visible to this agent).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from omnicanal.conversations.events import WORKSPACE_GROUP
from omnicanal.core.exceptions import DomainError
from omnicanal.notifications.actions import agent_group
from omnicanal.web import presence

TYPING_BOXES = ("reply", "note")


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    # The conversation page this socket shows (collision detection): one at most, since a
    # socket belongs to one page.
    viewing_conversation_id: int | None = None
    viewer: presence.Viewer | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        await self.channel_layer.group_add(WORKSPACE_GROUP, self.channel_name)
        # This agent's notifications (the bell's count, browser notifications).
        self.agent_group = agent_group(user.pk)
        await self.channel_layer.group_add(self.agent_group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(WORKSPACE_GROUP, self.channel_name)
        await self._stop_viewing()
        if hasattr(self, "agent_group"):
            await self.channel_layer.group_discard(self.agent_group, self.channel_name)

    async def omnicanal_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        conversation_id = content.get("conversation_id")
        # bool is an int in Python; `true` is no conversation id.
        if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
            return
        command = content.get("type")
        if command == "viewing":
            await self._viewing(conversation_id)
        elif command == "leaving" and conversation_id == self.viewing_conversation_id:
            await self._stop_viewing()
        elif command == "typing":
            await self._typing(conversation_id, content.get("box"), content.get("is_typing"))

    # Collision detection: who else views a conversation, who types in it.

    async def _viewing(self, conversation_id: int) -> None:
        """Announce or heartbeat of a conversation page. Who it is comes from the session
        (the scope's user), never from the message."""
        try:
            viewer = await database_sync_to_async(presence.check_viewer)(
                self.scope["user"].pk, conversation_id
            )
        except DomainError:
            if conversation_id == self.viewing_conversation_id:
                await self._stop_viewing()
            await self.send_json({"kind": "collision.refused", "conversation_id": conversation_id})
            return
        is_new = conversation_id != self.viewing_conversation_id
        if is_new:
            await self._stop_viewing()
            await self.channel_layer.group_add(
                presence.group_name(conversation_id), self.channel_name
            )
            self.viewing_conversation_id = conversation_id
        self.viewer = viewer
        change = await sync_to_async(presence.mark_viewing)(
            conversation_id, self.channel_name, viewer
        )
        if change.is_changed:
            await self._tell_viewers(conversation_id, change.viewers)
        elif is_new:
            # Nobody else needs to hear it (this agent already had the page open in another
            # tab), but this page needs the list.
            await self.collision_viewers(
                _viewers_message(conversation_id, change.viewers)
            )

    async def _stop_viewing(self) -> None:
        conversation_id = self.viewing_conversation_id
        if conversation_id is None:
            return
        self.viewing_conversation_id = None
        await self.channel_layer.group_discard(
            presence.group_name(conversation_id), self.channel_name
        )
        change = await sync_to_async(presence.mark_left)(conversation_id, self.channel_name)
        if change.is_changed:
            await self._tell_viewers(conversation_id, change.viewers)

    async def _tell_viewers(self, conversation_id: int, viewers: list[presence.Viewer]) -> None:
        await self.channel_layer.group_send(
            presence.group_name(conversation_id), _viewers_message(conversation_id, viewers)
        )

    async def _typing(self, conversation_id: int, box: Any, is_typing: Any) -> None:
        # Only on the conversation this socket announced: that announce passed the access
        # check (renewed by every heartbeat).
        if conversation_id != self.viewing_conversation_id or self.viewer is None:
            return
        if box not in TYPING_BOXES:
            return
        await self.channel_layer.group_send(
            presence.group_name(conversation_id),
            {
                "type": "collision.typing",
                "conversation_id": conversation_id,
                "user_id": self.viewer.user_id,
                "name": self.viewer.name,
                "box": box,
                "is_typing": bool(is_typing),
            },
        )

    async def collision_viewers(self, message: dict[str, Any]) -> None:
        """The viewers of the conversation, without this agent: nobody is "also viewing"
        with themself, whatever tabs they have open."""
        me = self.scope["user"].pk
        await self.send_json({
            "kind": "collision.viewers",
            "conversation_id": message["conversation_id"],
            "viewers": [viewer for viewer in message["viewers"] if viewer["user_id"] != me],
        })

    async def collision_typing(self, message: dict[str, Any]) -> None:
        if message["user_id"] == self.scope["user"].pk:
            return
        await self.send_json({
            "kind": "collision.typing",
            "conversation_id": message["conversation_id"],
            "user_id": message["user_id"],
            "name": message["name"],
            "box": message["box"],
            "is_typing": message["is_typing"],
        })

    async def notification_push(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


def _viewers_message(conversation_id: int, viewers: list[presence.Viewer]) -> dict[str, Any]:
    return {
        "type": "collision.viewers",
        "conversation_id": conversation_id,
        "viewers": [viewer.as_dict() for viewer in viewers],
    }
