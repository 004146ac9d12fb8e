from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from omnicanal.connectors.meta.signature import compute_signature
from omnicanal.connectors.whatsapp_cloud.tests.stub import (
    ACCESS_TOKEN,
    PHONE_NUMBER_ID,
    WhatsAppCloudStub,
)
from omnicanal.conversations.models import Inbox

FIXTURES = Path(__file__).parent / "fixtures" / "pywa_updates"
APP_SECRET = "wa-app-secret"
VERIFY_TOKEN = "wa-verify-token"


def payload(file: str, name: str, *, fresh: bool = True) -> dict[str, Any]:
    """A corpus webhook body; `fresh` moves its timestamps to now (the corpus is from 2023,
    which would put every reply outside WhatsApp's 24-hour window)."""
    body: dict[str, Any] = copy.deepcopy(json.loads((FIXTURES / f"{file}.json").read_text())[name])
    if fresh:
        for entry in body["entry"]:
            for change in entry["changes"]:
                value = change["value"]
                for item in value.get("messages", []) + value.get("statuses", []):
                    item["timestamp"] = str(int(time.time()))
    return body


def value(body: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = body["entry"][0]["changes"][0]["value"]
    return found


@pytest.fixture
def cloud() -> Iterator[WhatsAppCloudStub]:
    stub = WhatsAppCloudStub()
    yield stub
    stub.close()


@pytest.fixture
def cloud_inbox(db: Any, cloud: WhatsAppCloudStub) -> Inbox:
    return Inbox.objects.create(name="WhatsApp", channel="whatsapp", settings={
        "provider": "whatsapp_cloud", "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN,
        "access_token": ACCESS_TOKEN, "phone_number_id": PHONE_NUMBER_ID, "api_base": cloud.url,
    })


def post_signed(inbox: Inbox, body: dict[str, Any] | bytes, *, secret: str = APP_SECRET) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(f"/webhooks/whatsapp_cloud/{inbox.pk}/", raw,
                         content_type="application/json",
                         HTTP_X_HUB_SIGNATURE_256=compute_signature(raw, secret))
