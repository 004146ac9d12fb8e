from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from omnicanal.accounts.actions import issue_token
from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import InboundAttachment, ThreadHints
from omnicanal.contacts.models import Contact
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Conversation,
    Inbox,
    Message,
    OutboxEvent,
    Status,
)

pytestmark = pytest.mark.django_db


def test_a_first_message_opens_a_conversation_with_its_subject_and_events(
    api_inbox: Inbox,
) -> None:
    result = ingest(api_inbox, inbound("m-1", "Colis non reçu\nBonjour..."))

    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert conversation.status == Status.OPEN
    assert conversation.subject == "Colis non reçu"
    assert conversation.waiting_since is not None
    assert list(OutboxEvent.objects.values_list("kind", flat=True).order_by("id")) == [
        "conversation.created", "message.created"
    ]


def test_a_retry_is_a_no_op_that_returns_the_same_ids(api_inbox: Inbox) -> None:
    first = ingest(api_inbox, inbound("m-1"))
    events_before = OutboxEvent.objects.count()

    retry = ingest(api_inbox, inbound("m-1", "a different body the provider resent"))

    assert retry.is_duplicate
    assert (retry.message_id, retry.conversation_id, retry.contact_id) == (
        first.message_id, first.conversation_id, first.contact_id)
    assert Message.objects.get().text == "Bonjour, ma commande n'est pas arrivée."
    # Nothing downstream hears about a duplicate.
    assert OutboxEvent.objects.count() == events_before


def test_the_same_external_id_in_two_inboxes_is_two_messages(
    api_inbox: Inbox, email_inbox: Inbox
) -> None:
    ingest(api_inbox, inbound("m-1"))
    second = ingest(email_inbox, inbound("m-1"))

    assert not second.is_duplicate
    assert Message.objects.count() == 2


def test_one_contact_writing_to_two_inboxes_has_two_conversations_on_one_contact(
    api_inbox: Inbox, email_inbox: Inbox
) -> None:
    a = ingest(api_inbox, inbound("m-1"))
    b = ingest(email_inbox, inbound("m-2"))

    assert a.contact_id == b.contact_id
    assert a.conversation_id != b.conversation_id


def test_a_reply_to_a_resolved_conversation_reopens_it_within_the_window(
    api_inbox: Inbox,
) -> None:
    first = ingest(api_inbox, inbound("m-1"))
    Conversation.objects.filter(pk=first.conversation_id).update(
        status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(days=1),
        waiting_since=None,
    )

    second = ingest(api_inbox, inbound("m-2", "Finalement toujours rien"))

    assert second.conversation_id == first.conversation_id
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.status == Status.OPEN
    assert conversation.resolved_at is None


def test_after_the_window_a_new_conversation_links_to_the_old_one(
    api_inbox: Inbox, settings: Any
) -> None:
    settings.REOPEN_WINDOW_SECONDS = 3600
    first = ingest(api_inbox, inbound("m-1"))
    Conversation.objects.filter(pk=first.conversation_id).update(
        status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(hours=2)
    )

    second = ingest(api_inbox, inbound("m-2"))

    assert second.conversation_id != first.conversation_id
    assert Conversation.objects.get(pk=second.conversation_id).previous_id == first.conversation_id
    assert Conversation.objects.get(pk=first.conversation_id).status == Status.RESOLVED


def test_a_customer_message_wakes_a_snoozed_conversation(api_inbox: Inbox) -> None:
    first = ingest(api_inbox, inbound("m-1"))
    Conversation.objects.filter(pk=first.conversation_id).update(
        status=Status.SNOOZED, snoozed_until=timezone.now() + dt.timedelta(days=2)
    )

    ingest(api_inbox, inbound("m-2"))

    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.status == Status.OPEN
    assert conversation.snoozed_until is None


def test_an_auto_reply_is_stored_but_does_not_reopen(api_inbox: Inbox) -> None:
    first = ingest(api_inbox, inbound("m-1"))
    Conversation.objects.filter(pk=first.conversation_id).update(
        status=Status.RESOLVED, resolved_at=timezone.now(), waiting_since=None
    )

    ingest(api_inbox, inbound("m-2", "Je suis absente jusqu'au 3.", is_auto_reply=True))

    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.status == Status.RESOLVED
    assert conversation.waiting_since is None
    assert Message.objects.filter(is_auto_reply=True).count() == 1


