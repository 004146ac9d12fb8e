"""Settings → Teams through HTTP: list, create, edit, delete, errors beside fields, roles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from omnicanal.accounts.models import AuditLogEntry, Team, User
from omnicanal.routing.models import BusinessCalendar, Mode, RoutingPolicy, SlaPolicy, TeamCalendar
from omnicanal.web.tests.settings_helpers import client_for, field_errors, post, text

pytestmark = pytest.mark.django_db

LIST = reverse("web:settings_teams")
NEW = reverse("web:settings_teams_new")


def edit_url(team: Team) -> str:
    return reverse("web:settings_teams_edit", args=[team.pk])


def delete_url(team: Team) -> str:
    return reverse("web:settings_teams_delete", args=[team.pk])


def test_the_list_shows_members_calendar_and_routing(admin: User, team: Team) -> None:
    calendar = BusinessCalendar.objects.create(name="Lyon")
    TeamCalendar.objects.create(team=team, calendar=calendar)
    RoutingPolicy.objects.create(team=team, mode=Mode.ROUND_ROBIN)
    Team.objects.create(name="Ventes")

    page = text(client_for(admin).get(LIST).content)

    assert "Support 1 Lyon Round robin" in page
    assert "Ventes 0 The default calendar As the inbox" in page


def test_a_team_is_created_from_the_form(admin: User, agent: User) -> None:
    calendar = BusinessCalendar.objects.create(name="Lyon")

    response = post(client_for(admin), NEW, {
        "name": "Ventes", "members": [agent.pk], "calendar": calendar.pk,
        "mode": Mode.LEAST_BUSY, "has_value_priority": "on",
    })

    assert response.status_code == 302 and response["Location"] == LIST
    team = Team.objects.get(name="Ventes")
    assert list(team.members.all()) == [agent]
    assert RoutingPolicy.objects.get(team=team).mode == Mode.LEAST_BUSY
    assert AuditLogEntry.objects.filter(action="team.created", actor=admin).exists()


def test_a_taken_name_is_shown_beside_the_name_field(admin: User, team: Team) -> None:
    response = post(client_for(admin), NEW, {"name": "support", "mode": ""})

    assert response.status_code == 422
    assert field_errors(response.content, "name") == "A team is already called “support”."
    assert Team.objects.count() == 1


def test_an_empty_name_is_shown_beside_the_name_field(admin: User) -> None:
    response = post(client_for(admin), NEW, {"name": "", "mode": ""})

    assert response.status_code == 422
    assert field_errors(response.content, "name") == "This field is required."


def test_the_edit_form_shows_the_team_and_saves_a_rename(admin: User, team: Team,
                                                         agent: User) -> None:
    client = client_for(admin)
    page = client.get(edit_url(team)).content.decode()
    assert 'value="Support"' in page
    assert f'value="{agent.pk}"' in page and "checked" in page

    response = post(client, edit_url(team), {"name": "Support N1", "members": [agent.pk],
                                             "mode": ""})

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Support N1"
    assert AuditLogEntry.objects.get(action="team.updated").data == {
        "name": ["Support", "Support N1"]}


def test_the_confirmation_page_states_what_happens_then_deletes(admin: User,
                                                                team: Team) -> None:
    client = client_for(admin)
    page = text(client.get(delete_url(team)).content)
    assert "0 unresolved conversations lose their team" in page
    assert "1 member stays an agent, without this team." in page

    response = post(client, delete_url(team), {})

    assert response.status_code == 302
    assert not Team.objects.exists()
    assert AuditLogEntry.objects.filter(action="team.deleted").exists()


def test_a_team_with_its_own_sla_policy_cannot_be_deleted_and_the_page_says_why(
    admin: User, team: Team
) -> None:
    SlaPolicy.objects.create(name="Support urgent", team=team)
    client = client_for(admin)

    page = text(client.get(delete_url(team)).content)
    assert "cannot be deleted yet" in page and "Support urgent" in page
    assert "Delete the team" not in page.split("cannot be deleted yet")[1]

    response = post(client, delete_url(team), {})
    assert response.status_code == 409
    assert Team.objects.filter(pk=team.pk).exists()


@pytest.mark.parametrize("url", [LIST, NEW, "edit", "delete"])
def test_supervisors_and_agents_are_refused(supervisor: User, agent: User, team: Team,
                                            url: str) -> None:
    url = {"edit": edit_url(team), "delete": delete_url(team)}.get(url, url)
    assert client_for(supervisor).get(url).status_code == 403
    assert client_for(agent).post(url).status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()
