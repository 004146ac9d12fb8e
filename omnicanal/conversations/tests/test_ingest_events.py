"""ingest_event(): echoes, edits, deletions and reactions next to plain messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import InboundMessage, ThreadHints
from omnicanal.conversations.actions import mark_sent, reply
from omnicanal.conversations.ingest import ingest, ingest_event
from omnicanal.conversations.models import Inbox, Message, OutboxEvent

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _change(
    kind: str, target: str, text: str = "", at: dt.datetime = NOW, external_id: str = ""
) -> InboundMessage:
    return inbound(external_id, text, thread=ThreadHints(reply_to_external_id=target),
                   kind=kind, sent_at=at)


def test_an_event_without_an_id_is_stored_once_under_a_hash_of_its_content(
    api_inbox: Inbox,
) -> None:
    first = ingest_event(api_inbox, inbound("", "Tapped: Track my order", sent_at=NOW))
    again = ingest_event(api_inbox, inbound("", "Tapped: Track my order", sent_at=NOW))

    assert first.is_new_message and again.is_duplicate
    assert Message.objects.get().external_id.startswith("message:")


def test_an_edit_keeps_the_previous_text_and_records_an_event(api_inbox: Inbox) -> None:
    ingest(api_inbox, inbound("m-1", "Bonjuor"))
    events = OutboxEvent.objects.count()

    result = ingest_event(api_inbox, _change("edit", "m-1", "Bonjour", external_id="e-1"))

    message = Message.objects.get()
    assert (message.text, message.metadata["edit_history"][0]["text"]) == ("Bonjour", "Bonjuor")
    assert result.message_id == message.pk and not result.is_new_message
    assert OutboxEvent.objects.count() == events + 1


def test_a_deletion_marks_the_message_and_keeps_it_for_the_record(api_inbox: Inbox) -> None:
    ingest(api_inbox, inbound("m-1", "Mon numéro de carte est..."))

    ingest_event(api_inbox, _change("delete", "m-1"))

    message = Message.objects.get()
    assert "deleted_at" in message.metadata
    assert message.text == "Mon numéro de carte est..."


def test_a_reaction_is_replaced_and_taken_back_but_an_older_retry_changes_nothing(
    api_inbox: Inbox,
) -> None:
    ingest(api_inbox, inbound("m-1"))
    later = NOW + dt.timedelta(minutes=1)

    ingest_event(api_inbox, _change("reaction", "m-1", "👍"))
    ingest_event(api_inbox, _change("reaction", "m-1", "❤️", at=later))
    late_retry = ingest_event(api_inbox, _change("reaction", "m-1", "😮"))

    assert late_retry.is_duplicate
    assert Message.objects.get().metadata["reactions"]["jeanne.martin@example.fr"]["emoji"] == "❤️"
    ingest_event(api_inbox, _change("reaction", "m-1", "", at=later + dt.timedelta(minutes=1)))
    assert Message.objects.get().metadata["reactions"] == {}


def test_a_reaction_to_our_own_reply_finds_it_by_its_provider_id(
    agent: User, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    ours = reply(agent, conversation_id, "Votre colis part demain.")
    mark_sent(ours.pk, "provider-42")

    ingest_event(api_inbox, _change("reaction", "provider-42", "🙏"))

    ours.refresh_from_db()
    assert ours.metadata["reactions"]["jeanne.martin@example.fr"]["emoji"] == "🙏"


def test_a_change_to_an_unknown_message_is_ignored_with_a_reason(api_inbox: Inbox) -> None:
    result = ingest_event(api_inbox, _change("delete", "never-seen"))

    assert "not stored" in result.ignored_reason
    assert not Message.objects.exists()


def test_an_echo_of_a_message_we_sent_is_recognised_by_its_provider_id(
    agent: User, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    ours = reply(agent, conversation_id, "Bonjour")
    mark_sent(ours.pk, "mid-ours")

    result = ingest_event(api_inbox, inbound("mid-ours", "Bonjour", is_outgoing_echo=True))

    assert result.is_duplicate and result.message_id == ours.pk
    assert Message.objects.count() == 2


def test_an_echo_does_not_reopen_the_wait_for_an_answer(api_inbox: Inbox) -> None:
    ingest(api_inbox, inbound("m-1"))

    ingest_event(api_inbox, inbound("echo-1", "Answered from the phone app",
                                    is_outgoing_echo=True))

    echo = Message.objects.get(external_id="echo-1")
    assert (echo.direction, echo.metadata["echo"]) == ("outgoing", True)
    assert echo.conversation.waiting_since is None
