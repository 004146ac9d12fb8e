from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from omnicanal.connectors.email.tests.conftest import SUPPORT_ADDRESS, SmtpRecorder, smtp_server
from omnicanal.conversations.models import ChannelKind, Inbox

__all__ = ["smtp_server"]

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
def support_mail(db: Any, smtp_server: SmtpRecorder) -> Inbox:
    return Inbox.objects.create(
        name="Support mail",
        channel=ChannelKind.EMAIL,
        settings={
            "from_address": SUPPORT_ADDRESS,
            "from_name": "Support Omnicanal",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server.port,
            "smtp_security": "none",
        },
    )


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
