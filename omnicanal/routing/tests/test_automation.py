"""Automation rules through real events: a customer writes, the rules act, the agent sees it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.connectors.api.adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from omnicanal.contacts.models import Contact
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Direction, Inbox, OutboxEvent
from omnicanal.routing.actions import configure_agent, set_presence
from omnicanal.routing.automation import automation_user
from omnicanal.routing.models import AutomationRule, AutomationRun, CannedReply
from omnicanal.routing.tasks import call_webhook
from omnicanal.testing.webhook_receiver import WebhookReceiver
from omnicanal.web.templatetags.workspace import activity_text

pytestmark = pytest.mark.django_db

REFUND = {"type": "message_text", "words": ["REMBOURSEMENT", "refund"]}


def rule(trigger: str = "message_received", conditions: list[Any] | None = None,
         *rule_actions: dict[str, Any], name: str = "Remboursements", position: int = 0,
         ) -> AutomationRule:
    return AutomationRule.objects.create(
        name=name, trigger=trigger, conditions=conditions or [], actions=list(rule_actions),
        position=position,
    )


@pytest.fixture
def write(django_capture_on_commit_callbacks: Any) -> Any:
    """Ingest a customer's message and run what follows its commit (rules, routing)."""

    def ingest_now(inbox: Inbox, external_id: str, text: str, **fields: Any) -> Conversation:
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(inbox, inbound(external_id, text, **fields))
        return Conversation.objects.get(pk=result.conversation_id)

    return ingest_now


def test_a_customer_message_about_a_refund_is_labelled_prioritised_assigned_and_answered(
    api_inbox: Inbox, agent: User, write: Any
) -> None:
    canned = CannedReply.objects.create(
        shortcut="accuse", title="Accusé de réception",
        text="Bonjour {{contact.first_name}}, nous traitons votre demande n°{{conversation.id}}.",
    )
    rule("message_received", [REFUND],
         {"type": "add_label", "name": "remboursement"},
         {"type": "set_priority", "priority": 1},
         {"type": "assign_agent", "agent_id": agent.pk},
         {"type": "send_canned_reply", "canned_reply_id": canned.pk})

    conversation = write(api_inbox, "m-1", "Je demande un rembourseMENT svp.")

    assert list(conversation.labels.values_list("name", flat=True)) == ["remboursement"]
    assert conversation.priority == 1
    assert conversation.assignee == agent
    answer = conversation.messages.get(direction=Direction.OUTGOING)
    assert answer.text == f"Bonjour Jeanne, nous traitons votre demande n°{conversation.pk}."
    assert answer.is_auto_reply and answer.author == automation_user()
    # An automatic reply is not a person's answer: the customer still waits for one.
    assert conversation.waiting_since is not None
    run = AutomationRun.objects.get()
    assert run.conversation == conversation and run.rule_name == "Remboursements"
    assert all(outcome["ok"] for outcome in run.outcomes)
    with translation.override("en"):
        lines = [activity_text(m) for m in conversation.messages.filter(direction="activity")]
    assert lines[0] == "Rule Remboursements: applied automatically"
    assert "Automation added the label remboursement" in lines


def test_text_matching_ignores_case_and_accents_but_needs_whole_words(
    api_inbox: Inbox, write: Any
) -> None:
    rule("message_received", [{"type": "message_text", "words": ["facturé"]}],
         {"type": "add_label", "name": "facture"})

    other = write(api_inbox, "m-1", "Où est ma facturette ?", email="a@example.com")
    billed = write(api_inbox, "m-2", "On m'a FACTURE deux fois", email="b@example.com")

    assert not other.labels.exists()
    assert billed.labels.get().name == "facture"


@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        ({"type": "channel", "values": ["api"]}, True),
        ({"type": "channel", "values": ["email", "whatsapp"]}, False),
        ({"type": "channel_kind", "values": ["chat"]}, True),
        ({"type": "contact_attribute", "key": "plan", "operator": "equals",
          "value": "entreprise"}, True),
        ({"type": "contact_attribute", "key": "plan", "operator": "contains",
          "value": "perso"}, False),
        ({"type": "language", "values": ["de"]}, True),
        ({"type": "language", "values": ["fr"]}, False),
        ({"type": "value_tier", "values": ["gold"]}, True),
        ({"type": "value_tier", "values": ["standard"]}, False),
        ({"type": "priority", "values": [3]}, True),
        ({"type": "status", "values": ["resolved"]}, False),
        ({"type": "label", "name": "VIP"}, True),
        ({"type": "label", "name": "spam"}, False),
        ({"type": "time", "timezone": "Europe/Paris", "weekdays": [0, 1, 2, 3, 4, 5, 6],
          "from": "00:00", "to": "00:00"}, True),
        ({"type": "time", "timezone": "Europe/Paris", "weekdays": [0, 1, 2, 3, 4, 5, 6],
          "from": "00:00", "to": "00:00", "outside": True}, False),
    ],
)
def test_each_condition_decides_whether_the_rule_runs(
    api_inbox: Inbox, supervisor: User, write: Any, condition: dict[str, Any], matches: bool
) -> None:
    first = write(api_inbox, "m-1", "Bonjour")
    Contact.objects.filter(pk=first.contact_id).update(
        value_tier="gold", attributes={"plan": "Entreprise", "language": "DE"}
    )
    actions.add_label_by_name(supervisor, first.pk, "VIP")
    inbox_condition = {"type": "inbox", "values": [api_inbox.pk]}
    rule("message_received", [inbox_condition, condition], {"type": "add_label", "name": "vu"})

    conversation = write(api_inbox, "m-2", "Toujours là ?")

    assert conversation.pk == first.pk
    assert conversation.labels.filter(name="vu").exists() is matches


