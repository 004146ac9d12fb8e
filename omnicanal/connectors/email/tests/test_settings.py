"""The inboxes these tests run on are ones the channel's schema accepts."""

from __future__ import annotations

import pytest

from omnicanal.connectors.actions import check_settings
from omnicanal.conversations.models import Inbox

pytestmark = pytest.mark.django_db


def test_the_test_inboxes_settings_are_valid(mail_inbox: Inbox) -> None:
    for inbox in (mail_inbox,):
        assert check_settings(inbox.channel, inbox.settings)
