from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from omnicanal.connectors.meta.signature import compute_signature
from omnicanal.connectors.meta.tests.stub import PAGE_TOKEN, SendApiStub
from omnicanal.conversations.models import Inbox

FIXTURES = Path(__file__).parent / "fixtures" / "constructed"
APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"
APP_ID = "1517776481860111"
CUSTOMER = "5732918406812345"


def payload(name: str, *, fresh: bool = True) -> dict[str, Any]:
    """A corpus body; `fresh` moves its timestamps to now (the corpus is from 2024, outside
    Messenger's 7-day reply window)."""
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    if fresh:
        for entry in body["entry"]:
            for item in entry.get("messaging", []):
                item["timestamp"] = int(time.time() * 1000)
    return body


@pytest.fixture
def send_api() -> Iterator[SendApiStub]:
    stub = SendApiStub()
    yield stub
    stub.close()


def _inbox(channel: str, stub: SendApiStub) -> Inbox:
    return Inbox.objects.create(name=channel.title(), channel=channel, settings={
        "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "page_access_token": PAGE_TOKEN,
        "app_id": APP_ID, "api_base": stub.url,
    })


@pytest.fixture
def messenger_inbox(db: Any, send_api: SendApiStub) -> Inbox:
    return _inbox("messenger", send_api)


@pytest.fixture
def instagram_inbox(db: Any, send_api: SendApiStub) -> Inbox:
    return _inbox("instagram", send_api)


def post_signed(inbox: Inbox, body: dict[str, Any], *, secret: str = APP_SECRET) -> Any:
    raw = json.dumps(body).encode()
    return Client().post(f"/webhooks/{inbox.channel}/{inbox.pk}/", raw,
                         content_type="application/json",
                         HTTP_X_HUB_SIGNATURE_256=compute_signature(raw, secret))
