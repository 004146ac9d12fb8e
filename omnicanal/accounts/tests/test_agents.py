"""Agents' accounts: invitations, changes by administrators, links that set a password."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail, signing
from django.test import Client

from omnicanal.accounts import agents
from omnicanal.accounts.models import AuditLogEntry, Language, Role, Team, User
from omnicanal.core.exceptions import InvalidInput, PermissionDenied
from omnicanal.testing.mail_servers import SmtpRecorder, smtp_server  # noqa: F401 - a fixture
from omnicanal.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

BASE_URL = "https://help.example.com/"
LINK = re.compile(r"(?:https://help\.example\.com|http://testserver)(/\S+/)")


def browser() -> Client:
    """An anonymous visitor whose browser asks for English."""
    return Client(headers={"accept-language": "en"})


def invite(admin: User, email: str = "new@example.com", **fields: Any) -> User:
    fields.setdefault("name", "Nina New")
    fields.setdefault("language", Language.ENGLISH)
    return agents.invite_agent(admin, email=email, base_url=BASE_URL, **fields)


def is_dead(response: Any) -> bool:
    """The link's page says it no longer works, and asks for no password."""
    return (response.status_code == 200 and b"new_password1" not in response.content
            and b"Go to the login page" in response.content)


class Clock:
    """Signed links' clock (`django.core.signing` reads `time.time()`), set by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def signing_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(signing, "time", clock)
    return clock


def link_in_last_mail() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match[1]


class TestInviteAgent:
    def test_it_creates_an_account_without_password_and_mails_a_link(
        self, admin: User, team: Team
    ) -> None:
        agent = invite(admin, "New@Example.com", role=Role.SUPERVISOR, teams=[team])
        run_queued_tasks()

        agent.refresh_from_db()
        assert agent.email == "new@example.com" and agent.role == Role.SUPERVISOR
        assert list(agent.teams.all()) == [team]
        assert not agent.has_usable_password()
        assert agents.agent_state(agent) == agents.AgentState.INVITED
        [sent] = mail.outbox
        assert sent.to == ["new@example.com"]
        assert sent.subject == "You are invited to Omnicanal"
        assert "Hello Nina New," in sent.body and "for 7 days" in sent.body
        assert "E-mail address: new@example.com" in sent.body
        assert link_in_last_mail().startswith("/invitation/")
        entry = AuditLogEntry.objects.get(action="agent.invited")
        assert entry.actor == admin and entry.target_id == str(agent.pk)

    def test_the_mail_speaks_the_agents_language(self, admin: User) -> None:
        invite(admin, language=Language.FRENCH)
        run_queued_tasks()

        # A string the catalogue already translates (the mail's own arrive with the .po).
        assert "Adresse e-mail: new@example.com" in mail.outbox[0].body

    def test_nothing_is_sent_before_the_transaction_commits(self, admin: User) -> None:
        # The mail is a queued task, not a send inside the action.
        invite(admin)

        assert mail.outbox == []

    def test_an_existing_address_is_refused(self, admin: User, agent: User) -> None:
        with pytest.raises(InvalidInput, match="already exists"):
            invite(admin, agent.email.upper())

    def test_only_an_administrator_invites(self, supervisor: User) -> None:
        with pytest.raises(PermissionDenied):
            invite(supervisor)
        assert not User.objects.filter(email="new@example.com").exists()


class TestInvitationLink:
    def test_it_sets_the_password_logs_in_and_opens_the_workspace(self, admin: User) -> None:
        invite(admin)
        run_queued_tasks()
        client = browser()

        page = client.get(link_in_last_mail())
        assert page.status_code == 200
        assert b"Choose your password" in page.content and b"new@example.com" in page.content
        response = client.post(link_in_last_mail(), {
            "new_password1": "a-long-pass-phrase", "new_password2": "a-long-pass-phrase",
        })

        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200
        agent = User.objects.get(email="new@example.com")
        assert agent.check_password("a-long-pass-phrase")
        assert agents.agent_state(agent) == agents.AgentState.ACTIVE
        assert AuditLogEntry.objects.filter(action="agent.invitation_accepted").count() == 1

    def test_a_weak_password_is_refused_with_the_reason_beside_the_field(
        self, admin: User
    ) -> None:
        invite(admin)
        run_queued_tasks()

        response = browser().post(link_in_last_mail(), {
            "new_password1": "password", "new_password2": "password",
        })

        assert response.status_code == 200
        assert b"This password is too common" in response.content
        assert not User.objects.get(email="new@example.com").has_usable_password()

    def test_a_used_link_says_so(self, admin: User) -> None:
        invite(admin)
        run_queued_tasks()
        link = link_in_last_mail()
        browser().post(link, {"new_password1": "a-long-pass-phrase",
                             "new_password2": "a-long-pass-phrase"})

        response = browser().get(link)

        assert is_dead(response)
        assert b"This link no longer works" in response.content
        assert b"ask your administrator to send you a new invitation" in response.content

    def test_an_expired_link_says_so(
        self, admin: User, settings: Any, signing_clock: Clock
    ) -> None:
        settings.INVITATION_EXPIRY_DAYS = 7
        invite(admin)
        run_queued_tasks()
        link = link_in_last_mail()
        day = 24 * 3600

        signing_clock.now += 7 * day - 60
        assert browser().get(link).status_code == 200
        signing_clock.now += 120
        response = browser().get(link)

        assert is_dead(response)
        assert b"This invitation has expired" in response.content

    def test_a_resent_invitation_replaces_the_previous_link(self, admin: User) -> None:
        agent = invite(admin)
        run_queued_tasks()
        first = link_in_last_mail()

        agents.resend_invitation(admin, agent, base_url=BASE_URL)
        run_queued_tasks()

        assert len(mail.outbox) == 2
        assert is_dead(browser().get(first))
        assert browser().get(link_in_last_mail()).status_code == 200

    def test_a_withdrawn_invitation_frees_the_address(self, admin: User) -> None:
        agent = invite(admin)
        run_queued_tasks()
        link = link_in_last_mail()

        agents.revoke_invitation(admin, agent)

        assert is_dead(browser().get(link))
        assert not User.objects.filter(email="new@example.com").exists()
        assert AuditLogEntry.objects.filter(action="agent.invitation_revoked").count() == 1
        invite(admin)  # the address can be invited again

    def test_a_tampered_link_is_refused(self, admin: User) -> None:
        invite(admin)
        run_queued_tasks()

        assert is_dead(browser().get(
            link_in_last_mail().replace("/invitation/", "/invitation/x")))

    def test_an_active_agent_cannot_be_withdrawn_or_reinvited(
        self, admin: User, agent: User
    ) -> None:
        with pytest.raises(InvalidInput):
            agents.revoke_invitation(admin, agent)
        with pytest.raises(InvalidInput):
            agents.resend_invitation(admin, agent, base_url=BASE_URL)


class TestUpdateAgent:
    def change(self, actor: User, agent: User, **fields: Any) -> User:
        values: dict[str, Any] = {
            "name": agent.name, "role": agent.role, "language": agent.language,
            "teams": list(agent.teams.all()), "is_active": agent.is_active,
        }
        return agents.update_agent(actor, agent, **{**values, **fields})

    def test_it_changes_role_teams_and_language_and_audits_what_changed(
        self, admin: User, agent: User, team: Team
    ) -> None:
        other = Team.objects.create(name="Billing")

        self.change(admin, agent, role=Role.SUPERVISOR, teams=[other], language="en")

        agent.refresh_from_db()
        assert agent.role == Role.SUPERVISOR and agent.language == "en"
        assert list(agent.teams.all()) == [other]
        entry = AuditLogEntry.objects.get(action="agent.updated")
        assert entry.data == {"role": "supervisor", "language": "en", "teams": ["Billing"]}

    def test_nothing_changed_writes_no_audit_entry(self, admin: User, agent: User) -> None:
        self.change(admin, agent)

        assert not AuditLogEntry.objects.filter(action="agent.updated").exists()

    def test_a_deactivated_agent_can_no_longer_log_in(self, admin: User, agent: User) -> None:
        self.change(admin, agent, is_active=False)

        assert not browser().login(username="bob@example.com", password="pw-bob-123")

    def test_the_last_active_administrator_cannot_demote_themselves(self, admin: User) -> None:
        with pytest.raises(PermissionDenied, match="last active administrator"):
            self.change(admin, admin, role=Role.AGENT)
        with pytest.raises(PermissionDenied, match="last active administrator"):
            self.change(admin, admin, is_active=False)

        admin.refresh_from_db()
        assert admin.role == Role.ADMINISTRATOR and admin.is_active

    def test_with_another_active_administrator_one_can_step_down(self, admin: User) -> None:
        User.objects.create_user("second@example.com", "pw", role=Role.ADMINISTRATOR)

        self.change(admin, admin, role=Role.SUPERVISOR)

        admin.refresh_from_db()
        assert admin.role == Role.SUPERVISOR

    def test_a_deactivated_administrator_does_not_count(self, admin: User) -> None:
        User.objects.create_user("gone@example.com", "pw", role=Role.ADMINISTRATOR,
                                 is_active=False)

        with pytest.raises(PermissionDenied):
            self.change(admin, admin, role=Role.AGENT)

    def test_only_an_administrator_changes_agents(self, supervisor: User, agent: User) -> None:
        with pytest.raises(PermissionDenied):
            self.change(supervisor, agent, role=Role.ADMINISTRATOR)


class TestPasswordReset:
    def test_the_page_answers_the_same_for_known_and_unknown_addresses(
        self, agent: User
    ) -> None:
        known = browser().post("/password/forgot/", {"email": agent.email}, follow=True)
        unknown = browser().post("/password/forgot/", {"email": "nobody@example.com"},
                                follow=True)

        assert known.status_code == unknown.status_code == 200
        assert known.redirect_chain == unknown.redirect_chain
        assert known.content == unknown.content
        assert b"If an account exists with this address" in known.content

    def test_a_known_address_gets_a_link_that_sets_a_new_password(self, agent: User) -> None:
        agent.language = Language.ENGLISH
        agent.save(update_fields=["language"])
        browser().post("/password/forgot/", {"email": "BOB@example.com"})
        run_queued_tasks()
        [sent] = mail.outbox
        assert sent.to == [agent.email] and sent.subject == "Reset your Omnicanal password"
        assert "for 24 hours" in sent.body
        link = link_in_last_mail()
        client = browser()

        response = client.post(link, {"new_password1": "another-long-phrase",
                                      "new_password2": "another-long-phrase"})

        assert response.status_code == 302
        agent.refresh_from_db()
        assert agent.check_password("another-long-phrase")
        # Used once: the token depends on the password it replaced.
        assert is_dead(browser().get(link))

    def test_an_unknown_or_deactivated_address_gets_no_mail(self, agent: User) -> None:
        User.objects.filter(pk=agent.pk).update(is_active=False)
        browser().post("/password/forgot/", {"email": "nobody@example.com"})
        browser().post("/password/forgot/", {"email": agent.email})
        run_queued_tasks()

        assert mail.outbox == []

    def test_an_expired_link_offers_a_new_one(
        self, agent: User, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.PASSWORD_RESET_TIMEOUT = 3600
        browser().post("/password/forgot/", {"email": agent.email})
        run_queued_tasks()
        later = dt.datetime.now() + dt.timedelta(seconds=3700)
        monkeypatch.setattr(default_token_generator, "_now", lambda: later)

        response = browser().get(link_in_last_mail())

        assert is_dead(response)
        assert b"/password/forgot/" in response.content

    def test_the_login_page_links_to_it(self, agent: User) -> None:
        assert b'href="/password/forgot/"' in browser().get("/login/").content


# A real SMTP exchange: the mail a user's mail server would receive.


@pytest.fixture
def system_mail_server(smtp_server: SmtpRecorder, settings: Any) -> SmtpRecorder:  # noqa: F811
    """The real SMTP receiver as Django's mail server (pytest-django otherwise keeps mail in
    memory)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.DEFAULT_FROM_EMAIL = "Omnicanal <noreply@help.example.com>"
    return smtp_server


def test_an_invitation_reaches_a_real_smtp_server(
    admin: User, system_mail_server: SmtpRecorder
) -> None:
    invite(admin)
    run_queued_tasks()

    [raw] = system_mail_server.messages
    text = raw.decode()
    assert "To: new@example.com" in text
    assert "From: Omnicanal <noreply@help.example.com>" in text
    assert "https://help.example.com/invitation/" in text


def test_without_a_mail_server_the_invitation_is_written_to_the_log(
    admin: User, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    invite(admin)
    run_queued_tasks()

    # The console backend: the administrator finds the link in the server's output.
    assert "https://help.example.com/invitation/" in capsys.readouterr().out
