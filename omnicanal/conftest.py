"""Shared test fixtures: a fixed cast (admin, supervisor, agents) and small factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from omnicanal.accounts.actions import issue_token
from omnicanal.accounts.models import Role, Team, User
from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
from omnicanal.conversations import outbox
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.testing.live_server import asgi_live_server
from omnicanal.testing.webhook_receiver import webhook_receiver

__all__ = ["asgi_live_server", "webhook_receiver"]


@pytest.fixture(autouse=True)
def _no_events_from_earlier_tests() -> None:
    outbox.forget_written()


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise() -> Iterator[None]:
    # Errors are translated where they are raised, in the thread's active language, which a
    # previous test's request may have left French (the site's default): each test starts in
    # English, and a test about French pages or messages asks for French itself.
    with translation.override("en"):
        yield


@pytest.fixture
def admin(db: Any) -> User:
    return User.objects.create_user("admin@example.com", "pw-admin-123", name="Alice Admin",
                                    role=Role.ADMINISTRATOR)


@pytest.fixture
def supervisor(db: Any) -> User:
    return User.objects.create_user("sup@example.com", "pw-sup-123", name="Sarah Superviseure",
                                    role=Role.SUPERVISOR)


@pytest.fixture
def agent(db: Any) -> User:
    return User.objects.create_user("bob@example.com", "pw-bob-123", name="Bob Agent")


@pytest.fixture
def other_agent(db: Any) -> User:
    return User.objects.create_user("carol@example.com", "pw-carol-123", name="Carol Agent")


@pytest.fixture
def team(db: Any, agent: User) -> Team:
    team = Team.objects.create(name="Support")
    team.members.add(agent)
    return team


@pytest.fixture
def api_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="Site API", channel=ChannelKind.API)


@pytest.fixture
def email_inbox(db: Any) -> Inbox:
    # The address is what an e-mail inbox's schema requires (replies go from it).
    return Inbox.objects.create(
        name="Support mail", channel=ChannelKind.EMAIL,
        settings={"from_address": "support@omnicanal.example"},
    )


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


@pytest.fixture
def admin_api(admin: User) -> Callable[..., Any]:
    """POST/GET JSON as the administrator with a bearer token."""
    client = Client()
    headers = bearer(admin)

    def call(method: str, path: str, payload: Any = None) -> Any:
        if method == "get":
            return client.get(path, **headers)
        return client.post(path, payload, content_type="application/json", **headers)

    return call


def inbound(
    external_id: str,
    text: str = "Bonjour, ma commande n'est pas arrivée.",
    *,
    email: str | None = "jeanne.martin@example.fr",
    phone: str | None = None,
    name: str = "Jeanne Martin",
    verified: bool = True,
    **fields: Any,
) -> InboundMessage:
    identities = []
    if email:
        identities.append(SenderIdentity(IdentityKind.EMAIL, email, verified))
    if phone:
        identities.append(SenderIdentity(IdentityKind.PHONE, phone, verified))
    return InboundMessage(
        external_id=external_id, sender=Sender(identities, name), text=text, **fields
    )
