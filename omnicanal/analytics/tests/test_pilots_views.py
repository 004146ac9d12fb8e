"""The pilot pages at /reports/pilots/: who may open them, the form, the comparison tables."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import Team, User
from omnicanal.analytics.models import GroupKind, Pilot
from omnicanal.analytics.tests.test_pilots import END, START, add_facts, make_pilot, spread
from omnicanal.conversations.models import Inbox


def client_for(user: User) -> Client:
    # Pages follow the agent's language (French by default); these tests read English.
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pilot_team(db: Any) -> Team:
    return Team.objects.create(name="Rappels")


@pytest.fixture
def pilot(pilot_team: Team) -> Pilot:
    return make_pilot(group_kind=GroupKind.TEAM, team=pilot_team,
                      description="Agents call back instead of writing.")


def form_data(**overrides: str) -> dict[str, str]:
    data = {"name": "Callbacks", "description": "", "group": "segment:gold",
            "starts_on": "2026-10-01", "ends_on": "2026-10-31"}
    data.update(overrides)
    return data


class TestAccess:
    @pytest.mark.parametrize("path", ["/reports/pilots/", "/reports/pilots/new/"])
    def test_agents_are_refused(self, agent: User, path: str) -> None:
        assert client_for(agent).get(path).status_code == 403

    def test_agents_may_not_open_or_edit_a_pilot(self, agent: User, pilot: Pilot) -> None:
        client = client_for(agent)
        assert client.get(f"/reports/pilots/{pilot.pk}/").status_code == 403
        response = client.post(f"/reports/pilots/{pilot.pk}/edit/", form_data(name="Hijack"))
        assert response.status_code == 403
        pilot.refresh_from_db()
        assert pilot.name == "Callback pilot"

    def test_visitors_are_sent_to_the_login_page(self, db: Any) -> None:
        response = Client().get("/reports/pilots/")
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_an_unknown_pilot_is_a_404(self, supervisor: User) -> None:
        assert client_for(supervisor).get("/reports/pilots/999/").status_code == 404


class TestList:
    def test_it_lists_pilots_with_their_group_and_period(
        self, supervisor: User, pilot: Pilot
    ) -> None:
        response = client_for(supervisor).get("/reports/pilots/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Callback pilot" in page and "Team · Rappels" in page
        assert f'href="/reports/pilots/{pilot.pk}/"' in page

    def test_without_pilots_it_says_so(self, admin: User) -> None:
        response = client_for(admin).get("/reports/pilots/")
        assert "No pilot yet" in response.content.decode()


class TestForm:
    def test_a_supervisor_creates_a_segment_pilot(self, supervisor: User) -> None:
        response = client_for(supervisor).post("/reports/pilots/new/", form_data())
        pilot = Pilot.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/reports/pilots/{pilot.pk}/"
        assert (pilot.group_kind, pilot.segment, pilot.created_by) == (
            GroupKind.SEGMENT, "gold", supervisor)

    def test_an_administrator_moves_a_pilot_to_another_group(
        self, admin: User, pilot: Pilot, api_inbox: Inbox
    ) -> None:
        response = client_for(admin).post(
            f"/reports/pilots/{pilot.pk}/edit/",
            form_data(name="Callbacks on the API", group=f"inbox:{api_inbox.pk}"),
        )
        assert response.status_code == 302
        pilot.refresh_from_db()
        assert (pilot.name, pilot.group_kind, pilot.inbox, pilot.team) == (
            "Callbacks on the API", GroupKind.INBOX, api_inbox, None)

    def test_the_edit_form_shows_the_current_group(self, supervisor: User, pilot: Pilot) -> None:
        page = client_for(supervisor).get(f"/reports/pilots/{pilot.pk}/edit/").content.decode()
        assert f'value="team:{pilot.team_id}" selected' in page
        assert 'name="starts_on" value="2026-10-01"' in page

    @pytest.mark.parametrize(("overrides", "message"), [
        ({"group": "team:999"}, "Select a valid choice"),
        ({"group": "planet:mars"}, "Select a valid choice"),
        ({"starts_on": "not a date"}, "Enter a valid date"),
        ({"ends_on": "2026-09-01"}, "The last day comes after the first."),
        ({"ends_on": "2028-01-01"}, "A pilot lasts one year at most."),
        ({"name": ""}, "This field is required."),
    ])
    def test_bad_input_is_refused_with_a_reason(
        self, supervisor: User, overrides: dict[str, str], message: str
    ) -> None:
        response = client_for(supervisor).post("/reports/pilots/new/", form_data(**overrides))
        assert response.status_code == 422
        assert message in response.content.decode()
        assert not Pilot.objects.exists()


class TestDetail:
    def test_it_shows_both_comparisons_with_intervals_and_verdicts(
        self, supervisor: User, pilot: Pilot, api_inbox: Inbox, pilot_team: Team
    ) -> None:
        add_facts(40, inbox=api_inbox, team=pilot_team, first_response_s=spread(300, 40))
        add_facts(60, inbox=api_inbox, first_response_s=spread(600, 60))
        response = client_for(supervisor).get(f"/reports/pilots/{pilot.pk}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="against-rest"' in page and 'id="against-past"' in page
        assert "First response 50 % faster, significant at 95 %" in page
        assert "Agents call back instead of writing." in page
        # The past holds nothing: every comparison with it lacks data.
        assert "First response: not enough data (0 conversations on one side" in page

    def test_the_period_is_shown(self, supervisor: User, pilot: Pilot) -> None:
        assert pilot.starts_on == START and pilot.ends_on == END
        page = client_for(supervisor).get(f"/reports/pilots/{pilot.pk}/").content.decode()
        assert "01/10/2026 to 31/10/2026" in page
