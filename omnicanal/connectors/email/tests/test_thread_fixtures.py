"""The regression set of constructed threads (tests/fixtures/threads/<case>/thread.json).

Each case is a sequence of steps: `receive` a mail (placeholders `{conversation:X}` become
the id of the conversation labelled X), `send` one of our mails with the given Message-ID
on a labelled conversation (a new one for `to` when the label is new), `resolve` a labelled
conversation some days ago. After all steps, mails with one label must share one
conversation and different labels must be different conversations: out-of-order cases are
judged on the final state, once every mail is in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.connectors.base import IdentityKind, Sender, SenderIdentity
from omnicanal.connectors.email.intake import receive_email
from omnicanal.contacts.actions import resolve_contact
from omnicanal.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Status,
)

pytestmark = pytest.mark.django_db

THREADS = Path(__file__).parent / "fixtures" / "threads"
CASES = sorted(path for path in THREADS.iterdir() if (path / "thread.json").exists())


def _send(inbox: Inbox, labels: dict[str, int], step: dict[str, Any]) -> None:
    label = step["conversation"]
    if label not in labels:
        contact = resolve_contact(Sender([SenderIdentity(IdentityKind.EMAIL, step["to"])]))
        conversation = Conversation.objects.create(
            inbox=inbox, contact=contact, subject="Notification", last_activity_at=timezone.now()
        )
        labels[label] = conversation.pk
    Message.objects.create(
        conversation_id=labels[label],
        inbox=inbox,
        direction=Direction.OUTGOING,
        text="Notre réponse.",
        provider_message_id=step["send"],
        delivery_status=DeliveryStatus.SENT,
    )


def run_case(case: Path, inbox: Inbox) -> tuple[dict[str, set[int]], dict[str, int]]:
    spec = json.loads((case / "thread.json").read_text())
    labels: dict[str, int] = {}
    received: list[tuple[dict[str, Any], int]] = []
    for step in spec["steps"]:
        if "receive" in step:
            raw = (case / step["receive"]).read_bytes()
            raw = re.sub(
                rb"\{conversation:(\w+)\}", lambda m: str(labels[m[1].decode()]).encode(), raw
            )
            result = receive_email(inbox, raw)
            assert result.action == "created", (step, result)
            assert result.message_id is not None and result.conversation_id is not None
            labels.setdefault(step["conversation"], result.conversation_id)
            received.append((step, result.message_id))
        elif "send" in step:
            _send(inbox, labels, step)
        elif "resolve" in step:
            resolved_at = timezone.now() - dt.timedelta(days=step["days_ago"])
            Conversation.objects.filter(pk=labels[step["resolve"]]).update(
                status=Status.RESOLVED, resolved_at=resolved_at, waiting_since=None
            )
    final: dict[str, set[int]] = {}
    for step, message_id in received:
        conversation_id = Message.objects.get(pk=message_id).conversation_id
        final.setdefault(step["conversation"], set()).add(conversation_id)
    return final, labels


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_constructed_thread_lands_on_the_expected_conversations(
    case: Path, email_inbox: Inbox
) -> None:
    final, _ = run_case(case, email_inbox)

    for label, conversations in final.items():
        assert len(conversations) == 1, f"{label} split over {conversations}"
    owners = [next(iter(c)) for c in final.values()]
    assert len(set(owners)) == len(owners), f"distinct threads merged: {final}"
    spec = json.loads((case / "thread.json").read_text())
    for step in spec["steps"]:
        if "previous" in step:
            conversation = Conversation.objects.get(pk=next(iter(final[step["conversation"]])))
            # A late reply links back to the old conversation instead of reopening it.
            assert conversation.previous_id == next(iter(final[step["previous"]]))


def test_the_regression_set_covers_every_named_kind_of_thread() -> None:
    names = {case.name for case in CASES}

    assert {
        "outlook",
        "gmail",
        "apple_mail",
        "reply_to_notification",
        "forwarded",
        "out_of_order",
        "stranger_quoting",
        "subject_token_only",
    } <= names
