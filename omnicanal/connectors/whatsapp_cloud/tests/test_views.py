"""WhatsApp Cloud API webhooks through the view."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.whatsapp_cloud.tests.conftest import (
    VERIFY_TOKEN,
    payload,
    post_signed,
    value,
)
from omnicanal.contacts.models import Contact
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message, OutboxEvent

pytestmark = pytest.mark.django_db


def _handshake(inbox: Inbox, token: str) -> Any:
    return Client().get(f"/webhooks/whatsapp_cloud/{inbox.pk}/", {
        "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444",
    })


def test_the_subscription_handshake_echoes_the_challenge_for_the_inbox_token(
    cloud_inbox: Inbox,
) -> None:
    accepted = _handshake(cloud_inbox, VERIFY_TOKEN)

    assert (accepted.status_code, accepted.content) == (200, b"1158201444")
    assert _handshake(cloud_inbox, "guess").status_code == 403


def test_a_signed_text_becomes_a_message_on_a_whatsapp_and_phone_contact(
    cloud_inbox: Inbox,
) -> None:
    response = post_signed(cloud_inbox, payload("message", "text"))

    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.text, message.external_id) == ("Body Text", "wamid.xyzxyz")
    contact = message.conversation.contact
    assert contact.name == "Test Name"
    assert set(contact.identities.values_list("kind", "value")) == {
        ("whatsapp", "+972987654321"), ("phone", "+972987654321")
    }


def test_the_same_webhook_posted_again_changes_nothing(cloud_inbox: Inbox) -> None:
    body = payload("message", "text")
    post_signed(cloud_inbox, body)
    events = OutboxEvent.objects.count()

    assert post_signed(cloud_inbox, body).status_code == 200

    assert Message.objects.count() == 1
    assert OutboxEvent.objects.count() == events


def test_a_bad_signature_is_refused_and_nothing_is_stored(cloud_inbox: Inbox) -> None:
    response = post_signed(cloud_inbox, payload("message", "text"), secret="another-app")

    assert response.status_code == 403
    assert not Message.objects.exists()
    assert not Contact.objects.exists()


def test_a_signature_over_other_bytes_is_refused(cloud_inbox: Inbox) -> None:
    # Same JSON, different spacing: Meta signs the bytes, so re-serialising would break it.
    body = payload("message", "text")
    import json

    signed = json.dumps(body).encode()
    from omnicanal.connectors.meta.signature import compute_signature

    response = Client().post(f"/webhooks/whatsapp_cloud/{cloud_inbox.pk}/",
                             json.dumps(body, indent=2), content_type="application/json",
                             HTTP_X_HUB_SIGNATURE_256=compute_signature(signed, "wa-app-secret"))

    assert response.status_code == 403


def test_unsupported_content_is_stored_and_shown_with_its_payload(cloud_inbox: Inbox) -> None:
    assert post_signed(cloud_inbox, payload("message", "unsupported")).status_code == 200

    message = Message.objects.get()
    assert message.is_unsupported
    assert message.metadata["raw"]["type"] == "unsupported"


def test_an_unknown_body_is_answered_so_meta_stops_retrying(cloud_inbox: Inbox) -> None:
    response = post_signed(cloud_inbox, {"object": "page", "entry": []})

    assert response.status_code == 200
    assert not Message.objects.exists()


def test_statuses_mark_our_reply_delivered_then_read_and_never_back(
    agent: User, cloud_inbox: Inbox
) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    message = reply(agent, Message.objects.get().conversation_id, "Hello")
    send_message.call(message.pk)
    message.refresh_from_db()

    for status, expected in (("delivered", "delivered"), ("read", "read"),
                             ("delivered", "read")):
        body = payload("message_status", status)
        value(body)["statuses"][0]["id"] = message.provider_message_id
        post_signed(cloud_inbox, body)
        message.refresh_from_db()
        assert message.delivery_status == expected


def test_a_failed_status_shows_the_error_on_the_message(agent: User, cloud_inbox: Inbox) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    message = reply(agent, Message.objects.get().conversation_id, "Hello")
    send_message.call(message.pk)
    message.refresh_from_db()
    body = payload("message_status", "failed")
    value(body)["statuses"][0]["id"] = message.provider_message_id

    post_signed(cloud_inbox, body)

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert message.failure_reason.startswith("130472: User's number is part of an experiment")


def test_a_reaction_is_kept_on_the_message_it_names(cloud_inbox: Inbox) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    body = payload("message", "reaction")
    value(body)["messages"][0]["reaction"]["message_id"] = "wamid.xyzxyz"
    value(body)["messages"][0]["id"] = "wamid.reaction1"

    post_signed(cloud_inbox, body)
    post_signed(cloud_inbox, body)

    message = Message.objects.get()
    assert message.metadata["reactions"]["+972987654321"]["emoji"] == "😮"


def test_an_edit_changes_the_text_and_keeps_the_previous_one(cloud_inbox: Inbox) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    body = payload("edited_message", "image")
    edit = value(body)["messages"][0]
    edit["from"] = "972987654321"
    edit["edit"]["original_message_id"] = "wamid.xyzxyz"

    post_signed(cloud_inbox, body)
    post_signed(cloud_inbox, body)

    message = Message.objects.get()
    assert message.text == "Updated image caption"
    assert [h["text"] for h in message.metadata["edit_history"]] == ["Body Text"]


def test_a_revoked_message_is_marked_deleted(cloud_inbox: Inbox) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    body = payload("deleted_message", "revoke")
    revoke = value(body)["messages"][0]
    revoke["revoke"]["original_message_id"] = "wamid.xyzxyz"

    assert post_signed(cloud_inbox, body).status_code == 200

    assert "deleted_at" in Message.objects.get().metadata


def test_an_echo_from_the_business_app_is_stored_once_as_outgoing_on_the_customer(
    cloud_inbox: Inbox,
) -> None:
    post_signed(cloud_inbox, payload("message", "text"))
    echo = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "smb_message_echoes",
        "value": {"messaging_product": "whatsapp",
                  "metadata": {"display_phone_number": "972123456789",
                               "phone_number_id": "1122334455667"},
                  "message_echoes": [{"from": "972123456789", "to": "972987654321",
                                      "id": "wamid.echo1", "timestamp": "1697043300",
                                      "type": "text", "text": {"body": "Sent from the app"}}]},
    }]}]}

    post_signed(cloud_inbox, echo)
    post_signed(cloud_inbox, echo)

    incoming, outgoing = Message.objects.order_by("id")
    assert outgoing.direction == "outgoing"
    assert outgoing.text == "Sent from the app"
    assert outgoing.conversation_id == incoming.conversation_id
    assert outgoing.delivery_status == "sent"
    assert outgoing.conversation.waiting_since is None


def test_a_cloud_inbox_is_not_reachable_through_another_providers_url(
    cloud_inbox: Inbox,
) -> None:
    # Each URL checks the signature its provider makes: a Twilio-shaped request must not
    # be verified against a Cloud inbox's secrets.
    response = Client().post(f"/webhooks/twilio/{cloud_inbox.pk}/", "Body=hi",
                             content_type="application/x-www-form-urlencoded")

    assert response.status_code == 404


def test_a_customer_known_only_by_a_username_id_is_not_lost(cloud_inbox: Inbox) -> None:
    body = payload("message", "text")
    message = value(body)["messages"][0]
    del message["from"]
    message["from_user_id"] = "US.13491208655302741918"
    value(body)["contacts"] = []

    assert post_signed(cloud_inbox, body).status_code == 200

    stored = Message.objects.get()
    assert list(stored.conversation.contact.identities.values_list("kind", "value")) == [
        ("external", "whatsapp:US.13491208655302741918")
    ]
