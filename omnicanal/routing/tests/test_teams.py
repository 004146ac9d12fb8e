"""A team's routing settings, and what deleting a team does to its conversations."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import AuditLogEntry, Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions, outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.core.exceptions import Conflict, InvalidInput, PermissionDenied
from omnicanal.routing import teams
from omnicanal.routing.actions import configure_agent, set_presence
from omnicanal.routing.models import (
    AutomationRule,
    BusinessCalendar,
    ConversationRouting,
    Macro,
    Mode,
    RoutingPolicy,
    SlaPolicy,
    TeamCalendar,
)

pytestmark = pytest.mark.django_db


def arrive(inbox: Inbox, external_id: str, email: str) -> int:
    conversation_id = ingest(inbox, inbound(external_id, email=email)).conversation_id
    outbox.process_pending_events()
    return conversation_id


def actions_logged() -> list[str]:
    return list(AuditLogEntry.objects.order_by("pk").values_list("action", flat=True))


def test_a_new_team_gets_its_calendar_and_policy_in_one_save(admin: User, agent: User) -> None:
    calendar = BusinessCalendar.objects.create(name="Paris")

    team = teams.save_team(admin, None, name="Ventes", member_ids=[agent.pk], calendar=calendar,
                           mode=Mode.ROUND_ROBIN, has_value_priority=False)

    assert TeamCalendar.objects.get(team=team).calendar == calendar
    policy = RoutingPolicy.objects.get(team=team)
    assert (policy.mode, policy.has_value_priority) == (Mode.ROUND_ROBIN, False)
    assert actions_logged() == ["team.created", "team.calendar_changed", "team.routing_changed"]


def test_back_to_the_default_calendar_and_the_inbox_policy(admin: User, team: Team,
                                                           agent: User) -> None:
    calendar = BusinessCalendar.objects.create(name="Paris")
    teams.save_team(admin, team, name="Support", member_ids=[agent.pk], calendar=calendar,
                    mode=Mode.MANUAL)

    teams.save_team(admin, team, name="Support", member_ids=[agent.pk], calendar=None,
                    mode=teams.INHERIT)

    assert not TeamCalendar.objects.filter(team=team).exists()
    assert not RoutingPolicy.objects.filter(team=team).exists()
    assert actions_logged()[-2:] == ["team.calendar_changed", "team.routing_changed"]


def test_an_unknown_mode_is_refused_before_anything_is_written(admin: User) -> None:
    with pytest.raises(InvalidInput):
        teams.save_team(admin, None, name="Ventes", member_ids=[], calendar=None, mode="fastest")

    assert not Team.objects.exists()


def test_only_an_administrator_saves_or_deletes_a_team(supervisor: User, team: Team) -> None:
    with pytest.raises(PermissionDenied):
        teams.save_team(supervisor, team, name="X", member_ids=[], calendar=None, mode="")
    with pytest.raises(PermissionDenied):
        teams.delete_team(supervisor, team)
    assert Team.objects.filter(pk=team.pk).exists()


def test_a_deleted_teams_waiting_conversation_goes_to_any_free_agent(
    admin: User, supervisor: User, agent: User, team: Team, api_inbox: Inbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Billing's conversation waits: Bob (Support) is online with room, but not in Billing.
    billing = Team.objects.create(name="Billing")
    configure_agent(agent, capacity={"chat": 2})
    with django_capture_on_commit_callbacks(execute=True):
        conversation_id = arrive(api_inbox, "m-1", "a@example.fr")
        actions.assign(supervisor, conversation_id, team_id=billing.pk)
        set_presence(agent, "online")
    assert Conversation.objects.get(pk=conversation_id).assignee is None
    assert teams.team_deletion(billing).waiting_conversations == 1

    with django_capture_on_commit_callbacks(execute=True):
        teams.delete_team(admin, billing)

    conversation = Conversation.objects.get(pk=conversation_id)
    assert (conversation.team, conversation.assignee) == (None, agent)
    assert ConversationRouting.objects.get(pk=conversation_id).team is None
    assert actions_logged()[-1] == "team.deleted"


def test_an_assigned_conversation_keeps_its_agent_when_its_team_is_deleted(
    admin: User, supervisor: User, agent: User, team: Team, api_inbox: Inbox
) -> None:
    conversation_id = arrive(api_inbox, "m-1", "a@example.fr")
    actions.assign(supervisor, conversation_id, assignee_id=agent.pk, team_id=team.pk)
    assert teams.team_deletion(team).open_conversations == 1

    teams.delete_team(admin, team)

    conversation = Conversation.objects.get(pk=conversation_id)
    assert (conversation.team, conversation.assignee) == (None, agent)


def test_a_team_an_sla_policy_is_limited_to_cannot_be_deleted(admin: User, team: Team) -> None:
    # Deleting it would delete the policy too (CASCADE), and its targets would stop applying.
    SlaPolicy.objects.create(name="Support urgent", team=team)

    with pytest.raises(Conflict) as refusal:
        teams.delete_team(admin, team)

    assert "Support urgent" in refusal.value.message
    assert Team.objects.filter(pk=team.pk).exists()
    assert SlaPolicy.objects.filter(name="Support urgent").exists()
    assert not AuditLogEntry.objects.exists()


def test_the_deletion_names_the_rules_and_macros_that_use_the_team(team: Team) -> None:
    AutomationRule.objects.create(name="VIP to Support", trigger="conversation_created",
                                  actions=[{"type": "assign_team", "team_id": team.pk}])
    AutomationRule.objects.create(name="Other", trigger="conversation_created",
                                  actions=[{"type": "set_priority", "priority": 1}])
    Macro.objects.create(shortcut="escalate", name="Escalate",
                         actions=[{"type": "assign", "to": "team", "team_id": team.pk}])

    assert teams.team_deletion(team).rules_and_macros == ["VIP to Support", "Escalate"]