def test_a_time_window_over_midnight_belongs_to_the_day_it_started() -> None:
    import datetime as dt

    from omnicanal.routing.automation import _time_matches

    night = {"timezone": "Europe/Paris", "weekdays": [4], "from": "22:00", "to": "06:00"}
    paris = dt.timezone(dt.timedelta(hours=1))
    friday_late = dt.datetime(2026, 11, 20, 23, 30, tzinfo=paris)
    saturday_early = dt.datetime(2026, 11, 21, 5, 0, tzinfo=paris)
    saturday_late = dt.datetime(2026, 11, 21, 23, 0, tzinfo=paris)
    assert _time_matches(night, friday_late)
    assert _time_matches(night, saturday_early)
    assert not _time_matches(night, saturday_late)


def test_changes_made_by_rules_do_not_trigger_rules(
    api_inbox: Inbox, agent: User, supervisor: User, write: Any
) -> None:
    rule("message_received", [], {"type": "assign_agent", "agent_id": agent.pk},
         {"type": "snooze", "minutes": 30}, name="Attribuer")
    rule("assignment_changed", [], {"type": "add_label", "name": "attribuée"}, name="Suivi")
    # Would snooze again and again if its own status change triggered it.
    rule("status_changed", [], {"type": "snooze", "minutes": 60}, name="Boucle")

    conversation = write(api_inbox, "m-1", "Bonjour")

    assert conversation.assignee == agent
    assert conversation.status == "snoozed" and conversation.snoozed_until is not None
    assert not conversation.labels.exists()
    assert list(AutomationRun.objects.values_list("rule_name", flat=True)) == ["Attribuer"]
    # A person's change does trigger them, once each.
    actions.assign(supervisor, conversation.pk, assignee_id=supervisor.pk)
    for event in OutboxEvent.objects.filter(processed_at__isnull=True).order_by("pk"):
        from omnicanal.conversations import outbox

        outbox.dispatch(event.pk)
    conversation.refresh_from_db()
    assert conversation.labels.get().name == "attribuée"
    assert AutomationRun.objects.filter(rule_name="Suivi").count() == 1
    assert AutomationRun.objects.filter(rule_name="Boucle").count() == 0


def test_a_skill_added_on_arrival_routes_to_an_agent_who_has_it(
    api_inbox: Inbox, agent: User, other_agent: User, write: Any
) -> None:
    configure_agent(agent, capacity={"chat": 2}, skills={})
    configure_agent(other_agent, capacity={"chat": 2}, skills={"allemand": 3})
    set_presence(agent, "online")
    set_presence(other_agent, "online")
    rule("conversation_created", [{"type": "message_text", "words": ["hallo"]}],
         {"type": "add_skill", "skill": "allemand", "level": 2})

    german = write(api_inbox, "m-1", "Hallo, wo ist mein Paket?", email="y@example.de")
    french = write(api_inbox, "m-2", "Bonjour", email="z@example.fr")

    assert german.routing.required_skills == {"allemand": 2}
    assert german.assignee == other_agent
    assert french.routing.required_skills == {}


def test_a_team_set_by_a_rule_is_the_team_routing_waits_for(
    api_inbox: Inbox, team: Team, write: Any
) -> None:
    rule("conversation_created", [], {"type": "assign_team", "team_id": team.pk})

    conversation = write(api_inbox, "m-1", "Bonjour")

    assert conversation.team == team
    assert conversation.routing.team == team
    assert conversation.assignee is None


