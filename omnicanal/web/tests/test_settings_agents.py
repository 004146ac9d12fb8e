"""Settings → Agents as an administrator uses it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, Role, Team, User
from omnicanal.routing import actions as routing_actions
from omnicanal.routing.models import AgentCapacity, AgentProfile, Presence
from omnicanal.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin: User) -> Client:
    User.objects.filter(pk=admin.pk).update(language="en")
    client = Client()
    client.force_login(admin)
    return client


def test_the_list_shows_each_agents_role_teams_state_and_presence(
    admin_client: Client, agent: User, team: Team
) -> None:
    routing_actions.set_presence(agent, Presence.ONLINE, dispatch=False)
    User.objects.create_user("gone@example.com", "pw", name="Gone Agent", is_active=False)

    page = admin_client.get("/settings/agents/").content.decode()

    assert "Bob Agent" in page and "bob@example.com" in page
    assert team.name in page
    assert "Online" in page and "Deactivated" in page and "Active" in page
    assert 'href="/settings/agents/invite/"' in page


def test_the_list_warns_when_mail_is_not_configured(
    admin_client: Client, settings: Any
) -> None:
    settings.EMAIL_HOST = ""
    assert "Mail is not configured" in admin_client.get("/settings/agents/").content.decode()

    settings.EMAIL_HOST = "smtp.example.com"
    assert "Mail is not configured" not in admin_client.get("/settings/agents/").content.decode()


def test_inviting_sends_the_mail_and_shows_the_link_to_copy(
    admin_client: Client, team: Team
) -> None:
    response = admin_client.post("/settings/agents/invite/", {
        "email": "nina@example.com", "name": "Nina", "role": Role.AGENT, "language": "en",
        "teams": [team.pk],
    })
    invited = User.objects.get(email="nina@example.com")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/agents/{invited.pk}/"
    run_queued_tasks()

    page = admin_client.get(response["Location"]).content.decode()

    assert "Invitation sent to nina@example.com." in page
    assert "Copy the invitation link" in page
    [sent] = mail.outbox
    # The link on the page opens the same account as the one in the mail.
    link = page.split('id="invitation-link" class="invitation-link" value="')[1].split('"')[0]
    assert link.startswith("http://testserver/invitation/")
    assert "http://testserver/invitation/" in sent.body
    assert Client().get(link.removeprefix("http://testserver")).status_code == 200
    assert list(invited.teams.all()) == [team]


def test_an_address_already_taken_is_refused_beside_the_field(
    admin_client: Client, agent: User
) -> None:
    response = admin_client.post("/settings/agents/invite/", {
        "email": agent.email, "role": Role.AGENT, "language": "en",
    })

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert 'id="id_email_error"' in response.content.decode()


def test_editing_changes_the_account(admin_client: Client, agent: User, team: Team) -> None:
    response = admin_client.post(f"/settings/agents/{agent.pk}/", {
        "form": "account", "name": "Bob B.", "role": Role.SUPERVISOR, "language": "en",
        "is_active": "on", "teams": [],
    })

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.name == "Bob B." and agent.role == Role.SUPERVISOR
    assert not agent.teams.exists()


def test_the_last_administrator_cannot_demote_themselves_from_the_page(
    admin_client: Client, admin: User
) -> None:
    response = admin_client.post(f"/settings/agents/{admin.pk}/", {
        "form": "account", "name": admin.name, "role": Role.AGENT, "language": "en",
        "is_active": "on",
    })

    assert response.status_code == 200
    assert "last active administrator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR


def test_the_edit_page_shows_the_default_capacity_of_an_agent_routing_never_saw(
    admin_client: Client, agent: User
) -> None:
    page = admin_client.get(f"/settings/agents/{agent.pk}/").content.decode()

    assert 'name="capacity_chat" value="3"' in page
    assert 'name="capacity_email" value="10"' in page


def test_capacity_and_skills_are_saved_through_routing_and_audited(
    admin_client: Client, agent: User
) -> None:
    response = admin_client.post(f"/settings/agents/{agent.pk}/", {
        "form": "routing", "capacity_chat": "4", "capacity_email": "0", "capacity_voice": "1",
        "skill_0": "Billing", "level_0": "4", "skill_1": "german", "level_1": "2",
        "skill_2": "", "level_2": "3",
    })

    assert response.status_code == 302
    profile = AgentProfile.objects.get(pk=agent.pk)
    assert profile.skills == {"billing": 4, "german": 2}
    assert dict(AgentCapacity.objects.filter(profile=profile)
                .values_list("channel", "capacity")) == {"chat": 4, "email": 0, "voice": 1}
    entry = AuditLogEntry.objects.get(action="agent.routing_configured")
    assert entry.data["skills"] == {"billing": 4, "german": 2}
    page = admin_client.get(f"/settings/agents/{agent.pk}/").content.decode()
    assert 'value="billing"' in page and 'name="capacity_chat" value="4"' in page


def test_a_negative_capacity_is_refused_beside_the_field(
    admin_client: Client, agent: User
) -> None:
    response = admin_client.post(f"/settings/agents/{agent.pk}/", {
        "form": "routing", "capacity_chat": "-1", "capacity_email": "10", "capacity_voice": "1",
    })

    assert response.status_code == 200
    assert 'id="id_capacity_chat_error"' in response.content.decode()
    assert not AgentProfile.objects.filter(pk=agent.pk).exists()


def test_resending_and_withdrawing_an_invitation(admin_client: Client, admin: User) -> None:
    admin_client.post("/settings/agents/invite/", {
        "email": "nina@example.com", "role": Role.AGENT, "language": "en",
    })
    invited = User.objects.get(email="nina@example.com")

    resent = admin_client.post(f"/settings/agents/{invited.pk}/resend/", follow=True)
    assert "A new invitation was sent to nina@example.com" in resent.content.decode()
    withdrawn = admin_client.post(f"/settings/agents/{invited.pk}/revoke/", follow=True)

    assert "The invitation to nina@example.com was withdrawn." in withdrawn.content.decode()
    assert not User.objects.filter(email="nina@example.com").exists()


def test_supervisors_and_agents_are_refused(supervisor: User, agent: User) -> None:
    for person in (supervisor, agent):
        client = Client()
        client.force_login(person)
        assert client.get("/settings/agents/").status_code == 403
        assert client.post("/settings/agents/invite/", {
            "email": "x@example.com", "role": Role.ADMINISTRATOR, "language": "en",
        }).status_code == 403
    assert not User.objects.filter(email="x@example.com").exists()
