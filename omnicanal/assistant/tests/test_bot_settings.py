"""/settings/bot/: administrators turn the bot on per inbox (conversational channels only),
name it and set its threshold; agents may not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.assistant.bot import bot_settings
from omnicanal.conversations.models import ChannelKind, Inbox

pytestmark = pytest.mark.django_db


def test_an_administrator_turns_the_bot_on_in_a_chat_inbox_only(admin: User) -> None:
    User.objects.filter(pk=admin.pk).update(language="en")
    chat = Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT, settings={})
    telegram = Inbox.objects.create(name="Telegram", channel=ChannelKind.TELEGRAM, settings={})
    mail = Inbox.objects.create(name="Mail", channel=ChannelKind.EMAIL, settings={})
    client = Client()
    client.force_login(admin)
    page = client.get("/settings/bot/")
    assert page.status_code == 200
    assert "Chat · Web chat" in page.content.decode()
    assert "Mail · " not in page.content.decode()
    response = client.post("/settings/bot/", {
        "inboxes": [chat.pk, mail.pk], "display_name": "Lumi", "confidence_threshold": "0.6",
        "greeting_fr": "", "greeting_en": "Hi, I am Lumi, a bot.", "handover_fr": "",
        "handover_en": "",
    })
    assert response.status_code == 422  # the e-mail inbox is not a choice
    response = client.post("/settings/bot/", {
        "inboxes": [chat.pk], "display_name": "Lumi", "confidence_threshold": "0.6",
        "greeting_fr": "", "greeting_en": "Hi, I am Lumi, a bot.", "handover_fr": "",
        "handover_en": "",
    })
    assert response.status_code == 302
    chat.refresh_from_db(), telegram.refresh_from_db(), mail.refresh_from_db()
    assert chat.bot_enabled and not telegram.bot_enabled and not mail.bot_enabled
    config = bot_settings()
    assert (config.display_name, config.confidence_threshold) == ("Lumi", 0.6)
    assert config.greeting_en == "Hi, I am Lumi, a bot."


def test_a_threshold_outside_0_and_1_is_refused(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    response = client.post("/settings/bot/", {"display_name": "Lumi",
                                              "confidence_threshold": "1.5"})
    assert response.status_code == 422


def test_agents_may_not_open_it(agent: User, client: Any) -> None:
    client.force_login(agent)
    assert client.get("/settings/bot/").status_code == 403
