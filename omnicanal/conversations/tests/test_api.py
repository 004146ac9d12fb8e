from __future__ import annotations

from typing import Any

from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer
from omnicanal.conversations.models import Conversation, Inbox, Message


def message_payload(external_id: str, **contact: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "contact": contact or {"name": "Jeanne Martin", "email": "jeanne@example.fr"},
        "text": "Bonjour, où en est ma commande ?",
    }


def test_an_administrator_creates_an_api_inbox(admin_api: Any) -> None:
    response = admin_api("post", "/api/v1/inboxes", {"name": "Boutique", "channel": "api"})

    assert response.status_code == 201
    body = response.json()
    assert Inbox.objects.get(pk=body["id"]).name == "Boutique"
    assert body["secret"]


def test_an_agent_cannot_create_an_inbox(agent: User) -> None:
    response = Client().post(
        "/api/v1/inboxes", {"name": "X", "channel": "api"},
        content_type="application/json", **bearer(agent),
    )

    assert response.status_code == 403
    assert not Inbox.objects.exists()


def test_two_messages_from_one_address_land_on_one_contact_and_conversation(
    admin_api: Any, api_inbox: Inbox
) -> None:
    url = f"/api/v1/inboxes/{api_inbox.pk}/messages"
    first = admin_api("post", url, message_payload("m-1")).json()
    second = admin_api("post", url, message_payload("m-2", email="JEANNE@example.fr")).json()

    assert first["contact_id"] == second["contact_id"]
    assert first["conversation_id"] == second["conversation_id"]
    assert first["message_id"] != second["message_id"]


def test_a_repeated_external_id_is_stored_once_and_answers_duplicate(
    admin_api: Any, api_inbox: Inbox
) -> None:
    url = f"/api/v1/inboxes/{api_inbox.pk}/messages"
    first = admin_api("post", url, message_payload("m-1"))
    repeat = admin_api("post", url, message_payload("m-1"))

    assert first.status_code == 201
    assert first.json()["duplicate"] is False
    assert repeat.status_code == 200
    assert repeat.json() == {**first.json(), "duplicate": True}
    assert Message.objects.count() == 1


def test_an_unknown_inbox_is_a_404(admin_api: Any) -> None:
    response = admin_api("post", "/api/v1/inboxes/999/messages", message_payload("m-1"))

    assert response.status_code == 404


def test_a_contact_without_identity_is_a_422_with_a_reason(
    admin_api: Any, api_inbox: Inbox
) -> None:
    response = admin_api(
        "post", f"/api/v1/inboxes/{api_inbox.pk}/messages", message_payload("m-1", name="Anonyme")
    )

    assert response.status_code == 422
    assert "email, a phone or an external_id" in response.json()["detail"]
    assert not Message.objects.exists()


def test_a_text_too_long_is_a_422(admin_api: Any, api_inbox: Inbox, settings: Any) -> None:
    settings.MESSAGE_TEXT_MAX_LENGTH = 10
    payload = message_payload("m-1")

    response = admin_api("post", f"/api/v1/inboxes/{api_inbox.pk}/messages", payload)

    assert response.status_code == 422
    assert "longer than 10" in response.json()["detail"]


def test_no_token_is_a_401(api_inbox: Inbox) -> None:
    response = Client().post(
        f"/api/v1/inboxes/{api_inbox.pk}/messages", message_payload("m-1"),
        content_type="application/json",
    )

    assert response.status_code == 401
    # RFC 6750: the client is told which scheme to authenticate with.
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"].startswith("application/json")
    assert not Message.objects.exists()


def test_a_wrong_token_is_a_403(api_inbox: Inbox) -> None:
    response = Client().get("/api/v1/inboxes", HTTP_AUTHORIZATION="Bearer omc_not-a-token")

    # Credentials were sent and refused: not a 401, which would invite sending none.
    assert response.status_code == 403
    assert "invalid or revoked" in response.json()["detail"]


def test_the_conversation_comes_with_its_messages_and_contact(
    admin_api: Any, api_inbox: Inbox
) -> None:
    url = f"/api/v1/inboxes/{api_inbox.pk}/messages"
    ids = admin_api("post", url, message_payload("m-1", email="paul@example.fr", phone="06 12 34 56 78")).json()

    body = admin_api("get", f"/api/v1/conversations/{ids['conversation_id']}").json()

    assert body["contact"]["id"] == ids["contact_id"]
    assert {(i["kind"], i["value"]) for i in body["contact"]["identities"]} == {
        ("email", "paul@example.fr"), ("phone", "+33612345678")
    }
    assert [m["text"] for m in body["messages"]] == ["Bonjour, où en est ma commande ?"]
    assert Conversation.objects.get().status == "open"


def test_twenty_concurrent_http_deliveries_to_the_running_server_store_one_message(
    asgi_live_server: Any,
) -> None:
    """The bar's proof: real HTTP requests, at once, to the ASGI server (on PostgreSQL in the
    PostgreSQL pass), each handled on its own database connection."""
    import json
    import threading
    import urllib.error
    import urllib.request
    from collections import Counter

    from omnicanal.accounts.actions import issue_token
    from omnicanal.accounts.models import Role
    from omnicanal.contacts.models import Contact

    admin = User.objects.create_user("ops@example.com", "pw-ops-123", role=Role.ADMINISTRATOR)
    inbox = Inbox.objects.create(name="API", channel="api")
    token = issue_token(admin)
    body = json.dumps(message_payload("same-id")).encode()
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    answers: list[dict[str, Any]] = []

    def deliver() -> None:
        request = urllib.request.Request(
            f"{asgi_live_server.url}/api/v1/inboxes/{inbox.pk}/messages", data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            statuses.append(response.status)
            answers.append(json.loads(response.read()))

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(statuses) == {201: 1, 200: 19}
    assert Message.objects.filter(external_id="same-id").count() == 1
    assert Contact.objects.count() == 1
    assert len({(a["message_id"], a["conversation_id"], a["contact_id"]) for a in answers}) == 1


def test_a_refusal_reads_in_english_unless_the_client_asks_for_another_language(
    agent: User, api_inbox: Inbox
) -> None:
    Client().post(f"/api/v1/inboxes/{api_inbox.pk}/messages", message_payload("m-1"),
                  content_type="application/json", **bearer(agent))
    conversation = Conversation.objects.get()
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    default = Client().post(url, {"text": "  "}, content_type="application/json",
                            **bearer(agent))
    in_french = Client().post(url, {"text": "  "}, content_type="application/json",
                              HTTP_ACCEPT_LANGUAGE="fr", **bearer(agent))

    assert default.status_code == in_french.status_code == 422
    assert default.json() == {"detail": "The message is empty."}
    assert in_french.json() == {"detail": "Le message est vide."}
