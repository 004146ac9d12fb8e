from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from omnicanal.connectors.telegram.tests.stub import BOT_TOKEN, BotApiStub
from omnicanal.conversations.models import Inbox

FIXTURES = Path(__file__).parent / "fixtures"
SECRET_TOKEN = "telegram-secret-token"


def update(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    for key in ("message", "edited_message"):
        if key in body:
            body[key]["date"] = int(time.time())
    return body


@pytest.fixture
def bot_api() -> Iterator[BotApiStub]:
    stub = BotApiStub()
    yield stub
    stub.close()


@pytest.fixture
def telegram_inbox(db: Any, bot_api: BotApiStub) -> Inbox:
    return Inbox.objects.create(name="Telegram", channel="telegram", settings={
        "bot_token": BOT_TOKEN, "secret_token": SECRET_TOKEN, "api_base": bot_api.url,
    })


def post_update(inbox: Inbox, body: dict[str, Any], *, secret: str | None = SECRET_TOKEN) -> Any:
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    return Client().post(f"/webhooks/telegram/{inbox.pk}/", json.dumps(body),
                         content_type="application/json", **headers)
