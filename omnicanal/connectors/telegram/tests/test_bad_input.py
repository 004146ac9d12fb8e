"""A Telegram update carrying what no database stores (NUL, an unpaired surrogate) is
stored minus it, never a 500 (PostgreSQL refused the NUL; no driver encodes a surrogate)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import User
from omnicanal.connectors.telegram.tests.conftest import post_update, update
from omnicanal.conversations.models import Inbox, Message

pytestmark = pytest.mark.django_db

TEXT = "official_webhook_guide_examples/02_message_text.json"


def test_nul_and_lone_surrogates_in_an_update_are_removed(
    telegram_inbox: Inbox, admin: User
) -> None:
    body = update(TEXT)
    body["message"]["text"] = "Bon\u0000jour \ud83d!"
    body["message"]["from"]["first_name"] = "Te\u0000st"
    body["message"]["chat"]["first_name"] = "Te\u0000st"

    response = post_update(telegram_inbox, body)

    assert response.status_code == 200
    message = Message.objects.select_related("conversation__contact").get()
    assert message.text == "Bonjour !"
    assert "\x00" not in message.conversation.contact.name
    assert message.metadata["text_repaired"] is True
    browser = Client()
    browser.force_login(admin)
    page = browser.get(reverse("web:conversation", args=[message.conversation_id]))
    assert page.status_code == 200
