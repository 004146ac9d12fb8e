"""Messenger and Instagram webhooks through the views."""

from __future__ import annotations

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.connectors.meta.tests.conftest import (
    APP_ID,
    CUSTOMER,
    VERIFY_TOKEN,
    payload,
    post_signed,
)
from omnicanal.connectors.tasks import send_message
from omnicanal.contacts.models import Contact
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message, OutboxEvent

pytestmark = pytest.mark.django_db


def test_the_subscription_handshake_needs_the_inbox_verify_token(messenger_inbox: Inbox) -> None:
    url = f"/webhooks/messenger/{messenger_inbox.pk}/"
    query = {"hub.mode": "subscribe", "hub.challenge": "CHALLENGE_ACCEPTED"}

    accepted = Client().get(url, {**query, "hub.verify_token": VERIFY_TOKEN})
    refused = Client().get(url, {**query, "hub.verify_token": "nope"})

    assert (accepted.status_code, accepted.content) == (200, b"CHALLENGE_ACCEPTED")
    assert refused.status_code == 403


def test_a_signed_message_becomes_a_message_on_a_messenger_contact(
    messenger_inbox: Inbox,
) -> None:
    assert post_signed(messenger_inbox, payload("messenger_reply_to.json")).status_code == 200

    message = Message.objects.get()
    assert message.metadata["reply_to"]
    assert list(message.conversation.contact.identities.values_list("kind", "value")) == [
        ("messenger", CUSTOMER)
    ]


def test_an_instagram_message_lands_on_an_instagram_identity(instagram_inbox: Inbox) -> None:
    post_signed(instagram_inbox, payload("instagram_message.json"))

    message = Message.objects.get()
    assert message.text == "Hi! Is this in stock?"
    assert message.conversation.contact.identities.get().kind == "instagram"


def test_the_same_webhook_posted_again_changes_nothing(messenger_inbox: Inbox) -> None:
    body = payload("messenger_batch.json")
    post_signed(messenger_inbox, body)
    events = OutboxEvent.objects.count()

    post_signed(messenger_inbox, body)

    assert Message.objects.count() == 1
    assert OutboxEvent.objects.count() == events


def test_a_bad_signature_is_refused_and_nothing_is_stored(messenger_inbox: Inbox) -> None:
    response = post_signed(messenger_inbox, payload("messenger_batch.json"), secret="other")

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_an_unknown_event_is_stored_as_unsupported_once(messenger_inbox: Inbox) -> None:
    body = payload("messenger_unknown_event.json")

    post_signed(messenger_inbox, body)
    post_signed(messenger_inbox, body)

    # It has no id of its own: a hash of its content makes the retry a duplicate.
    message = Message.objects.get()
    assert message.is_unsupported
    assert message.external_id.startswith("unsupported:")


def test_feed_changes_are_answered_and_ignored(messenger_inbox: Inbox) -> None:
    assert post_signed(messenger_inbox, payload("page_feed_change.json")).status_code == 200
    assert not Message.objects.exists()


def test_an_echo_from_the_page_inbox_is_stored_as_outgoing_once(messenger_inbox: Inbox) -> None:
    post_signed(messenger_inbox, payload("messenger_batch.json"))
    echo = payload("messenger_echo.json")
    echo["entry"][0]["messaging"][0]["message"]["app_id"] = 263902037430900  # Page inbox

    post_signed(messenger_inbox, echo)
    post_signed(messenger_inbox, echo)

    incoming, outgoing = Message.objects.order_by("id")
    assert (outgoing.direction, outgoing.text) == ("outgoing", "Votre colis part demain.")
    assert outgoing.conversation_id == incoming.conversation_id


def test_an_echo_of_our_own_reply_is_not_stored_twice(
    agent: User, messenger_inbox: Inbox
) -> None:
    post_signed(messenger_inbox, payload("messenger_batch.json"))
    ours = reply(agent, Message.objects.get().conversation_id, "Votre colis part demain.")
    echo = payload("messenger_echo.json")
    assert str(echo["entry"][0]["messaging"][0]["message"]["app_id"]) == APP_ID

    # The echo can arrive before our send task recorded the message id.
    assert post_signed(messenger_inbox, echo).status_code == 200

    assert list(Message.objects.values_list("pk", flat=True).order_by("id"))[1:] == [ours.pk]


def test_deliveries_and_read_watermarks_update_our_replies(
    agent: User, messenger_inbox: Inbox
) -> None:
    post_signed(messenger_inbox, payload("messenger_batch.json"))
    message = reply(agent, Message.objects.get().conversation_id, "Bonjour")
    send_message.call(message.pk)
    message.refresh_from_db()
    delivery = payload("messenger_delivery_many.json")
    item = delivery["entry"][0]["messaging"][0]
    item["sender"]["id"] = CUSTOMER
    item["delivery"]["mids"] = [message.provider_message_id]

    post_signed(messenger_inbox, delivery)
    message.refresh_from_db()
    assert message.delivery_status == "delivered"

    # A Messenger read names no message: everything sent before its time was read.
    read = payload("messenger_batch.json")
    read["entry"][0]["messaging"] = []
    post_signed(messenger_inbox, read)
    message.refresh_from_db()
    assert message.delivery_status == "read"


def test_an_edit_and_a_reaction_change_the_message_they_name(messenger_inbox: Inbox) -> None:
    body = payload("messenger_batch.json")
    body["entry"][0]["messaging"][0]["message"]["mid"] = "m_reply_002"
    post_signed(messenger_inbox, body)
    edit = payload("messenger_message_edit.json")
    reaction = payload("messenger_reaction.json")
    reaction["entry"][0]["messaging"][0]["reaction"]["mid"] = "m_reply_002"

    for _ in range(2):
        post_signed(messenger_inbox, edit)
        post_signed(messenger_inbox, reaction)

    message = Message.objects.get()
    assert message.text == "Yes, that one please"
    assert [h["text"] for h in message.metadata["edit_history"]] == ["first"]
    assert list(message.metadata["reactions"]) == [CUSTOMER]
