"""Triage on every customer message: language, sentiment, urgency and intent, stored per
message, copied on the conversation, and acted on (priority, skills, rules)."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.assistant import triage
from omnicanal.assistant.models import IntentSkill, MessageTriage
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent, Priority
from omnicanal.conversations.outbox import dispatch
from omnicanal.routing.models import AutomationRule, AutomationRun, ConversationRouting

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(django_capture_on_commit_callbacks: Any) -> Any:
    """A customer's message, and everything its commit sets off (routing, triage, rules)."""

    def ingest_now(inbox: Inbox, external_id: str, text: str, **fields: Any) -> Conversation:
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(inbox, inbound(external_id, text, **fields))
        return Conversation.objects.get(pk=result.conversation_id)

    return ingest_now


def test_an_angry_urgent_french_message_is_triaged_and_raises_the_priority(
    api_inbox: Inbox, write: Any
) -> None:
    conversation = write(
        api_inbox, "m-1",
        "C'est INADMISSIBLE !!! Ma commande n'est jamais arrivée, remboursez-moi "
        "immédiatement ou je vais résilier.",
    )

    assert conversation.language == "fr"
    assert conversation.sentiment == "negative"
    assert conversation.is_urgent is True
    assert conversation.priority == Priority.URGENT
    assert conversation.intent in {"refund", "order_status", "cancel"}
    assert conversation.intent_confidence is not None
    row = MessageTriage.objects.get(message__conversation=conversation)
    assert (row.language, row.sentiment, row.urgent) == ("fr", "negative", True)
    assert "inadmissible" in row.cues
    assert OutboxEvent.objects.filter(kind="conversation.triaged",
                                      conversation=conversation).count() == 1


def test_a_calm_english_question_stays_at_normal_priority(
    api_inbox: Inbox, write: Any
) -> None:
    conversation = write(api_inbox, "m-1", "Hello, where is my parcel? Thanks in advance.",
                         email="john@example.com", name="John Smith")

    assert conversation.language == "en"
    assert conversation.sentiment != "negative"
    assert conversation.is_urgent is False
    assert conversation.priority == Priority.NORMAL
    assert conversation.intent == "order_status"


def test_a_rule_on_the_intent_fires_on_arrival(api_inbox: Inbox, write: Any) -> None:
    AutomationRule.objects.create(
        name="Refunds", trigger="message_received",
        conditions=[{"type": "intent", "values": ["refund"]},
                    {"type": "message_language", "values": ["en"]}],
        actions=[{"type": "add_label", "name": "refunds"}],
    )
    AutomationRule.objects.create(
        name="Angry", trigger="conversation_created",
        conditions=[{"type": "sentiment", "values": ["negative"]}, {"type": "urgent"}],
        actions=[{"type": "add_label", "name": "angry"}], position=1,
    )

    conversation = write(api_inbox, "m-1", "Hi, I want a refund for my order please.",
                         email="john@example.com", name="John Smith")

    assert list(conversation.labels.values_list("name", flat=True)) == ["refunds"]
    run = AutomationRun.objects.get()
    assert run.rule_name == "Refunds"
    # Evaluated once, after triage: on the triaged event, not on the arrival.
    assert OutboxEvent.objects.get(pk=run.event_id).kind == "conversation.triaged"


def test_an_intent_mapped_to_a_skill_queues_the_conversation_for_that_skill(
    api_inbox: Inbox, write: Any
) -> None:
    IntentSkill.objects.create(intent="billing", skill="billing", level=2)

    conversation = write(api_inbox, "m-1", "Bonjour, j'ai été débité deux fois pour ma commande.")

    assert conversation.intent == "billing"
    assert ConversationRouting.objects.get(pk=conversation.pk).required_skills == {"billing": 2}


def test_triage_runs_once_per_message_even_when_the_event_is_handled_again(
    api_inbox: Inbox, write: Any
) -> None:
    conversation = write(api_inbox, "m-1", "Bonjour, où est mon colis ?")
    message = conversation.messages.get(direction="incoming")

    assert triage.triage_message(message.pk) is None
    event = OutboxEvent.objects.get(kind="message.created", payload__message_id=message.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    dispatch(event.pk)

    assert MessageTriage.objects.filter(message=message).count() == 1
    assert OutboxEvent.objects.filter(kind="conversation.triaged").count() == 1


def test_a_later_thank_you_keeps_what_the_conversation_is_about(
    api_inbox: Inbox, write: Any, agent: User
) -> None:
    write(api_inbox, "m-1", "Bonjour, j'ai oublié mon mot de passe, je n'arrive pas à me connecter.")
    conversation = write(api_inbox, "m-2", "ok merci")

    assert conversation.intent == "account_access"
    assert conversation.language == "fr"
