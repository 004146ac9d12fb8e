"""First run: on an empty database the setup page creates the first administrator, then it is
gone for good."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, Role, User
from omnicanal.accounts.setup import create_first_administrator
from omnicanal.core.exceptions import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    # Anonymous visitors get the browser's language; the site's default is French.
    return Client(headers={"accept-language": "en"})

FORM = {
    "name": "Inès Martin", "email": "Ines@Example.fr", "password1": "un-long-mot-de-passe",
    "password2": "un-long-mot-de-passe", "language": "fr",
}


def test_while_no_account_exists_the_workspace_and_login_lead_to_the_setup_page(
    client: Client,
) -> None:
    for path in ("/", "/login/", "/settings/inboxes/", "/search/?q=x"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1] == ("/setup/", 302), path

    page = client.get("/setup/")
    assert page.status_code == 200
    assert "Step 1 of 2" in page.content.decode()


def test_the_api_webhooks_and_health_are_not_redirected(client: Client) -> None:
    assert client.get("/api/v1/conversations/1").status_code == 401
    assert client.get("/health/").status_code in (200, 503)
    assert client.get("/webhooks/telegram/1/").status_code != 302


def test_the_setup_page_creates_the_administrator_logs_them_in_and_disappears(
    client: Client,
) -> None:
    response = client.post("/setup/", FORM)

    assert response.status_code == 302
    assert response["Location"] == "/settings/inboxes/new/?welcome=1"
    admin = User.objects.get()
    assert admin.email == "ines@example.fr" and admin.name == "Inès Martin"
    assert admin.role == Role.ADMINISTRATOR and admin.is_superuser and admin.language == "fr"
    assert admin.check_password("un-long-mot-de-passe")
    entry = AuditLogEntry.objects.get(action="setup.first_administrator_created")
    assert entry.actor == admin
    # Logged in: the workspace opens.
    assert client.get("/").status_code == 200

    # Gone for good, for anyone.
    anonymous = Client(headers={"accept-language": "en"})
    assert anonymous.get("/setup/").status_code == 404
    assert anonymous.post("/setup/", {**FORM, "email": "other@example.fr"}).status_code == 404
    assert anonymous.get("/login/").status_code == 200
    assert User.objects.count() == 1


def test_the_passwords_must_match_and_pass_the_validators(client: Client) -> None:
    differ = client.post("/setup/", {**FORM, "password2": "un-autre-mot-de-passe"})
    assert "The two passwords differ." in differ.content.decode()

    weak = client.post("/setup/", {**FORM, "password1": "azerty", "password2": "azerty"})
    text = weak.content.decode()
    assert "This password is too short" in text and "too common" in text
    assert not User.objects.exists()


def test_an_account_created_between_the_form_and_its_submission_wins(client: Client) -> None:
    client.get("/setup/")
    User.objects.create_user("first@example.fr", "x")

    assert client.post("/setup/", FORM).status_code == 404
    assert User.objects.count() == 1


def test_the_action_refuses_a_second_administrator() -> None:
    create_first_administrator(name="A", email="a@example.fr", password="pw-a-12345678",
                               language="en")
    with pytest.raises(Conflict):
        create_first_administrator(name="B", email="b@example.fr", password="pw-b-12345678",
                                   language="en")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_create_one_administrator() -> None:
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def submit(email: str) -> None:
        start.wait()
        try:
            outcomes.append(create_first_administrator(
                name=email, email=email, password="pw-12345678", language="en"))
        except Conflict as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(f"{n}@example.fr",)) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "User"]
    assert User.objects.count() == 1