def test_notify_records_an_event_for_the_notifications_with_recipients_and_text(
    api_inbox: Inbox, agent: User, other_agent: User, team: Team, write: Any
) -> None:
    rule("message_received", [REFUND],
         {"type": "notify", "team_id": team.pk, "agent_ids": [other_agent.pk],
          "text": "{{contact.name}} demande un remboursement"})

    conversation = write(api_inbox, "m-1", "refund please")

    event = OutboxEvent.objects.get(kind="automation.notify")
    assert event.conversation == conversation
    assert event.payload["recipient_ids"] == sorted([agent.pk, other_agent.pk])
    assert event.payload["text"] == "Jeanne Martin demande un remboursement"
    # The notifications app turns it into one notification per recipient.
    from omnicanal.notifications.models import Notification

    notified = Notification.objects.filter(kind="automation", conversation=conversation)
    assert sorted(notified.values_list("recipient_id", flat=True)) == sorted(
        [agent.pk, other_agent.pk]
    )
    assert notified.first().params["text"] == "Jeanne Martin demande un remboursement"


def test_a_failing_action_is_recorded_and_the_others_still_apply(
    api_inbox: Inbox, other_agent: User, write: Any
) -> None:
    rule("message_received", [], {"type": "assign_agent", "agent_id": other_agent.pk},
         {"type": "add_label", "name": "suivi"})
    other_agent.is_active = False
    other_agent.save()

    conversation = write(api_inbox, "m-1", "Bonjour")

    assert conversation.labels.get().name == "suivi"
    outcomes = AutomationRun.objects.get().outcomes
    assert outcomes[0]["ok"] is False and "No active agent" in outcomes[0]["error"]
    assert outcomes[1] == {"type": "add_label", "ok": True}


def test_inactive_rules_and_other_triggers_do_nothing(api_inbox: Inbox, write: Any) -> None:
    inactive = rule("message_received", [], {"type": "add_label", "name": "a"})
    inactive.is_active = False
    inactive.save()
    rule("sla_breached", [], {"type": "add_label", "name": "b"})

    conversation = write(api_inbox, "m-1", "Bonjour")

    assert not conversation.labels.exists()
    assert not AutomationRun.objects.exists()


# Validation.


