"""Presence as agents and supervisors meet it: chosen, or away after inactivity."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from omnicanal.accounts.models import User
from omnicanal.conversations.events import WORKSPACE_GROUP
from omnicanal.routing import actions
from omnicanal.routing.models import AgentCapacity, AgentProfile, Presence

pytestmark = pytest.mark.django_db


def presence(agent: User) -> str:
    return AgentProfile.objects.get(pk=agent.pk).presence


def test_inactivity_makes_an_online_agent_away_and_activity_brings_them_back(
    agent: User,
) -> None:
    actions.configure_agent(agent, capacity={"chat": 2})
    actions.set_presence(agent, Presence.ONLINE)

    actions.away_for_inactivity(agent)
    assert presence(agent) == Presence.AWAY
    assert not AgentCapacity.objects.get(profile=agent.pk, channel="chat").is_available

    actions.back_from_inactivity(agent)
    assert presence(agent) == Presence.ONLINE
    assert AgentCapacity.objects.get(profile=agent.pk, channel="chat").is_available


@pytest.mark.parametrize("chosen", [Presence.AWAY, Presence.OFFLINE])
def test_activity_never_undoes_a_presence_the_agent_chose(agent: User, chosen: str) -> None:
    actions.set_presence(agent, chosen)

    actions.away_for_inactivity(agent)
    actions.back_from_inactivity(agent)

    assert presence(agent) == chosen


def test_choosing_away_after_an_automatic_away_keeps_the_agent_away(agent: User) -> None:
    actions.set_presence(agent, Presence.ONLINE)
    actions.away_for_inactivity(agent)
    actions.set_presence(agent, Presence.AWAY)

    actions.back_from_inactivity(agent)

    assert presence(agent) == Presence.AWAY


def test_a_presence_change_is_pushed_to_open_workspaces(
    agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(WORKSPACE_GROUP, channel)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.set_presence(agent, Presence.ONLINE)
        message = async_to_sync(layer.receive)(channel)
    finally:
        async_to_sync(layer.group_discard)(WORKSPACE_GROUP, channel)

    assert message["event"] == {
        "kind": "agent.presence_changed", "agent_id": agent.pk, "presence": "online"
    }
