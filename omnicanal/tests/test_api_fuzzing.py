"""schemathesis over the whole JSON API: generated requests (valid and invalid) against the
OpenAPI document. The bar: no server error, every response matching its documented schema,
no status code the document does not list.

Bounded (a few examples per operation) so that it stays well under a minute; it runs on
PostgreSQL, where bad input used to turn into 500s (NUL characters, years past 9999, integers
past bigint). On SQLite it is skipped: set DATABASE_URL to run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from omnicanal.accounts.actions import issue_token
from omnicanal.accounts.models import User
from omnicanal.conversations.models import ChannelKind, Inbox

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip("API fuzzing runs on PostgreSQL (set DATABASE_URL), where bad input "
                    "breaks most; the SQLite run would only repeat it more slowly")
    # Django closes the connection after each WSGI request; inside the test's transaction
    # that would lose it (the test client does the same disconnection).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(api_schema: Any) -> str:
    """An administrator's token, and one inbox of each kind the routes take, so that valid
    requests reach the routes' logic rather than only their 404s."""
    admin = User.objects.create_user("fuzz@example.com", "pw-fuzz-123", role="administrator")
    Inbox.objects.create(name="API", channel=ChannelKind.API)
    Inbox.objects.create(name="Mail", channel=ChannelKind.EMAIL)
    return issue_token(admin)


# The raw e-mail route takes the bytes of a message: sent as they are generated.
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