@pytest.mark.parametrize(
    ("conditions", "rule_actions", "error"),
    [
        ([{"type": "moon_phase"}], [{"type": "add_label", "name": "x"}],
         "condition 1: unknown condition type 'moon_phase'"),
        ([{"type": "channel", "values": ["pigeon"]}], [{"type": "add_label", "name": "x"}],
         "unknown pigeon"),
        ([{"type": "time", "timezone": "Mars/Olympus", "weekdays": [0], "from": "09:00",
           "to": "18:00"}], [{"type": "add_label", "name": "x"}], "unknown time zone"),
        ([], [], "a rule needs at least one action"),
        ([], [{"type": "set_priority", "priority": 9}], "action 1: priority goes from 1"),
        ([], [{"type": "assign_agent", "agent_id": 999}], "no active agent"),
        ([], [{"type": "webhook", "url": "https://example.com/h", "secret": "court"}],
         "secret is at least 16"),
        ([], [{"type": "notify", "text": "{{contact.password}}", "agent_ids": [1]}],
         "unknown variable contact.password"),
        ([], [{"type": "delete_everything"}], "unknown action type"),
    ],
)
def test_invalid_rules_are_refused_with_a_clear_message(
    conditions: list[Any], rule_actions: list[Any], error: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        AutomationRule.objects.create(
            name="Mauvaise", trigger="message_received", conditions=conditions,
            actions=rule_actions,
        )
    assert error in str(excinfo.value)
    assert not AutomationRule.objects.exists()


# The webhook.


def test_the_webhook_task_posts_the_rule_and_conversation_signed_like_the_api_channel(
    api_inbox: Inbox, webhook_receiver: WebhookReceiver, write: Any
) -> None:
    secret = "s3cret-for-the-crm-0123"
    hook = rule("message_received", [REFUND],
                {"type": "webhook", "url": webhook_receiver.url, "secret": secret})

    conversation = write(api_inbox, "m-1", "refund")
    task = DBTaskResult.objects.get(task_path__endswith="call_webhook")

    assert call_webhook.call(*task.args_kwargs["args"]) == "sent"

    headers, body = webhook_receiver.requests[0]
    assert verify_signature(secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify_signature("another-secret-0000", headers[TIMESTAMP_HEADER], body,
                                headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["rule"] == {"id": hook.pk, "name": "Remboursements",
                               "trigger": "message_received"}
    assert payload["conversation_id"] == conversation.pk
    assert "refund" not in body.decode()  # no message text leaves through a rule's webhook


def test_the_agent_sees_which_rule_acted_and_cannot_hand_work_to_the_automation_account(
    api_inbox: Inbox, agent: User, write: Any, client: Any
) -> None:
    rule("message_received", [REFUND], {"type": "add_label", "name": "remboursement"})
    conversation = write(api_inbox, "m-1", "refund")
    agent.language = "en"
    agent.save()
    client.force_login(agent)

    page = client.get(f"/conversations/{conversation.pk}/").content.decode()

    assert "Rule Remboursements: applied automatically" in page
    assert "Automation added the label remboursement" in page
    assert ">Automation</option>" not in page
    assert ">Bob Agent</option>" in page


def test_a_webhook_that_fails_is_retried_later_unless_the_refusal_is_final(
    api_inbox: Inbox, webhook_receiver: WebhookReceiver, write: Any
) -> None:
    rule("message_received", [],
         {"type": "webhook", "url": webhook_receiver.url, "secret": "s3cret-for-the-crm-0123"})
    write(api_inbox, "m-1", "Bonjour")
    args = DBTaskResult.objects.get(task_path__endswith="call_webhook").args_kwargs["args"]
    webhook_receiver.statuses = [503, 410]

    assert call_webhook.call(*args) == "retrying"
    retry = DBTaskResult.objects.filter(task_path__endswith="call_webhook").latest("enqueued_at")
    assert retry.run_after is not None
    assert call_webhook.call(*retry.args_kwargs["args"]) == "failed"
    assert len(webhook_receiver.requests) == 2


def test_rules_left_undone_by_a_crash_run_in_the_catch_up_once(api_inbox: Inbox) -> None:
    from omnicanal.conversations import outbox

    rule("message_received", [REFUND], {"type": "add_label", "name": "remboursement"})
    # Without the after-commit callbacks, as if the process died right after the commit.
    result = ingest(api_inbox, inbound("m-1", "refund"))

    outbox.process_pending_events()
    outbox.process_pending_events()

    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert conversation.labels.get().name == "remboursement"
    assert AutomationRun.objects.count() == 1


def test_rules_do_not_answer_an_automatic_message_such_as_an_out_of_office(
    email_inbox: Inbox, write: Any
) -> None:
    canned = CannedReply.objects.create(shortcut="recu", title="Reçu", text="Bien reçu.")
    rule("message_received", [], {"type": "send_canned_reply", "canned_reply_id": canned.pk})

    conversation = write(email_inbox, "<absent@example.fr>", "Je suis absente jusqu'au 3.",
                         is_auto_reply=True)

    assert not conversation.messages.filter(direction="outgoing").exists()
    assert not AutomationRun.objects.exists()


def test_sla_events_recorded_by_the_sla_clocks_start_their_rules(
    api_inbox: Inbox, supervisor: User, write: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from omnicanal.conversations.events import record_event

    rule("sla_breached", [{"type": "priority", "values": [3]}],
         {"type": "set_priority", "priority": 1},
         {"type": "notify", "assignee": True, "agent_ids": [supervisor.pk],
          "text": "SLA dépassé sur n°{{conversation.id}}"})
    conversation = write(api_inbox, "m-1", "Bonjour")

    with django_capture_on_commit_callbacks(execute=True):
        record_event("sla.breached", conversation, policy="first_response")  # type: ignore[arg-type]

    conversation.refresh_from_db()
    assert conversation.priority == 1
    notify = OutboxEvent.objects.get(kind="automation.notify")
    assert notify.payload["recipient_ids"] == [supervisor.pk]
    assert notify.payload["text"] == f"SLA dépassé sur n°{conversation.pk}"


def test_an_acknowledgement_on_arrival_tells_each_customer_their_place_in_line(
    api_inbox: Inbox, agent: User, write: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    configure_agent(agent, capacity={"chat": 1})
    set_presence(agent, "online")
    # Bob takes the first customer; the next ones wait for his only slot.
    first = write(api_inbox, "m-1", "Hello", email="first@example.com")
    assert first.assignee == agent
    canned = CannedReply.objects.create(
        shortcut="line", title="Place in line",
        text="You are number {{queue.position}} in line, {{queue.estimated_wait|soon}}.",
    )
    rule("conversation_created", [],
         {"type": "send_canned_reply", "canned_reply_id": canned.pk}, name="Acknowledge")

    second = write(api_inbox, "m-2", "Hello", email="second@example.com")
    third = write(api_inbox, "m-3", "Hello", email="third@example.com")

    # One slot, no handled conversation yet: 300 s per place in line.
    answers = [c.messages.get(direction=Direction.OUTGOING) for c in (second, third)]
    assert [a.text for a in answers] == [
        "You are number 1 in line, about 5 minutes.",
        "You are number 2 in line, about 10 minutes.",
    ]
    assert all(a.is_auto_reply for a in answers)
    assert not first.messages.filter(direction=Direction.OUTGOING).exists()
