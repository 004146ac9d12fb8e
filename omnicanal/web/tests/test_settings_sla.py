"""Settings → SLA policies: administrators list, create, edit, order, activate and delete
policies; a policy made on the page is the one the engine applies to a new conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.routing.models import SlaClock, SlaPolicy, SlaTarget
from omnicanal.routing.sla import create_default_sla

pytestmark = pytest.mark.django_db

URL = "/settings/sla/"


def policy_post(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Boutique", "is_active": "on", "priority": "", "value_tier": "",
            "channel": "", "team": "", "inbox": "", "first_response_time": "0:45",
            "next_response_time": "2:00", "resolution_time": "16", "warning_percent": "75",
            "warning_before": ""}
    return data | overrides


def names() -> list[str]:
    return list(SlaPolicy.objects.order_by("position", "pk").values_list("name", flat=True))


@pytest.fixture
def logged_admin(client: Client, admin: User) -> Client:
    User.objects.filter(pk=admin.pk).update(language=Language.ENGLISH)
    client.force_login(admin)
    return client


def test_the_list_shows_the_policies_in_order_with_conditions_and_targets(
    logged_admin: Client,
) -> None:
    create_default_sla()
    page = logged_admin.get(URL).content.decode()

    positions = [page.index(name) for name in ("Urgent", "Clients gold", "Chat", "Standard")]
    assert positions == sorted(positions)
    assert "Priority: Urgent" in page and "Customer value: Gold" in page
    assert "30 min" in page and "24 h" in page
    assert "applies to SLA clocks that start from now on" in page


def test_a_policy_created_on_the_page_is_the_one_a_new_conversation_gets(
    logged_admin: Client, api_inbox: Inbox,
) -> None:
    create_default_sla()
    response = logged_admin.post(URL + "new/", policy_post(inbox=str(api_inbox.pk)))
    assert response.status_code == 302
    # New policies go last, below "Standard" which matches everything: move it to the top.
    policy = SlaPolicy.objects.get(name="Boutique")
    for _ in range(4):
        logged_admin.post(f"{URL}{policy.pk}/move/", {"direction": "up"})
    assert names()[0] == "Boutique"

    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    outbox.process_pending_events()

    clock = SlaClock.objects.get(conversation_id=conversation_id,
                                 target=SlaTarget.FIRST_RESPONSE)
    assert clock.policy == policy and clock.target_seconds == 45 * 60
    resolution = SlaClock.objects.get(conversation_id=conversation_id,
                                      target=SlaTarget.RESOLUTION)
    assert resolution.target_seconds == 16 * 3600
    # 75% of 45 minutes.
    assert clock.warning_seconds == int(45 * 60 * 0.75)


def test_errors_show_beside_their_fields(logged_admin: Client) -> None:
    response = logged_admin.post(URL + "new/", policy_post(
        name="", first_response_time="quarante", next_response_time="", resolution_time="",
        warning_percent="120"))

    page = response.content.decode()
    for field in ("name", "first_response_time", "warning_percent"):
        assert f'id="id_{field}_error"' in page, field
    assert "Enter hours and minutes as h:mm" in page
    assert not SlaPolicy.objects.exists()


def test_a_policy_without_a_target_is_refused_beside_the_first_target(
    logged_admin: Client,
) -> None:
    response = logged_admin.post(URL + "new/", policy_post(
        first_response_time="", next_response_time="", resolution_time=""))
    page = response.content.decode()
    assert 'id="id_first_response_time_error"' in page and "Set at least one target" in page


def test_editing_shows_durations_as_hours_and_minutes(logged_admin: Client) -> None:
    create_default_sla()
    urgent = SlaPolicy.objects.get(name="Urgent")
    page = logged_admin.get(f"{URL}{urgent.pk}/").content.decode()
    assert 'value="0:30"' in page and 'value="4:00"' in page

    logged_admin.post(f"{URL}{urgent.pk}/", policy_post(name="Urgent", priority="1",
                                                        first_response_time="0:20"))
    urgent.refresh_from_db()
    assert urgent.first_response_time == dt.timedelta(minutes=20) and urgent.priority == 1
    entry = AuditLogEntry.objects.get(action="sla_policy.updated")
    assert entry.data["first_response"] == "0:20"


def test_moving_deactivating_and_deleting_from_the_list(logged_admin: Client) -> None:
    create_default_sla()
    chat = SlaPolicy.objects.get(name="Chat")

    logged_admin.post(f"{URL}{chat.pk}/move/", {"direction": "up"})
    assert names() == ["Urgent", "Chat", "Clients gold", "Standard"]
    logged_admin.post(f"{URL}{chat.pk}/move/", {"direction": "down"})
    assert names() == ["Urgent", "Clients gold", "Chat", "Standard"]

    logged_admin.post(f"{URL}{chat.pk}/active/", {"is_active": "0"})
    chat.refresh_from_db()
    assert not chat.is_active
    assert "Inactive" in logged_admin.get(URL).content.decode()

    logged_admin.post(f"{URL}{chat.pk}/delete/")
    assert names() == ["Urgent", "Clients gold", "Standard"]
    assert [entry.action for entry in AuditLogEntry.objects.order_by("pk")] == [
        "sla_policy.moved", "sla_policy.moved", "sla_policy.deactivated", "sla_policy.deleted"]


def test_a_policy_that_can_never_apply_is_flagged(logged_admin: Client) -> None:
    create_default_sla()
    logged_admin.post(URL + "new/", policy_post(name="Urgent chat", priority="1",
                                                channel="chat"))
    page = logged_admin.get(URL).content.decode()
    assert "Never applies: “Urgent” above matches first" in page


@pytest.mark.parametrize("user_fixture", ["agent", "supervisor"])
def test_agents_and_supervisors_are_refused(
    client: Client, request: pytest.FixtureRequest, user_fixture: str
) -> None:
    create_default_sla()
    urgent = SlaPolicy.objects.get(name="Urgent")
    client.force_login(request.getfixturevalue(user_fixture))

    assert client.get(URL).status_code == 403
    assert client.post(URL + "new/", policy_post()).status_code == 403
    assert client.post(f"{URL}{urgent.pk}/move/", {"direction": "down"}).status_code == 403
    assert client.post(f"{URL}{urgent.pk}/delete/").status_code == 403
    assert SlaPolicy.objects.count() == 4 and not AuditLogEntry.objects.exists()


def test_without_policies_the_page_says_there_is_no_target(logged_admin: Client) -> None:
    page = logged_admin.get(URL).content.decode()
    assert "No SLA policy yet" in page and 'href="/settings/sla/new/"' in page
