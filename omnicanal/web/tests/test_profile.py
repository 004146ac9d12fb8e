"""/profile/: every agent's own page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import AuditLogEntry, Language, User

pytestmark = pytest.mark.django_db

URL = "/profile/"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def profile_post(user: User, **changes: Any) -> dict[str, Any]:
    data = {
        "form": "profile", "name": user.name, "language": user.language,
        "signature_email": "", "signature_webchat": "", "signature_sms": "",
        "signature_whatsapp": "", "send_shortcut": user.send_shortcut,
    }
    return {**data, **changes}


def password_post(current: str, new: str, again: str | None = None) -> dict[str, str]:
    return {"form": "password", "old_password": current, "new_password1": new,
            "new_password2": new if again is None else again}


@pytest.fixture
def english_agent(agent: User) -> User:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    agent.refresh_from_db()
    return agent


def test_the_url_is_named_profile() -> None:
    assert reverse("web:profile") == URL


def test_an_anonymous_visitor_is_sent_to_the_login_page(db: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_every_role_has_a_profile_page(role: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(role)
    response = client_for(user).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{user.name}"' in page
    assert reverse("notifications:preferences") in page


def test_the_top_bar_names_the_agent_with_a_link_to_the_profile(english_agent: User) -> None:
    page = client_for(english_agent).get("/").content.decode()
    assert f'<a class="account-name" href="{URL}"' in page
    # In the account menu's button: the avatar and the name.
    assert 'class="account-button-name">Bob Agent</span>' in page


def test_name_and_signatures_are_saved(english_agent: User) -> None:
    client = client_for(english_agent)
    response = client.post(URL, profile_post(
        english_agent, name="Bob Durand", signature_email="Bob\nService client",
        signature_webchat="— Bob",
    ))
    assert response.status_code == 302
    english_agent.refresh_from_db()
    assert english_agent.name == "Bob Durand"
    assert english_agent.signatures == {"email": "Bob\nService client", "webchat": "— Bob"}
    page = client.get(URL).content.decode()
    assert "Your profile is saved." in page
    assert "Bob\nService client</textarea>" in page
    assert AuditLogEntry.objects.filter(action="profile.updated", actor=english_agent).exists()


def test_the_new_language_takes_effect_at_once(english_agent: User) -> None:
    client = client_for(english_agent)
    response = client.post(URL, profile_post(english_agent, language="fr"), follow=True)
    english_agent.refresh_from_db()
    assert english_agent.language == "fr"
    page = response.content.decode()
    assert '<html lang="fr"' in page


def test_an_empty_name_is_an_error_beside_the_field(english_agent: User) -> None:
    response = client_for(english_agent).post(URL, profile_post(english_agent, name=""))
    assert response.status_code == 200
    assert response.context["profile_form"].errors["name"]
    assert 'id="id_name_error"' in response.content.decode()
    english_agent.refresh_from_db()
    assert english_agent.name == "Bob Agent"


def test_changing_the_password_keeps_this_session(english_agent: User) -> None:
    client = client_for(english_agent)
    response = client.post(URL, password_post("pw-bob-123", "a-much-longer-passphrase-42"))
    assert response.status_code == 302
    english_agent.refresh_from_db()
    assert english_agent.check_password("a-much-longer-passphrase-42")
    # Still logged in: the session's hash was updated with the password.
    page = client.get(URL)
    assert page.status_code == 200
    assert "Your password is changed." in page.content.decode()
    entry = AuditLogEntry.objects.get(action="profile.password_changed")
    assert "passphrase" not in str(entry.data)


def test_another_session_ends_when_the_password_changes(english_agent: User) -> None:
    other = client_for(english_agent)
    client_for(english_agent).post(URL, password_post("pw-bob-123", "a-much-longer-passphrase-42"))
    assert other.get(URL).status_code == 302


def test_a_wrong_current_password_is_an_error_beside_that_field(english_agent: User) -> None:
    response = client_for(english_agent).post(
        URL, password_post("not-my-password", "a-much-longer-passphrase-42")
    )
    assert response.status_code == 200
    assert response.context["password_form"].errors["old_password"]
    assert 'id="id_old_password_error"' in response.content.decode()
    english_agent.refresh_from_db()
    assert english_agent.check_password("pw-bob-123")
    assert not AuditLogEntry.objects.exists()


def test_a_new_password_typed_differently_twice_is_refused(english_agent: User) -> None:
    response = client_for(english_agent).post(
        URL, password_post("pw-bob-123", "a-much-longer-passphrase-42", "another-one-entirely")
    )
    assert response.context["password_form"].errors["new_password2"]
    english_agent.refresh_from_db()
    assert english_agent.check_password("pw-bob-123")


def test_a_too_short_new_password_is_refused_by_djangos_validators(english_agent: User) -> None:
    response = client_for(english_agent).post(URL, password_post("pw-bob-123", "short"))
    assert response.context["password_form"].errors["new_password2"]


def test_the_form_needs_its_csrf_token(english_agent: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(english_agent)
    assert client.post(URL, profile_post(english_agent, name="X")).status_code == 403
