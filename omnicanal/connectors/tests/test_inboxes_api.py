"""/api/v1/inboxes: settings checked against the channel's schema when an inbox is created
or changed, every problem named; secrets never read back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import bearer
from omnicanal.connectors.actions import check_settings
from omnicanal.conversations.models import Inbox

pytestmark = pytest.mark.django_db

TWILIO = {
    "account_sid": "AC0123456789abcdef0123456789abcdef",
    "auth_token": "tw-auth-token-7f3a",
    "from_number": "+33612345678",
}
CLOUD = {
    "phone_number_id": "106540352242922",
    "access_token": "EAAG-cloud-access-token-91c2",
    "app_secret": "cloud-app-secret-55d1",
    "verify_token": "cloud-verify-token-0b7e",
}
META = {
    "page_access_token": "EAAG-page-token-4e20",
    "app_secret": "meta-app-secret-a913",
    "verify_token": "meta-verify-token-66c8",
    "app_id": "1234567890",
}
# One valid inbox per channel kind, with the secrets each holds.
VALID: dict[str, tuple[dict[str, Any], list[str]]] = {
    "api": ({"webhook_url": "https://shop.example/omnicanal"}, []),
    "email": (
        {"from_address": "Support@Shop.example", "smtp_host": "smtp.shop.example",
         "smtp_username": "support", "smtp_password": "smtp-password-e41b",
         "imap_host": "imap.shop.example", "imap_password": "imap-password-2c90"},
        ["smtp-password-e41b", "imap-password-2c90"],
    ),
    "webchat": (
        {"site_token": "shop-site-token-0123", "allowed_origins": ["https://shop.example"],
         "business_hours": {"timezone": "Europe/Paris", "days": {"mon": [["09:00", "18:00"]]}}},
        [],
    ),
    "sms": (TWILIO, ["tw-auth-token-7f3a"]),
    "whatsapp": (CLOUD, ["EAAG-cloud-access-token-91c2", "cloud-app-secret-55d1",
                         "cloud-verify-token-0b7e"]),
    "messenger": (META, ["EAAG-page-token-4e20", "meta-app-secret-a913",
                         "meta-verify-token-66c8"]),
    "instagram": (META, ["EAAG-page-token-4e20", "meta-app-secret-a913",
                         "meta-verify-token-66c8"]),
    "telegram": (
        {"bot_token": "123456:ABC-telegram-bot-token", "secret_token": "tg-secret-token-88"},
        ["123456:ABC-telegram-bot-token", "tg-secret-token-88"],
    ),
    "voice": ({}, []),
}


def named_errors(body: dict[str, Any]) -> dict[str, str]:
    """Field path (without "body") → reason, from the API's 422 answer."""
    return {".".join(str(part) for part in e["loc"][1:]): e["msg"] for e in body["detail"]}


def create(user: User, channel: str, settings: dict[str, Any]) -> Any:
    return Client().post(
        "/api/v1/inboxes",
        json.dumps({"name": f"My {channel}", "channel": channel, "settings": settings}),
        content_type="application/json", **bearer(user),
    )


@pytest.mark.parametrize(
    ("channel", "settings", "field", "reason"),
    [
        ("api", {"webhook_url": "ftp://shop.example/in"}, "settings.webhook_url", "URL"),
        ("email", {"from_name": "Support"}, "settings.from_address", "Required"),
        ("email", {"from_address": "support@shop.example", "smtp_port": "smtp"},
         "settings.smtp_port", "not a port number"),
        ("email", {"from_address": "support@shop.example", "imap_auth": "xoauth2"},
         "settings", "needs imap_access_token"),
        ("webchat", {"site_token": "shop-site-token-0123",
                     "business_hours": {"timezone": "Mars/Olympus"}},
         "settings.business_hours", "Unknown time zone"),
        ("sms", {**TWILIO, "account_sid": "SK123"}, "settings.account_sid", "pattern"),
        ("sms", {**TWILIO, "from_number": "06 12 34 56 78"}, "settings.from_number", "pattern"),
        ("sms", {**TWILIO, "status_callback": "/webhooks/twilio/1/"}, "settings.status_callback",
         "URL"),
        ("sms", {"account_sid": TWILIO["account_sid"], "auth_token": "x"}, "settings",
         "from_number"),
        ("whatsapp", {**CLOUD, "access_token": ""}, "settings.access_token", "at least 1"),
        ("whatsapp", {**CLOUD, "provider": "wechat"}, "settings.provider", "twilio"),
        ("whatsapp", {"provider": "twilio", **CLOUD}, "settings.account_sid", "Required"),
        ("messenger", {**META, "page_token": "oops"}, "settings.page_token", "Unknown setting"),
        ("instagram", {k: v for k, v in META.items() if k != "app_secret"},
         "settings.app_secret", "Required"),
        ("telegram", {"bot_token": "not-a-token", "secret_token": "tg-secret-token-88"},
         "settings.bot_token", "pattern"),
        ("voice", {"number": "+33100000000"}, "settings.number", "Unknown setting"),
    ],
)
def test_a_wrong_setting_is_refused_at_creation_naming_the_field(
    admin: User, channel: str, settings: dict[str, Any], field: str, reason: str
) -> None:
    response = create(admin, channel, settings)

    assert response.status_code == 422
    body = response.json()
    assert reason in named_errors(body).get(field, ""), body
    assert not Inbox.objects.exists()


