"""The e-mail channel's tests run against real servers (omnicanal.testing.mail_servers)."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.testing.mail_servers import (  # noqa: F401 - fixtures, and names tests import
    OAUTH2_TOKEN,
    SUPPORT_ADDRESS,
    Dovecot,
    SmtpRecorder,
    dovecot,
    free_port,
    make_mail,
    smtp_server,
)


@pytest.fixture
def mail_inbox(db: Any, smtp_server: SmtpRecorder) -> Inbox:  # noqa: F811 - the fixture
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
