"""Twilio webhooks through the view: signed form posts become messages and statuses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import User
from omnicanal.connectors.media import fetch_attachment
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.twilio.tests.conftest import fields, post_signed
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations import outbox
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message, OutboxEvent

pytestmark = pytest.mark.django_db


def test_a_signed_sms_becomes_a_message_on_a_contact_with_the_e164_number(
    sms_inbox: Inbox,
) -> None:
    response = post_signed(sms_inbox, fields("sms_inbound.json"))

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.text == "Bonjour, ma commande n'est pas arrivée."
    assert message.external_id == "SM00000000000000000000000000000001"
    assert set(message.conversation.contact.identities.values_list("kind", "value")) == {
        ("phone", "+33612345678")
    }


def test_an_sms_and_a_whatsapp_message_from_one_number_land_on_one_contact(
    sms_inbox: Inbox, whatsapp_inbox: Inbox
) -> None:
    post_signed(sms_inbox, fields("sms_inbound.json"))
    post_signed(whatsapp_inbox, fields(
        "whatsapp_text.json", From="whatsapp:+33612345678", WaId="33612345678",
    ))

    assert Contact.objects.count() == 1
    assert set(Identity.objects.values_list("kind", "value")) == {
        ("phone", "+33612345678"), ("whatsapp", "+33612345678")
    }
    # One contact, one conversation per inbox: the agent sees both channels on one person.
    assert Message.objects.values("conversation").distinct().count() == 2


def test_the_same_webhook_posted_again_changes_nothing(sms_inbox: Inbox) -> None:
    post_signed(sms_inbox, fields("sms_inbound.json"))
    events = OutboxEvent.objects.count()

    again = post_signed(sms_inbox, fields("sms_inbound.json"))

    assert again.status_code == 200
    assert Message.objects.count() == 1
    assert OutboxEvent.objects.count() == events


def test_a_bad_signature_is_refused_and_nothing_is_stored(sms_inbox: Inbox) -> None:
    response = post_signed(sms_inbox, fields("sms_inbound.json"), token="not-the-token")

    assert response.status_code == 403
    assert b"signature" in response.content
    assert not Message.objects.exists()
    assert not Contact.objects.exists()


def test_a_webhook_for_an_inbox_of_another_provider_is_not_found(sms_inbox: Inbox) -> None:
    sms_inbox.is_active = False
    sms_inbox.save()

    assert post_signed(sms_inbox, fields("sms_inbound.json")).status_code == 404


def test_forwarded_headers_are_trusted_only_when_the_inbox_says_so(sms_inbox: Inbox) -> None:
    public = f"https://helpdesk.example.com/webhooks/twilio/{sms_inbox.pk}/"
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "helpdesk.example.com"}

    refused = post_signed(sms_inbox, fields("sms_inbound.json"), signed_url=public, **proxied)
    sms_inbox.settings = {**sms_inbox.settings, "trust_forwarded_headers": True}
    sms_inbox.save()
    accepted = post_signed(sms_inbox, fields("sms_inbound.json"), signed_url=public, **proxied)

    # Without the setting anyone could pick the URL the signature is checked against.
    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert Message.objects.count() == 1


def test_content_twilio_cannot_relay_is_stored_as_unsupported_with_its_fields(
    whatsapp_inbox: Inbox,
) -> None:
    post_signed(whatsapp_inbox, fields("whatsapp_unsupported.json"))

    message = Message.objects.get()
    assert message.is_unsupported
    assert message.metadata["raw"]["MessageType"] == "unsupported"


def test_a_voice_call_webhook_is_answered_and_ignored(sms_inbox: Inbox) -> None:
    response = post_signed(sms_inbox, fields("voice_call.json"))

    assert response.status_code == 200
    assert not Message.objects.exists()


def test_a_status_callback_marks_our_reply_delivered_then_read(
    agent: User, whatsapp_inbox: Inbox
) -> None:
    post_signed(whatsapp_inbox, fields("whatsapp_text.json"))
    message = reply(agent, Message.objects.get().conversation_id, "¿Le ayudo?")
    assert send_message.call(message.pk) == "sent"
    message.refresh_from_db()
    sid = message.provider_message_id

    post_signed(whatsapp_inbox, fields("status_delivered.json", MessageSid=sid, SmsSid=sid))
    message.refresh_from_db()
    assert message.delivery_status == "delivered"

    post_signed(whatsapp_inbox, fields("status_whatsapp_read.json", MessageSid=sid, SmsSid=sid))
    message.refresh_from_db()
    assert message.delivery_status == "read"


def test_an_undeliverable_status_shows_the_failure_on_the_message(
    agent: User, sms_inbox: Inbox
) -> None:
    post_signed(sms_inbox, fields("sms_inbound.json"))
    message = reply(agent, Message.objects.get().conversation_id, "Bonjour")
    send_message.call(message.pk)
    message.refresh_from_db()
    sid = message.provider_message_id

    post_signed(sms_inbox, fields("status_failed.json", MessageSid=sid, SmsSid=sid,
                                  ErrorMessage="Unknown error"))

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert message.failure_reason == "30008: Unknown error"


def test_an_undelivered_status_shows_as_not_delivered_with_the_carrier_s_reason(
    agent: User, sms_inbox: Inbox
) -> None:
    post_signed(sms_inbox, fields("sms_inbound.json"))
    message = reply(agent, Message.objects.get().conversation_id, "Bonjour")
    send_message.call(message.pk)
    message.refresh_from_db()
    sid = message.provider_message_id
    post_signed(sms_inbox, fields("status_delivered.json", MessageSid=sid, SmsSid=sid))

    # Twilio sent it, the carrier could not deliver it: reported as such, even after a
    # "delivered" that arrived first, and shown to the agent with the reason.
    post_signed(sms_inbox, fields("status_undelivered.json", MessageSid=sid, SmsSid=sid))

    message.refresh_from_db()
    assert message.delivery_status == "undelivered"
    assert message.failure_reason == "30003: Unreachable destination handset"
    client = Client()
    client.force_login(agent)
    page = client.get(f"/conversations/{message.conversation_id}/").content.decode()
    assert "Non distribué" in page  # the agent reads French, the default
    assert "30003: Unreachable destination handset" in page


def test_media_are_enqueued_for_fetching_after_the_commit(
    sms_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(sms_inbox, fields("mms_inbound.json"))

    message = Message.objects.get()
    assert message.attachments.count() == 2
    assert DBTaskResult.objects.count() == 2



def test_media_fetches_lost_to_a_crash_after_the_commit_are_caught_up(sms_inbox: Inbox) -> None:
    # The process dies right after the commit: no after-commit work ran.
    post_signed(sms_inbox, fields("mms_inbound.json"))
    assert not DBTaskResult.objects.exists()

    outbox.process_pending_events()  # the periodic catch-up

    fetches = DBTaskResult.objects.filter(task_path=fetch_attachment.module_path)
    assert sorted(row.args_kwargs["args"][0] for row in fetches) == sorted(
        Message.objects.get().attachments.values_list("pk", flat=True)
    )
