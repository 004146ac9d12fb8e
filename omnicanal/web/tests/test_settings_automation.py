"""Settings → Automation: administrators build rules from form rows, test them on a
conversation and read their runs; a rule made here acts on the next conversation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import AuditLogEntry, Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Label, Priority
from omnicanal.routing.models import AutomationRule, AutomationRun

pytestmark = pytest.mark.django_db

LIST = "/settings/automation/"
NEW = "/settings/automation/new/"


def builder_post(*conditions: dict[str, Any], actions: list[dict[str, Any]],
                 name: str = "Urgent e-mails", trigger: str = "message_received",
                 is_active: bool = True, **extra: str) -> dict[str, Any]:
    """What the builder posts: each row's fields under c<i>-… and a<i>-…"""
    data: dict[str, Any] = {"name": name, "trigger": trigger, "c-count": len(conditions),
                            "a-count": len(actions), **extra}
    if is_active:
        data["is_active"] = "on"
    for prefix, rows in (("c", conditions), ("a", actions)):
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}{index}-{key}"] = value
            data[f"{prefix}{index}-was"] = row["type"]
    return data


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    User.objects.filter(pk=admin.pk).update(language="en")
    client.force_login(admin)
    return client


def email_and_urgent_for_support(team: Team) -> dict[str, Any]:
    return builder_post(
        {"type": "channel", "operator": "is", "values": ["email", "api"]},
        {"type": "message_text", "operator": "contains", "words": "refund, remboursement"},
        actions=[{"type": "assign_team", "team_id": str(team.pk)},
                 {"type": "set_priority", "priority": "1"}],
        save="1",
    )


def test_an_administrator_creates_a_rule_with_conditions_and_actions(
    admin_client: Client, admin: User, team: Team
) -> None:
    response = admin_client.post(NEW, email_and_urgent_for_support(team))

    assert response.status_code == 302
    rule = AutomationRule.objects.get()
    assert rule.name == "Urgent e-mails" and rule.trigger == "message_received"
    assert rule.is_active
    assert rule.conditions == [
        {"type": "channel", "values": ["email", "api"]},
        {"type": "message_text", "words": ["refund", "remboursement"]},
    ]
    # Ids are numbers in the JSON, as the engine reads them.
    assert rule.actions == [{"type": "assign_team", "team_id": team.pk},
                            {"type": "set_priority", "priority": 1}]
    entry = AuditLogEntry.objects.get(action="automation_rule.created")
    assert entry.actor == admin and entry.target_id == str(rule.pk)
    listing = admin_client.get(LIST).content.decode()
    assert ("When a customer message is received, if channel is E-mail or API and message "
            "text contains one of refund or remboursement: assign to the team Support; set the "
            "priority to Urgent") in listing


def test_the_engine_s_problems_show_beside_their_rows_and_nothing_is_saved(
    admin_client: Client, team: Team
) -> None:
    data = builder_post(
        {"type": "channel", "operator": "is"},  # no channel ticked
        {"type": "status", "operator": "is", "values": ["open"]},
        actions=[{"type": "assign_team", "team_id": str(team.pk)},
                 {"type": "webhook", "url": "ftp://example.com", "secret": "x" * 20}],
        save="1",
    )
    response = admin_client.post(NEW, data)

    assert response.status_code == 200
    assert not AutomationRule.objects.exists()
    page = response.content.decode()
    condition_row = page[page.index('id="c0"'):page.index('id="c1"')]
    assert "Choose at least one value" in condition_row
    status_row = page[page.index('id="c1"'):page.index('id="a0"')]
    assert "field-errors" not in status_row
    webhook_row = page[page.index('id="a1"'):]
    assert "The webhook URL starts with https://" in webhook_row
    # What was typed stays in the form.
    assert 'value="open" checked' in status_row and 'value="ftp://example.com"' in webhook_row


def test_add_and_remove_buttons_render_the_form_again_with_the_rows(
    admin_client: Client, team: Team
) -> None:
    data = builder_post(
        {"type": "status", "operator": "is", "values": ["open"]},
        actions=[{"type": "assign_team", "team_id": str(team.pk)}],
        add_c="1", new_c="priority",
    )
    page = admin_client.post(NEW, data).content.decode()

    assert not AutomationRule.objects.exists()
    assert 'name="c-count" value="2"' in page
    assert 'name="c1-values" value="1"' in page  # the new priority row's choices
    assert 'value="open" checked' in page

    data = builder_post(
        {"type": "status", "operator": "is", "values": ["open"]},
        {"type": "priority", "operator": "is", "values": ["1"]},
        actions=[{"type": "assign_team", "team_id": str(team.pk)}],
        remove_c="0",
    )
    page = admin_client.post(NEW, data).content.decode()
    assert 'name="c-count" value="1"' in page
    assert 'name="c0-type"' in page and 'name="c1-type"' not in page


def test_changing_a_row_s_field_shows_that_field_s_values(admin_client: Client) -> None:
    data = builder_post({"type": "status", "operator": "is", "values": ["open"]},
                        actions=[], refresh="1")
    data["c0-type"] = "contact_attribute"

    page = admin_client.post(NEW, data).content.decode()

    assert 'name="c0-key"' in page and 'name="c0-operator"' in page
    assert 'name="c0-values"' not in page