def test_a_channel_threading_rule_chooses_the_conversation(api_inbox: Inbox) -> None:
    first = ingest(api_inbox, inbound("m-1"))
    target = Conversation.objects.get(pk=first.conversation_id)
    Conversation.objects.filter(pk=target.pk).update(status=Status.RESOLVED,
                                                    resolved_at=timezone.now())
    target.refresh_from_db()

    result = ingest(
        api_inbox,
        inbound("m-2", thread=ThreadHints(in_reply_to="<m-1@example>")),
        threading=lambda inbox, contact, message: target,
    )

    assert result.conversation_id == target.pk


def test_customer_html_is_sanitised_and_attachments_stored(api_inbox: Inbox) -> None:
    result = ingest(
        api_inbox,
        inbound(
            "m-1",
            html='<p onclick="steal()">Bonjour<script>alert(1)</script></p>',
            attachments=[InboundAttachment(type="document", filename="facture.pdf",
                                           mime_type="application/pdf", content=b"%PDF-1.4")],
        ),
    )

    message = Message.objects.get(pk=result.message_id)
    assert message.html == "<p>Bonjour</p>"
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.size) == ("facture.pdf", 8)
    assert attachment.file.read() == b"%PDF-1.4"


def test_unsupported_content_is_kept_with_its_raw_payload(api_inbox: Inbox) -> None:
    result = ingest(api_inbox, inbound("m-1", "", kind="unsupported", raw={"type": "order"}))

    message = Message.objects.get(pk=result.message_id)
    assert message.is_unsupported
    assert message.metadata["raw"] == {"type": "order"}


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_deliveries_of_one_message_store_it_once(admin: User) -> None:
    """Real concurrent requests, each on its own database connection (PostgreSQL in the
    PostgreSQL pass; SQLite serialises writers and must give the same result)."""
    inbox = Inbox.objects.create(name="API", channel="api")
    token = issue_token(admin)
    payload = {
        "external_id": "same-id",
        "contact": {"name": "Jeanne", "email": "jeanne.concurrent@example.fr"},
        "text": "Bonjour",
    }
    barrier = threading.Barrier(20)
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            barrier.wait()
            response = Client().post(
                f"/api/v1/inboxes/{inbox.pk}/messages", payload,
                content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(status for status, _ in answers) == {201: 1, 200: 19}
    assert Message.objects.filter(external_id="same-id").count() == 1
    # The losers rolled back whole: no orphan contact or conversation.
    assert Contact.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert len({(a["message_id"], a["conversation_id"]) for _, a in answers}) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_messages_of_a_new_contact_share_one_contact_and_conversation(
    admin: User,
) -> None:
    inbox = Inbox.objects.create(name="API", channel="api")
    barrier = threading.Barrier(8)

    def deliver(n: int) -> None:
        try:
            barrier.wait()
            ingest(inbox, inbound(f"m-{n}", email="nouvelle@example.fr"))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Message.objects.count() == 8
    assert Contact.objects.count() == 1
    assert Conversation.objects.count() == 1


def test_an_import_writes_events_without_pushing_them(
    api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    from omnicanal.conversations.events import realtime_paused

    with (
        mock.patch("omnicanal.conversations.events.push_realtime", autospec=True) as push,
        django_capture_on_commit_callbacks(execute=True),
        realtime_paused(),
    ):
        ingest(api_inbox, inbound("m-1"))

    # (Triage's reading of the message is its own event, written by its subscriber.)
    assert OutboxEvent.objects.exclude(kind="conversation.triaged").count() == 2
    push.assert_not_called()

    with (
        mock.patch("omnicanal.conversations.events.push_realtime", autospec=True) as push,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ingest(api_inbox, inbound("m-2"))
    # Outside an import the same ingest does push (one event: the message; then triage's).
    kinds = [call.args[0]["event"]["kind"] for call in push.call_args_list]
    assert [kind for kind in kinds if kind != "conversation.triaged"] == ["message.created"]
