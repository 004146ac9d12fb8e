"""Rule conditions on what triage found (intent, message language, sentiment, urgent): checked
like every condition, evaluated once per message, after triage."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent
from omnicanal.routing import automation, rules
from omnicanal.routing.models import AutomationRule, AutomationRun

pytestmark = pytest.mark.django_db


def make_rule(conditions: list[Any], trigger: str = "message_received",
              name: str = "r") -> AutomationRule:
    return AutomationRule.objects.create(
        name=name, trigger=trigger, conditions=conditions,
        actions=[{"type": "add_label", "name": name}],
    )


def arrival(inbox: Inbox) -> tuple[Conversation, OutboxEvent]:
    result = ingest(inbox, inbound("m-1", "Bonjour"))
    event = OutboxEvent.objects.get(kind="message.created", payload__message_id=result.message_id)
    return Conversation.objects.get(pk=result.conversation_id), event


def triaged(conversation: Conversation, event: OutboxEvent, **values: Any) -> OutboxEvent:
    actions.record_triage(
        conversation.pk, intent=values.get("intent", "refund"), intent_confidence=0.9,
        language=values.get("language", "fr"), sentiment=values.get("sentiment", "negative"),
        is_urgent=values.get("urgent", True), message_id=event.payload["message_id"],
        is_first_message=True,
    )
    return OutboxEvent.objects.filter(kind="conversation.triaged").latest("pk")


def test_triage_conditions_are_checked_like_the_others() -> None:
    automation.check_rule(AutomationRule(
        name="ok", trigger="message_received",
        conditions=[{"type": "intent", "values": ["refund"]},
                    {"type": "message_language", "values": ["fr", "other"]},
                    {"type": "sentiment", "values": ["negative"]},
                    {"type": "urgent", "value": False}],
        actions=[{"type": "add_label", "name": "x"}]))
    with pytest.raises(ValidationError, match="unknown de"):
        automation.check_rule(AutomationRule(
            name="bad", trigger="message_received",
            conditions=[{"type": "message_language", "values": ["de"]}],
            actions=[{"type": "add_label", "name": "x"}]))
    with pytest.raises(ValidationError, match="unknown angry"):
        automation.check_rule(AutomationRule(
            name="bad", trigger="message_received",
            conditions=[{"type": "sentiment", "values": ["angry"]}],
            actions=[{"type": "add_label", "name": "x"}]))


def test_the_builder_writes_and_words_them() -> None:
    urgent = rules.CONDITION_KINDS["urgent"]
    assert rules.stored_of(urgent, rules.Row("urgent", "not_urgent")) == {
        "type": "urgent", "value": False}
    intent = rules.CONDITION_KINDS["intent"]
    assert rules.stored_of(intent, rules.Row("intent", "is", {"values": "refund, billing"})) == {
        "type": "intent", "values": ["refund", "billing"]}
    assert rules.condition_words({"type": "urgent", "value": True}) == "message (triage) is urgent"


def test_a_rule_reading_triage_waits_for_it_and_runs_once(api_inbox: Inbox) -> None:
    reads = make_rule([{"type": "intent", "values": ["refund"]}, {"type": "urgent"}],
                      name="refunds")
    plain = make_rule([], name="all")
    conversation, event = arrival(api_inbox)

    on_arrival = automation.handle_event(event)
    after_triage = automation.handle_event(triaged(conversation, event))

    assert [run.rule for run in on_arrival] == [plain]
    assert [run.rule for run in after_triage] == [reads]
    assert set(conversation.labels.values_list("name", flat=True)) == {"refunds", "all"}
    assert AutomationRun.objects.count() == 2


def test_conditions_that_do_not_hold(api_inbox: Inbox) -> None:
    make_rule([{"type": "sentiment", "values": ["positive"]}], name="happy")
    make_rule([{"type": "message_language", "values": ["en"]}], name="english")
    make_rule([{"type": "urgent", "value": False}], name="calm")
    conversation, event = arrival(api_inbox)

    assert automation.handle_event(triaged(conversation, event)) == []


def test_a_conversation_created_rule_reading_triage_runs_on_the_first_message(
    api_inbox: Inbox
) -> None:
    created = make_rule([{"type": "sentiment", "values": ["negative"]}],
                        trigger="conversation_created", name="angry-start")
    conversation, event = arrival(api_inbox)
    created_event = OutboxEvent.objects.get(kind="conversation.created")

    assert automation.handle_event(created_event) == []
    assert [run.rule for run in automation.handle_event(triaged(conversation, event))] == [
        created]
