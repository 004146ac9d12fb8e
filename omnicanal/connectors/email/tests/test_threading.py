"""The e-mail threading rule and the keys it works with, one scenario per test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.connectors.email.intake import receive_email
from omnicanal.connectors.email.parsing import parse_email
from omnicanal.connectors.email.tests.conftest import make_mail
from omnicanal.connectors.email.threading import (
    clean_subject,
    content_key,
    message_key,
    our_message_id,
    our_message_pk,
    reply_subject,
)
from omnicanal.connectors.models import EmailReference
from omnicanal.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Status,
)

pytestmark = pytest.mark.django_db


def receive(inbox: Inbox, **fields: Any) -> int:
    result = receive_email(inbox, make_mail(**fields))
    assert result.conversation_id is not None
    return result.conversation_id


def our_pending_message(conversation_id: int, inbox: Inbox) -> Message:
    """An agent's mail the SMTP server accepted but whose "sent" bookkeeping did not land."""
    return Message.objects.create(
        conversation_id=conversation_id, inbox=inbox, direction=Direction.OUTGOING,
        text="Réponse", delivery_status=DeliveryStatus.PENDING,
    )


def test_a_new_mail_without_references_is_a_new_conversation_even_with_one_open(
    email_inbox: Inbox,
) -> None:
    first = receive(email_inbox, message_id="<a@x>", subject="Commande")
    second = receive(email_inbox, message_id="<b@x>", subject="Autre sujet")

    assert first != second


def test_a_reply_within_the_window_reopens_the_resolved_conversation(
    email_inbox: Inbox,
) -> None:
    conversation_id = receive(email_inbox, message_id="<a@x>")
    Conversation.objects.filter(pk=conversation_id).update(
        status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(days=1)
    )

    again = receive(email_inbox, message_id="<b@x>", in_reply_to="<a@x>")

    assert again == conversation_id
    assert Conversation.objects.get(pk=conversation_id).status == Status.OPEN


def test_a_reply_to_our_signed_message_id_threads_before_it_is_marked_sent(
    email_inbox: Inbox,
) -> None:
    conversation_id = receive(email_inbox, message_id="<a@x>")
    ours = our_pending_message(conversation_id, email_inbox)
    # A second conversation of the same customer, to show the match is not a fallback.
    receive(email_inbox, message_id="<c@x>", subject="Autre")

    again = receive(email_inbox, message_id="<b@x>",
                    in_reply_to=our_message_id(ours.pk, "omnicanal.test"))

    assert again == conversation_id


def test_a_forged_id_in_our_format_does_not_match(email_inbox: Inbox) -> None:
    conversation_id = receive(email_inbox, message_id="<a@x>")
    ours = our_pending_message(conversation_id, email_inbox)
    forged = f"<oc.{ours.pk}.0000000000000000@omnicanal.test>"

    assert our_message_pk(forged) is None
    assert receive(email_inbox, message_id="<b@x>", in_reply_to=forged) != conversation_id


def test_in_reply_to_wins_over_older_references(email_inbox: Inbox) -> None:
    old = receive(email_inbox, message_id="<old@x>", subject="Ancien")
    new = receive(email_inbox, message_id="<new@x>", subject="Nouveau")

    again = receive(email_inbox, message_id="<r@x>", in_reply_to="<new@x>",
                    references="<old@x> <new@x>")

    assert again == new != old


def test_the_same_message_id_is_stored_once(email_inbox: Inbox) -> None:
    raw = make_mail(message_id="<a@x>")

    first = receive_email(email_inbox, raw)
    second = receive_email(email_inbox, raw)

    assert second.action == "duplicate" and second.message_id == first.message_id
    assert Message.objects.count() == 1


def test_a_mail_without_message_id_is_deduplicated_by_its_content(email_inbox: Inbox) -> None:
    raw = make_mail(message_id=None)
    other = make_mail(message_id=None, body="Un autre texte")

    first = receive_email(email_inbox, raw)
    again = receive_email(email_inbox, b"Received: from relay2\r\n" + raw)
    different = receive_email(email_inbox, other)

    assert again.action == "duplicate" and again.message_id == first.message_id
    assert different.action == "created"
    assert Message.objects.get(pk=first.message_id).external_id == content_key(parse_email(raw))


def test_an_overlong_message_id_is_stored_and_found_under_its_digest(email_inbox: Inbox) -> None:
    long_id = "<" + "x" * 300 + "@lists.example>"
    conversation_id = receive(email_inbox, message_id=long_id)

    again = receive(email_inbox, message_id="<b@x>", in_reply_to=long_id)

    assert again == conversation_id
    assert Message.objects.filter(external_id=message_key(long_id)).exists()


def test_the_reference_rows_roll_back_with_a_duplicate(email_inbox: Inbox) -> None:
    raw = make_mail(message_id="<b@x>", in_reply_to="<a@x>")

    receive_email(email_inbox, raw)
    receive_email(email_inbox, raw)

    assert EmailReference.objects.count() == 1


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: RE: Fwd: Commande [#12]", "Commande"),
        ("AW: WG: Rechnung", "Rechnung"),
        ("TR : Facture", "Facture"),
        ("Re[2]: Suivi", "Suivi"),
        ("Réunion de lundi", "Réunion de lundi"),
    ],
)
def test_clean_subject_drops_prefixes_and_tokens(subject: str, expected: str) -> None:
    assert clean_subject(subject) == expected


def test_reply_subject_carries_one_token() -> None:
    assert reply_subject("Re: Commande [#12]", 12, is_reply=True) == "Re: Commande [#12]"
    assert reply_subject("Commande", 12, is_reply=False) == "Commande [#12]"
    assert reply_subject("", 12, is_reply=True) == "[#12]"
