"""Bad input at the API's edge: a clear 4xx or a cleaned customer message, never a 500 and
never a row that breaks the pages showing it. Runs on the database of the run (SQLite by
default, PostgreSQL with DATABASE_URL), where the two differ most."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer
from omnicanal.conversations.models import Conversation, Inbox, Message


def post_json(user: User, path: str, body: str) -> Any:
    """A body written by hand: json.dumps would not let a test send every poisoned form."""
    return Client().post(path, body, content_type="application/json", **bearer(user))


def customer_message(text: str = "Bonjour", name: str = "Jeanne Martin", **extra: Any) -> str:
    return json.dumps({
        "external_id": "m-1",
        "contact": {"name": name, "email": "jeanne@example.fr"},
        "text": text,
        **extra,
    })


def test_a_message_claiming_year_9999_is_stored_at_its_arrival(
    admin: User, api_inbox: Inbox
) -> None:
    before = timezone.now()
    # 23:59 at UTC-5 is year 10000 in UTC, which PostgreSQL stores and no driver reads back.
    response = post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages",
                         customer_message(sent_at="9999-12-31T23:59:59-05:00"))

    assert response.status_code == 201
    message = Message.objects.get()
    assert before <= message.sent_at <= timezone.now()
    assert message.metadata["claimed_sent_at"] == "9999-12-31T23:59:59-05:00"
    # The pages that show this customer still load.
    shown = Client().get(f"/api/v1/conversations/{message.conversation_id}", **bearer(admin))
    assert shown.status_code == 200
    assert shown.json()["messages"][0]["text"] == "Bonjour"


def test_a_message_claiming_a_date_before_1990_is_stored_at_its_arrival(
    admin: User, api_inbox: Inbox
) -> None:
    before = timezone.now()
    response = post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages",
                         customer_message(sent_at="0001-01-01T00:00:00+05:00"))

    assert response.status_code == 201
    message = Message.objects.get()
    assert message.sent_at >= before
    assert message.metadata["claimed_sent_at"].startswith("0001-01-01")


def test_a_credible_claimed_date_is_kept(admin: User, api_inbox: Inbox) -> None:
    claimed = timezone.now() - dt.timedelta(hours=3)

    post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages",
              customer_message(sent_at=claimed.isoformat()))

    message = Message.objects.get()
    assert abs(message.sent_at - claimed) < dt.timedelta(seconds=1)
    assert "claimed_sent_at" not in message.metadata


def test_a_nul_in_a_customers_message_and_name_is_removed_not_refused(
    admin: User, api_inbox: Inbox
) -> None:
    response = post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages",
                         customer_message(text="Bon\u0000jour", name="Jea\u0000nne"))

    assert response.status_code == 201
    message = Message.objects.select_related("conversation__contact").get()
    assert message.text == "Bonjour"
    assert message.conversation.contact.name == "Jeanne"
    assert message.metadata["text_repaired"] is True
    shown = Client().get(f"/api/v1/conversations/{message.conversation_id}", **bearer(admin))
    assert shown.status_code == 200


def test_a_lone_surrogate_in_a_customers_message_is_removed(
    admin: User, api_inbox: Inbox
) -> None:
    # "\ud83d" alone is half of an emoji: valid JSON, but no UTF-8 can encode it.
    body = '{"external_id": "m-1", "contact": {"email": "jeanne@example.fr"}, ' \
           '"text": "Merci \\ud83d !", "sent_at": null}'

    response = post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages", body)

    assert response.status_code == 201
    assert Message.objects.get().text == "Merci  !"


def test_a_valid_surrogate_pair_is_kept(admin: User, api_inbox: Inbox) -> None:
    body = '{"external_id": "m-1", "contact": {"email": "jeanne@example.fr"}, ' \
           '"text": "Merci \\ud83d\\ude00"}'

    post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages", body)

    assert Message.objects.get().text == "Merci \U0001f600"


def test_a_nul_in_an_inbox_setting_is_refused_naming_the_field(admin: User) -> None:
    body = json.dumps({"name": "Boutique", "channel": "api",
                       "settings": {"webhook_url": "https://shop.example/\u0000hook"}})

    response = post_json(admin, "/api/v1/inboxes", body)

    # The administrator typed it and can fix it: refused, with the field named.
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "settings", "webhook_url"]
    assert "settings.webhook_url" in error["msg"]
    assert not Inbox.objects.exists()


def test_a_lone_surrogate_in_an_inbox_name_is_refused(admin: User) -> None:
    response = post_json(admin, "/api/v1/inboxes",
                         '{"name": "Bou\\udc80tique", "channel": "api"}')

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert not Inbox.objects.exists()


def test_a_nul_in_an_agents_reply_is_refused(admin: User, api_inbox: Inbox) -> None:
    post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages", customer_message())
    conversation = Conversation.objects.get()

    response = post_json(admin, f"/api/v1/conversations/{conversation.pk}/messages",
                         json.dumps({"text": "Bien re\u0000çu"}))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "text"]
    assert Message.objects.count() == 1


def test_an_oversized_json_body_is_a_json_413(
    admin: User, api_inbox: Inbox, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = post_json(admin, f"/api/v1/inboxes/{api_inbox.pk}/messages",
                         customer_message(text="a" * 20_000))

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]
    assert not Message.objects.exists()


def test_an_api_message_into_an_email_inbox_is_refused_with_a_reason(
    admin: User, email_inbox: Inbox
) -> None:
    response = post_json(admin, f"/api/v1/inboxes/{email_inbox.pk}/messages",
                         customer_message())

    assert response.status_code == 409
    assert 'channel "api"' in response.json()["detail"]
    assert not Message.objects.exists()


def test_an_id_larger_than_any_database_integer_is_a_422(admin: User) -> None:
    response = Client().get(f"/api/v1/conversations/{2**64}", **bearer(admin))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["conversation_id"]


def test_the_openapi_document_lists_every_error_a_route_answers(admin: User) -> None:
    document = Client().get("/api/v1/openapi.json").json()

    intake = document["paths"]["/api/v1/inboxes/{inbox_id}/messages"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "404", "409", "413", "422"} <= set(intake)
    error_schema = {"$ref": "#/components/schemas/ErrorOut"}
    assert intake["409"]["content"]["application/json"]["schema"] == error_schema
    assert intake["401"]["content"]["application/json"]["schema"] == error_schema
    assert "ErrorOut" in document["components"]["schemas"]
    listing = document["paths"]["/api/v1/inboxes"]["get"]["responses"]
    # Nothing to parse and nothing to find: only the authentication errors apply.
    assert set(listing) == {"200", "401", "403"}
