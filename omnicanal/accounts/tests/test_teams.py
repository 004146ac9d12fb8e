from __future__ import annotations

import pytest

from omnicanal.accounts import teams
from omnicanal.accounts.models import AuditLogEntry, Team, User
from omnicanal.core.exceptions import InvalidField, PermissionDenied

pytestmark = pytest.mark.django_db


def test_a_team_is_created_with_its_members_and_audited(admin: User, agent: User) -> None:
    team = teams.create_team(admin, "  Facturation   B2B ", member_ids=[agent.pk])

    assert team.name == "Facturation B2B"
    assert list(team.members.all()) == [agent]
    entry = AuditLogEntry.objects.get(action="team.created")
    assert (entry.actor, entry.target_id, entry.data["members"]) == (admin, str(team.pk),
                                                                     [agent.pk])


def test_a_name_taken_in_another_case_is_refused_on_the_name_field(
    admin: User, team: Team
) -> None:
    with pytest.raises(InvalidField) as refusal:
        teams.create_team(admin, "SUPPORT")

    assert refusal.value.field == "name"
    assert Team.objects.count() == 1


def test_only_active_agents_join_a_team(admin: User, agent: User) -> None:
    agent.is_active = False
    agent.save()

    with pytest.raises(InvalidField) as refusal:
        teams.create_team(admin, "Ventes", member_ids=[agent.pk])

    assert refusal.value.field == "members"
    assert not Team.objects.exists()  # nothing half-written


def test_renaming_and_changing_members_is_one_audit_entry(
    admin: User, team: Team, agent: User, other_agent: User
) -> None:
    teams.update_team(admin, team, "Support N1", member_ids=[other_agent.pk])

    team.refresh_from_db()
    assert team.name == "Support N1"
    assert list(team.members.all()) == [other_agent]
    entry = AuditLogEntry.objects.get(action="team.updated")
    assert entry.data == {"name": ["Support", "Support N1"], "added": [other_agent.pk],
                          "removed": [agent.pk]}


def test_a_deactivated_member_stays_in_the_team_when_the_form_is_saved(
    admin: User, team: Team, agent: User, other_agent: User
) -> None:
    # The form only offers active agents: saving it must not drop the inactive ones.
    agent.is_active = False
    agent.save()

    teams.update_team(admin, team, "Support", member_ids=[other_agent.pk])

    assert set(team.members.all()) == {agent, other_agent}


def test_saving_without_a_change_writes_no_audit_entry(admin: User, team: Team,
                                                         agent: User) -> None:
    teams.update_team(admin, team, "Support", member_ids=[agent.pk])

    assert not AuditLogEntry.objects.exists()


def test_a_supervisor_cannot_change_teams(supervisor: User, team: Team) -> None:
    with pytest.raises(PermissionDenied):
        teams.create_team(supervisor, "Ventes")
    with pytest.raises(PermissionDenied):
        teams.update_team(supervisor, team, "Autre", member_ids=[])
    with pytest.raises(PermissionDenied):
        teams.delete_team(supervisor, team)
    assert list(Team.objects.values_list("name", flat=True)) == ["Support"]