def test_every_problem_is_named_at_once(admin: User) -> None:
    response = create(admin, "sms", {"account_sid": "nope", "auth_tokne": "x"})

    fields = set(named_errors(response.json()))
    assert {"settings.account_sid", "settings.auth_token", "settings.auth_tokne"} <= fields


def test_a_refusal_never_quotes_the_values_given(admin: User) -> None:
    response = create(admin, "telegram", {"bot_token": "leaky secret value", "secret_token": "?"})

    assert response.status_code == 422
    assert b"leaky secret value" not in response.content


def test_an_unknown_channel_is_refused(admin: User) -> None:
    response = create(admin, "fax", {})

    assert response.status_code == 422
    assert list(named_errors(response.json())) == ["channel"]


@pytest.mark.parametrize("channel", VALID)
def test_a_valid_inbox_is_created_and_its_secrets_are_not_returned(
    admin: User, channel: str
) -> None:
    settings, secrets = VALID[channel]

    response = create(admin, channel, settings)

    assert response.status_code == 201, response.json()
    inbox = Inbox.objects.get(pk=response.json()["id"])
    for value in secrets:
        assert value not in response.content.decode()
        assert value in inbox.settings.values()
    masked = response.json()["settings"]
    assert all(masked[key] == "********" for key, value in settings.items() if value in secrets)
    # The audit trail names the keys, never a value.
    entry = AuditLogEntry.objects.get(action="inbox.created")
    assert not any(value in json.dumps(entry.data) for value in secrets)


def test_settings_are_stored_normalised(admin: User) -> None:
    response = create(admin, "email", VALID["email"][0])

    assert Inbox.objects.get(pk=response.json()["id"]).settings["from_address"] == (
        "support@shop.example"
    )


def test_listing_inboxes_never_shows_a_secret(admin: User, agent: User) -> None:
    for channel, (settings, _) in VALID.items():
        assert create(admin, channel, settings).status_code == 201

    response = Client().get("/api/v1/inboxes", **bearer(agent))

    assert response.status_code == 200
    text = response.content.decode()
    for _, secrets in VALID.values():
        for value in secrets:
            assert value not in text
    by_channel = {inbox["channel"]: inbox["settings"] for inbox in response.json()}
    assert by_channel["sms"]["auth_token"] == "********"
    assert by_channel["sms"]["from_number"] == "+33612345678"


def patch(user: User, inbox: Inbox, settings: dict[str, Any]) -> Any:
    return Client().patch(
        f"/api/v1/inboxes/{inbox.pk}/settings", json.dumps({"settings": settings}),
        content_type="application/json", **bearer(user),
    )


def test_a_setting_is_changed_and_a_masked_secret_sent_back_is_kept(admin: User) -> None:
    inbox = Inbox.objects.get(pk=create(admin, "sms", TWILIO).json()["id"])

    response = patch(admin, inbox, {"auth_token": "********", "from_number": "+33698765432"})

    assert response.status_code == 200
    inbox.refresh_from_db()
    assert inbox.settings["auth_token"] == "tw-auth-token-7f3a"
    assert inbox.settings["from_number"] == "+33698765432"
    assert "tw-auth-token-7f3a" not in response.content.decode()


def test_a_wrong_change_is_refused_and_nothing_changes(admin: User) -> None:
    inbox = Inbox.objects.get(pk=create(admin, "sms", TWILIO).json()["id"])

    response = patch(admin, inbox, {"from_number": None})

    assert response.status_code == 422
    assert named_errors(response.json()) == {
        "settings": "Give from_number (E.164) or messaging_service_sid."
    }
    inbox.refresh_from_db()
    assert inbox.settings["from_number"] == "+33612345678"


def test_only_an_administrator_changes_settings(admin: User, agent: User) -> None:
    inbox = Inbox.objects.get(pk=create(admin, "api", {}).json()["id"])

    response = patch(agent, inbox, {"webhook_url": "https://evil.example/"})

    assert response.status_code == 403
    inbox.refresh_from_db()
    assert inbox.settings == {}


def test_the_demo_inboxes_settings_are_valid() -> None:
    from omnicanal.demo.data import INBOXES

    for _, channel, settings in INBOXES:
        check_settings(channel, settings)


def test_the_shared_test_inboxes_settings_are_valid(api_inbox: Inbox, email_inbox: Inbox) -> None:
    for inbox in (api_inbox, email_inbox):
        check_settings(inbox.channel, inbox.settings)


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"])
def test_text_no_database_can_store_is_refused_by_name(admin: User, text: str) -> None:
    response = create(admin, "email", {"from_address": "support@shop.example", "from_name": text})

    assert response.status_code == 422
    assert list(named_errors(response.json())) == ["settings.from_name"]
    assert not Inbox.objects.exists()
