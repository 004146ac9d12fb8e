"""The workspace socket: authenticated agents receive domain events as they happen."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from omnicanal.conversations.events import WORKSPACE_GROUP


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        await self.channel_layer.group_add(WORKSPACE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(WORKSPACE_GROUP, self.channel_name)

    async def omnicanal_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