def test_editing_a_rule_keeps_its_webhook_secret_when_left_empty(
    admin_client: Client, team: Team
) -> None:
    rule = AutomationRule.objects.create(
        name="Notifier", trigger="conversation_created", conditions=[],
        actions=[{"type": "webhook", "url": "https://example.com/h", "secret": "s" * 20}],
    )
    page = admin_client.get(f"/settings/automation/{rule.pk}/").content.decode()
    assert "s" * 20 not in page  # write-only
    assert 'value="https://example.com/h"' in page

    data = builder_post(
        actions=[{"type": "webhook", "url": "https://example.com/other", "secret": "",
                  "origin": "0"},
                 {"type": "add_label", "name": "nouveau"}],
        name="Notifier", trigger="conversation_created", save="1",
    )
    response = admin_client.post(f"/settings/automation/{rule.pk}/", data)

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.actions == [
        {"type": "webhook", "url": "https://example.com/other", "secret": "s" * 20},
        {"type": "add_label", "name": "nouveau"},
    ]
    entry = AuditLogEntry.objects.get(action="automation_rule.updated")
    assert "s" * 20 not in str(entry.data)


def rules(*names: str) -> list[AutomationRule]:
    return [
        AutomationRule.objects.create(
            name=name, trigger="conversation_created", position=position,
            actions=[{"type": "add_label", "name": name}],
        )
        for position, name in enumerate(names)
    ]


def test_rules_move_up_and_down_and_turn_on_and_off(admin_client: Client, admin: User) -> None:
    first, second, third = rules("Un", "Deux", "Trois")

    admin_client.post(f"/settings/automation/{third.pk}/move/", {"direction": "up"})
    assert list(AutomationRule.objects.values_list("name", flat=True)) == ["Un", "Trois", "Deux"]
    admin_client.post(f"/settings/automation/{first.pk}/move/", {"direction": "down"})
    assert list(AutomationRule.objects.values_list("name", flat=True)) == ["Trois", "Un", "Deux"]

    admin_client.post(f"/settings/automation/{second.pk}/active/", {"is_active": "0"})
    second.refresh_from_db()
    assert not second.is_active
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert actions == {"automation_rule.moved", "automation_rule.deactivated"}


def test_deleting_asks_first_then_deletes_and_keeps_the_runs(
    admin_client: Client, api_inbox: Inbox
) -> None:
    (rule,) = rules("Un")
    conversation = Conversation.objects.get(pk=ingest(api_inbox, inbound("m-1")).conversation_id)
    AutomationRun.objects.create(rule=rule, rule_name="Un", conversation=conversation,
                                 event_id=1, trigger=rule.trigger)

    page = admin_client.get(f"/settings/automation/{rule.pk}/delete/").content.decode()
    assert "Delete the rule “Un”?" in page and AutomationRule.objects.exists()

    response = admin_client.post(f"/settings/automation/{rule.pk}/delete/")

    assert response.status_code == 302
    assert not AutomationRule.objects.exists()
    assert AutomationRun.objects.get().rule_name == "Un"
    assert AuditLogEntry.objects.filter(action="automation_rule.deleted").exists()


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_agents_and_supervisors_cannot_write_rules(
    client: Client, role: str, request: pytest.FixtureRequest, team: Team
) -> None:
    (rule,) = rules("Un")
    client.force_login(request.getfixturevalue(role))

    for path in (LIST, NEW, f"/settings/automation/{rule.pk}/test/",
                 f"/settings/automation/{rule.pk}/runs/"):
        assert client.get(path).status_code == 403, path
    assert client.post(NEW, email_and_urgent_for_support(team)).status_code == 403
    assert client.post(f"/settings/automation/{rule.pk}/delete/").status_code == 403
    assert AutomationRule.objects.count() == 1
    assert not AuditLogEntry.objects.exists()


def test_the_dry_run_shows_each_condition_s_result_and_writes_nothing(
    admin_client: Client, api_inbox: Inbox, team: Team
) -> None:
    rule = AutomationRule.objects.create(
        name="Remboursements", trigger="message_received",
        conditions=[{"type": "message_text", "words": ["remboursement"]},
                    {"type": "priority", "values": [1]}],
        actions=[{"type": "assign_team", "team_id": team.pk}],
    )
    conversation_id = ingest(api_inbox, inbound("m-1", "Un remboursement svp")).conversation_id
    runs_before = AutomationRun.objects.count()

    page = admin_client.get(
        f"/settings/automation/{rule.pk}/test/", {"conversation": conversation_id}
    ).content.decode()

    assert f"The rule would not act on conversation #{conversation_id}" in page
    assert "message text contains one of remboursement — <strong>holds</strong>" in page
    assert "priority is Urgent — <strong>does not hold</strong>" in page
    assert "Assign to the team Support" in page
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.team_id is None and AutomationRun.objects.count() == runs_before

    page = admin_client.get(
        f"/settings/automation/{rule.pk}/test/", {"conversation": "99999"}
    ).content.decode()
    assert "There is no conversation 99999." in page


def test_a_rule_created_from_the_page_acts_on_the_next_conversation_and_shows_in_its_runs(
    admin_client: Client, api_inbox: Inbox, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    Label.objects.create(name="refund")
    data = builder_post(
        {"type": "channel", "operator": "is", "values": ["api"]},
        {"type": "message_text", "operator": "contains", "words": "refund"},
        actions=[{"type": "assign_team", "team_id": str(team.pk)},
                 {"type": "set_priority", "priority": "1"},
                 {"type": "add_label", "name": "refund"}],
        name="Refunds", save="1",
    )
    assert admin_client.post(NEW, data).status_code == 302
    rule = AutomationRule.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(api_inbox, inbound("m-1", "I want a refund please"))

    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert conversation.team == team and conversation.priority == Priority.URGENT
    assert list(conversation.labels.values_list("name", flat=True)) == ["refund"]
    page = admin_client.get(f"/settings/automation/{rule.pk}/runs/").content.decode()
    assert reverse("web:conversation", args=[conversation.pk]) in page
    assert page.count("badge-on") == 3  # three actions done
    listing = admin_client.get(LIST).content.decode()
    assert f'href="/settings/automation/{rule.pk}/runs/"' in listing
