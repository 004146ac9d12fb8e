from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from omnicanal.accounts.actions import hash_token, issue_token, revoke_token
from omnicanal.accounts.models import ApiToken, AuditLogEntry, User
from omnicanal.core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db


def test_issue_token_prints_a_token_alone_on_its_last_line_that_the_api_accepts(
    admin: User,
) -> None:
    out = StringIO()
    call_command("issue_token", "ADMIN@example.com", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]

    response = Client().get("/api/v1/inboxes", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert token.startswith("omc_") and " " not in token


def test_issue_token_for_an_unknown_agent_fails_clearly(db: None) -> None:
    with pytest.raises(CommandError, match="No active agent"):
        call_command("issue_token", "nobody@example.com")


def test_only_the_hash_of_a_token_is_stored(agent: User) -> None:
    token = issue_token(agent)

    stored = ApiToken.objects.get()
    assert stored.token_hash == hash_token(token)
    assert token not in {stored.token_hash, stored.prefix, stored.name}
    assert AuditLogEntry.objects.filter(action="api_token.issued").exists()


def test_a_revoked_token_is_refused(agent: User) -> None:
    token = issue_token(agent)
    revoke_token(ApiToken.objects.get(), actor=agent)

    response = Client().get("/api/v1/inboxes", HTTP_AUTHORIZATION=f"Bearer {token}")

    # Sent and refused: a 403 (a 401 would say that no credentials were sent).
    assert response.status_code == 403


def test_an_agent_cannot_revoke_someone_elses_token(agent: User, other_agent: User) -> None:
    issue_token(other_agent)

    with pytest.raises(PermissionDenied):
        revoke_token(ApiToken.objects.get(), actor=agent)


def test_a_deactivated_agents_token_is_refused(agent: User) -> None:
    token = issue_token(agent)
    User.objects.filter(pk=agent.pk).update(is_active=False)

    response = Client().get("/api/v1/inboxes", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403


def test_the_openapi_document_is_served(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert "/api/v1/inboxes/{inbox_id}/messages" in response.json()["paths"]
