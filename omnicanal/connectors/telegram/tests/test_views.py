"""Telegram updates through the webhook view."""

from __future__ import annotations

import pytest

from omnicanal.connectors.telegram.tests.conftest import post_update, update
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Inbox, Message, OutboxEvent

pytestmark = pytest.mark.django_db

TEXT = "official_webhook_guide_examples/02_message_text.json"


def test_an_update_with_the_secret_token_becomes_a_message(telegram_inbox: Inbox) -> None:
    assert post_update(telegram_inbox, update(TEXT)).status_code == 200

    message = Message.objects.get()
    assert (message.external_id, message.text) == ("1111111:1365", "/start")
    contact = message.conversation.contact
    assert contact.name == "Test Firstname Test Lastname"
    assert list(contact.identities.values_list("kind", "value")) == [("telegram", "1111111")]


def test_the_same_update_posted_again_changes_nothing(telegram_inbox: Inbox) -> None:
    post_update(telegram_inbox, update(TEXT))
    events = OutboxEvent.objects.count()

    assert post_update(telegram_inbox, update(TEXT)).status_code == 200

    assert Message.objects.count() == 1
    assert OutboxEvent.objects.count() == events


@pytest.mark.parametrize("secret", [None, "wrong-token"])
def test_an_update_without_the_secret_token_is_refused(
    telegram_inbox: Inbox, secret: str | None
) -> None:
    response = post_update(telegram_inbox, update(TEXT), secret=secret)

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_an_edit_updates_the_original_without_colliding_with_its_id(
    telegram_inbox: Inbox,
) -> None:
    post_update(telegram_inbox, update(TEXT))
    edit = update("official_webhook_guide_examples/06_edited_message.json")

    post_update(telegram_inbox, edit)
    post_update(telegram_inbox, edit)

    # The edit carries the original's "chat:message" id; it changes that row, never adds one.
    message = Message.objects.get()
    assert message.text == "Edited text"
    assert message.metadata["edit_history"][0]["text"] == "/start"
    assert len(message.metadata["edit_history"]) == 1


def test_an_edit_of_a_message_never_stored_is_kept_as_a_new_message(
    telegram_inbox: Inbox,
) -> None:
    post_update(telegram_inbox, update("official_webhook_guide_examples/06_edited_message.json"))

    message = Message.objects.get()
    assert message.text == "Edited text"
    assert message.external_id.startswith("edit:1111111:1365:")


def test_a_poll_is_stored_as_unsupported(telegram_inbox: Inbox) -> None:
    post_update(telegram_inbox, update("constructed/poll_message.json"))

    message = Message.objects.get()
    assert message.is_unsupported
    assert "raw" in message.metadata


def test_membership_updates_are_answered_and_ignored(telegram_inbox: Inbox) -> None:
    assert post_update(telegram_inbox, update("constructed/new_chat_members.json")).status_code == 200
    assert not Message.objects.exists()
