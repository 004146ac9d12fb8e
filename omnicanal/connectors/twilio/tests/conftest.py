from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from omnicanal.connectors.twilio.tests.stub import ACCOUNT_SID, AUTH_TOKEN, TwilioStub
from omnicanal.connectors.twilio.webhook import compute_signature, form_params
from omnicanal.conversations.models import Inbox

FIXTURES = Path(__file__).parent / "fixtures" / "constructed"
OUR_NUMBER = "+14155238886"


def fields(name: str, **overrides: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((FIXTURES / name).read_text())
    return {**data, **overrides}


@pytest.fixture
def twilio() -> Iterator[TwilioStub]:
    stub = TwilioStub()
    yield stub
    stub.close()


def _settings(stub: TwilioStub, **extra: Any) -> dict[str, Any]:
    return {"provider": "twilio", "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
            "from_number": OUR_NUMBER, "api_base": stub.url, **extra}


@pytest.fixture
def sms_inbox(db: Any, twilio: TwilioStub) -> Inbox:
    return Inbox.objects.create(name="SMS", channel="sms", settings=_settings(twilio))


@pytest.fixture
def whatsapp_inbox(db: Any, twilio: TwilioStub) -> Inbox:
    return Inbox.objects.create(name="WhatsApp", channel="whatsapp", settings=_settings(twilio))


def post_signed(
    inbox: Inbox, data: dict[str, str], *, token: str = AUTH_TOKEN,
    signed_url: str = "", **headers: str,
) -> Any:
    """Post form fields as Twilio does, signed over the URL the test client calls."""
    path = f"/webhooks/twilio/{inbox.pk}/"
    body = urlencode(data)
    url = signed_url or f"http://testserver{path}"
    signature = compute_signature(url, form_params(body.encode()), token)
    return Client().post(path, body, content_type="application/x-www-form-urlencoded",
                         HTTP_X_TWILIO_SIGNATURE=signature, **headers)
