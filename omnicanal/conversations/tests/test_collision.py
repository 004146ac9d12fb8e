"""A reply that would cross what arrived since its author last looked is held back."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.collision import RepliedMeanwhile, latest_message_id
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    OutboxEvent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    return Conversation.objects.get(pk=ingest(api_inbox, inbound("m-1")).conversation_id)


def test_a_reply_is_held_back_when_a_colleague_answered_since_the_agent_looked(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    colleague_reply = actions.reply(other_agent, conversation.pk, "Votre colis part demain.")
    events_before = OutboxEvent.objects.count()

    with pytest.raises(RepliedMeanwhile) as refusal:
        actions.reply(agent, conversation.pk, "Je regarde.", seen_message_id=seen)

    assert refusal.value.arrived == [colleague_reply]
    assert refusal.value.latest_message_id == colleague_reply.pk
    assert refusal.value.status == 409
    # Nothing reached the customer, nothing was announced.
    assert not Message.objects.filter(text="Je regarde.").exists()
    assert OutboxEvent.objects.count() == events_before


def test_a_reply_is_held_back_when_the_customer_wrote_since(
    agent: User, api_inbox: Inbox, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    ingest(api_inbox, inbound("m-2", "En fait c'est bon, je l'ai reçu !"))

    with pytest.raises(RepliedMeanwhile) as refusal:
        actions.reply(agent, conversation.pk, "Je relance le transporteur.", seen_message_id=seen)

    [arrived] = refusal.value.arrived
    assert (arrived.direction, arrived.text) == (
        Direction.INCOMING, "En fait c'est bon, je l'ai reçu !"
    )


def test_an_automatic_answer_sent_meanwhile_holds_back_a_reply_too(
    agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    bot_answer = Message.objects.create(
        conversation=conversation, inbox=conversation.inbox, direction=Direction.OUTGOING,
        text="Voici notre article sur les retards.", delivery_status=DeliveryStatus.SENT,
    )

    with pytest.raises(RepliedMeanwhile) as refusal:
        actions.reply(agent, conversation.pk, "Bonjour", seen_message_id=seen)

    assert refusal.value.arrived == [bot_answer]


def test_the_agents_own_replies_notes_and_timeline_activity_hold_nothing_back(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    actions.reply(agent, conversation.pk, "Un instant, je vérifie.")
    actions.add_note(other_agent, conversation.pk, "Client fidèle, geste commercial possible.")
    actions.set_priority(other_agent, conversation.pk, 1)

    message = actions.reply(agent, conversation.pk, "C'est réglé.", seen_message_id=seen)

    assert message.direction == Direction.OUTGOING
    assert message.text == "C'est réglé."


def test_a_reply_that_saw_the_latest_message_is_sent(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    actions.reply(other_agent, conversation.pk, "Votre colis part demain.")

    message = actions.reply(
        agent, conversation.pk, "Et voici le suivi.",
        seen_message_id=latest_message_id(conversation.pk),
    )

    assert message.text == "Et voici le suivi."


def test_sending_anyway_after_the_warning_sends(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    actions.reply(other_agent, conversation.pk, "Votre colis part demain.")
    with pytest.raises(RepliedMeanwhile):
        actions.reply(agent, conversation.pk, "Je regarde.", seen_message_id=seen)

    # "Send anyway": the same reply without the check.
    message = actions.reply(agent, conversation.pk, "Je regarde.")

    assert Message.objects.filter(pk=message.pk, direction=Direction.OUTGOING).exists()


def test_the_warning_shows_the_five_newest_arrivals_oldest_first(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    replies = [actions.reply(other_agent, conversation.pk, f"Réponse {n}") for n in range(7)]

    with pytest.raises(RepliedMeanwhile) as refusal:
        actions.reply(agent, conversation.pk, "Bonjour", seen_message_id=seen)

    assert refusal.value.arrived == replies[2:]
