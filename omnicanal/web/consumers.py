"""The workspace socket: authenticated agents receive domain events as they happen."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from omnicanal.conversations.events import WORKSPACE_GROUP
from omnicanal.notifications.actions import agent_group


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
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
        if hasattr(self, "agent_group"):
            await self.channel_layer.group_discard(self.agent_group, self.channel_name)

    async def omnicanal_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def notification_push(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
