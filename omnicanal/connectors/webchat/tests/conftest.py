from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from omnicanal.connectors.email.tests.conftest import mail_inbox, smtp_server
from omnicanal.conversations.models import ChannelKind, Inbox

__all__ = ["mail_inbox", "smtp_server"]

SITE = "https://shop.example"
TOKEN = "site-token-123"
VISITOR = "v0123456789abcdef0123"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    # The counters live in the (process-wide) cache: each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def support_mail(mail_inbox: Inbox) -> Inbox:
    """The e-mail inbox that replies go out through when the visitor has left."""
    return mail_inbox


@pytest.fixture
def chat_inbox(db: Any, support_mail: Inbox) -> Inbox:
    return Inbox.objects.create(
        name="Chat du site",
        channel=ChannelKind.WEBCHAT,
        settings={
            "site_token": TOKEN,
            "allowed_origins": [SITE],
            "email_inbox_id": support_mail.pk,
            "wait_message": {"fr": "Réponse en 2 minutes", "en": "Answer within 2 minutes"},
        },
    )
