from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox


def test_wake_snoozed_once_reopens_what_is_due_and_says_how_many(
    agent: User, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    actions.snooze(agent, conversation_id, until=timezone.now() + dt.timedelta(minutes=1))
    out = StringIO()

    # An hour later, as cron would run it.
    later = timezone.now() + dt.timedelta(hours=1)
    with mock.patch("omnicanal.conversations.actions.timezone.now", return_value=later):
        call_command("wake_snoozed", "--once", stdout=out)

    assert Conversation.objects.get(pk=conversation_id).status == "open"
    assert out.getvalue().strip() == "Woke 1 conversation(s)."
