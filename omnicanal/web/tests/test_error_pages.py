"""Error pages in the workspace's style and the reader's language, with a way back; the API
docs, the favicon and Django's admin (superusers only, branded, model names translated)."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousOperation
from django.core.management import CommandError, call_command
from django.db.migrations.executor import MigrationExecutor
from django.template import loader
from django.test import Client, RequestFactory
from django.views import defaults

from omnicanal.accounts.models import Language, User

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_missing_page_is_styled_with_a_way_back_for_a_logged_in_agent(
    client: Client, agent: User
) -> None:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    client.force_login(agent)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="en">' in page and "standalone-card" in page
    assert "Page not found" in page
    assert 'href="/"' in page and "Back to the conversations" in page
    assert "Bob Agent" in page and "Log out" in page


def test_a_french_agent_gets_the_page_in_french_whatever_the_browser_says(
    client: Client, agent: User
) -> None:
    client.force_login(agent)  # French by default

    page = english(client).get("/no/such/page/").content.decode()

    assert '<html lang="fr">' in page
    assert "Se déconnecter" in page


@pytest.mark.parametrize(("accept", "lang", "log_in"), [
    ("en-GB,en;q=0.9", "en", "Log in"), ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "Se connecter"),
])
def test_an_anonymous_visitor_gets_the_browsers_language_and_the_login_link(
    client: Client, agent: User, accept: str, lang: str, log_in: str
) -> None:
    response = client.get("/no/such/page/", headers={"accept-language": accept})

    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert 'href="/login/"' in page and log_in in page


def test_a_role_refusal_shows_the_403_page_with_its_reason(client: Client, agent: User) -> None:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    client.force_login(agent)

    response = client.get("/settings/inboxes/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Access refused" in page and "This page is for administrators." in page
    assert "standalone-card" in page


def test_a_supervisors_page_refused_to_an_agent_says_so(
    client: Client, agent: User
) -> None:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    client.force_login(agent)

    response = client.get("/settings/labels/")

    assert response.status_code == 403
    assert "This page is for supervisors." in response.content.decode()


def test_the_500_page_renders_without_a_request_or_the_database(
    django_assert_num_queries: Any,
) -> None:
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = defaults.server_error(request)
        page = loader.get_template("500.html").render()

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "web/app.css" in page and 'href="/"' in page


def test_the_400_page_renders_without_a_request(django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = defaults.bad_request(request, SuspiciousOperation("bad"))

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_an_expired_form_says_so_and_offers_to_reload(agent: User) -> None:
    client = english(Client(enforce_csrf_checks=True))

    response = client.post("/login/", {"username": "bob@example.com", "password": "x"},
                           headers={"referer": "http://testserver/login/"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "The form expired" in page
    assert 'href="http://testserver/login/"' in page and "Reload the page" in page


def test_the_favicon_is_the_workspaces_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"
    assert finders.find("web/favicon.svg")


def test_the_api_docs_are_served_from_the_package(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert finders.find("ninja/swagger-ui-bundle.js")


def test_the_openapi_document_has_no_key_twice(client: Client) -> None:
    # Swagger UI refuses a document with a duplicated key ("422" and 422 both dumped as "422").
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    document = json.loads(client.get("/api/v1/openapi.json").content,
                          object_pairs_hook=no_duplicates)
    assert document["paths"]


def test_django_admin_is_for_superusers_only(client: Client, admin: User) -> None:
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    assert english(client).get("/admin/").status_code == 200


def test_the_admin_is_branded_and_names_models_in_the_users_language(
    client: Client, admin: User
) -> None:
    User.objects.filter(pk=admin.pk).update(is_superuser=True, language=Language.ENGLISH)
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "Omnicanal — technical administration" in page
    assert "Canned replies" in page and "Business calendars" in page

    User.objects.filter(pk=admin.pk).update(language=Language.FRENCH)
    page = client.get("/admin/").content.decode()
    assert "Réponses types" in page and "Calendriers d\u2019ouverture" in page
    assert "Centre d\u2019aide" in page  # the knowledge app's name
    assert "Canned replies" not in page


def test_serve_refuses_a_database_that_is_not_migrated() -> None:
    with (
        mock.patch.object(MigrationExecutor, "migration_plan", return_value=[("x", False)]),
        pytest.raises(CommandError, match="omnicanal migrate"),
    ):
        call_command("serve", "--no-worker", "--no-scheduler")
