"""The widget's HTTP endpoints: origins, CORS, identity, rate limits, long polling."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from django.test import Client

from omnicanal.connectors.webchat import actions, ratelimit
from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN, VISITOR
from omnicanal.conversations.models import Inbox, Message

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any], origin: str = SITE) -> Any:
    return client.post(f"/webchat/{TOKEN}/{path}", json.dumps(body),
                       content_type="application/json", HTTP_ORIGIN=origin)


def test_the_widget_script_is_served_small_and_plain(client: Client) -> None:
    response = client.get("/widget.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    source = response.content
    # Small enough for any page: well under 30 KB once gzipped.
    assert len(gzip.compress(source)) < 30 * 1024
    # Nothing a strict CSP forbids.
    for forbidden in (b"eval(", b"new Function", b"innerHTML", b".style.", b"setAttribute(\"style"):
        assert forbidden not in source


def test_an_allowed_origin_posts_a_message_with_cors_headers(
    client: Client, chat_inbox: Inbox
) -> None:
    body = {"visitor_id": VISITOR, "client_id": "client-0001", "text": "Bonjour"}

    response = post(client, "messages", body)
    again = post(client, "messages", body)

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert Message.objects.filter(inbox=chat_inbox).count() == 1


def test_another_origin_is_refused_without_cors_headers(client: Client, chat_inbox: Inbox) -> None:
    body = {"visitor_id": VISITOR, "client_id": "client-0001", "text": "Bonjour"}

    response = post(client, "messages", body, origin="https://evil.example")
    preflight = client.options(f"/webchat/{TOKEN}/messages", HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert preflight.status_code == 403
    assert Message.objects.count() == 0


def test_the_preflight_of_an_allowed_origin_is_answered(client: Client, chat_inbox: Inbox) -> None:
    response = client.options(f"/webchat/{TOKEN}/messages", HTTP_ORIGIN=SITE)

    assert response.status_code == 204
    assert response["Access-Control-Allow-Headers"] == "Content-Type"


def test_a_forged_user_hash_is_a_403_with_a_reason(client: Client, chat_inbox: Inbox) -> None:
    body = {"visitor_id": VISITOR, "client_id": "client-0001", "text": "Bonjour",
            "identity": {"user_id": "42", "email": "a@example.fr", "user_hash": "bad"}}

    response = post(client, "messages", body)

    assert response.status_code == 403
    assert "user_hash" in response.json()["error"]


def test_a_visitor_posting_too_fast_gets_a_429_with_the_reason(
    client: Client, chat_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "message", ((2, 60), (100, 60)))
    for n in range(2):
        assert post(client, "messages", {"visitor_id": VISITOR, "client_id": f"client-000{n}",
                                         "text": "x"}).status_code == 201

    response = post(client, "messages", {"visitor_id": VISITOR, "client_id": "client-0009",
                                         "text": "x"})

    assert response.status_code == 429
    # In the visitor's language: the site's default (French) without an Accept-Language.
    assert "Trop de requêtes" in response.json()["error"]


def test_one_address_is_limited_whatever_the_visitor_ids(
    client: Client, chat_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "message", ((100, 60), (2, 60)))
    statuses = [
        post(client, "messages", {"visitor_id": f"visitor-{n:012d}", "client_id": "client-0001",
                                  "text": "x"}).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]


def test_polling_returns_messages_after_the_cursor(client: Client, chat_inbox: Inbox) -> None:
    post(client, "messages", {"visitor_id": VISITOR, "client_id": "client-0001", "text": "Un"})
    post(client, "messages", {"visitor_id": VISITOR, "client_id": "client-0002", "text": "Deux"})
    first = Message.objects.order_by("id").first()
    assert first is not None

    response = client.get(f"/webchat/{TOKEN}/messages",
                          {"visitor_id": VISITOR, "since": first.pk}, HTTP_ORIGIN=SITE)

    assert response.status_code == 200
    assert [m["text"] for m in response.json()["messages"]] == ["Deux"]
    assert response["Access-Control-Allow-Origin"] == SITE


def test_leaving_an_email_stores_it_unverified(client: Client, chat_inbox: Inbox) -> None:
    response = post(client, "email", {"visitor_id": VISITOR, "client_id": "client-0001",
                                      "email": "jeanne@example.fr", "text": "Rappelez-moi"})

    assert response.status_code == 201
    message = Message.objects.select_related("conversation__contact").get()
    identity = message.conversation.contact.identities.get(kind="email")
    assert (identity.value, identity.is_verified) == ("jeanne@example.fr", False)


def test_the_config_says_whether_the_team_is_in(client: Client, chat_inbox: Inbox) -> None:
    chat_inbox.settings["business_hours"] = {"timezone": "Europe/Paris", "days": {}}
    chat_inbox.save()

    response = client.get(f"/webchat/{TOKEN}/config", HTTP_ORIGIN=SITE,
                          HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert body["is_open"] is False
    assert body["wait_message"] == "Answer within 2 minutes"
    assert body["help_center_url"].endswith("/help/")


def test_an_agent_typing_reaches_the_visitors_widgets(
    client: Client, chat_inbox: Inbox, agent: Any
) -> None:
    visitor = actions.identify(chat_inbox, VISITOR)
    result = actions.post_message(visitor, "client-0001", "Bonjour")
    client.force_login(agent)

    response = client.post(f"/webchat/agent-typing/{result.conversation_id}/", {"is_typing": "1"})

    assert response.json() == {"widgets": 1}


def test_agent_typing_needs_a_login(client: Client, chat_inbox: Inbox) -> None:
    response = client.post("/webchat/agent-typing/1/", {"is_typing": "1"})

    assert response.status_code == 302
