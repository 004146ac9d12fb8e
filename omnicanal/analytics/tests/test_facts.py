"""Journey facts recorded from what really happens: ingest(), replies, status changes, survey
answers, each through the outbox handlers as after a real commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.analytics import facts
from omnicanal.analytics.facts import JourneyEvent, OtherConversation, conversation_facts
from omnicanal.analytics.models import ContactEvent, ConversationFact
from omnicanal.conftest import inbound
from omnicanal.conversations.actions import reply, set_status
from omnicanal.conversations.events import record_event
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    Inbox,
    OutboxEvent,
    Status,
)
from omnicanal.surveys.models import AnswerSource, SurveyResponse

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def chat(db: Any) -> Inbox:
    return Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """Run a write and its outbox handlers, as a real commit would."""

    def run(write: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


@pytest.fixture
def writes(chat: Inbox, committed: Any) -> Iterator[Callable[[str, str], Conversation]]:
    counter = iter(range(1, 1000))

    def write(text: str, external: str = "") -> Conversation:
        result = committed(lambda: ingest(chat, inbound(external or f"m{next(counter)}", text)))
        return Conversation.objects.get(pk=result.conversation_id)

    yield write


def types(conversation: Conversation) -> list[str]:
    return list(
        ContactEvent.objects.filter(conversation=conversation)
        .order_by("at", "pk").values_list("type", flat=True)
    )


def test_a_chat_answered_and_resolved_is_a_first_contact_resolution(
    writes: Any, committed: Any, agent: User
) -> None:
    conversation = writes("Ma commande n'est pas arrivée.")
    committed(lambda: reply(agent, conversation.pk, "Je regarde tout de suite."))
    committed(lambda: set_status(agent, conversation.pk, Status.RESOLVED))

    assert types(conversation) == ["customer_message", "agent_message", "resolved"]
    fact = ConversationFact.objects.get(conversation=conversation)
    assert fact.channel == "webchat" and fact.agent == agent
    assert fact.first_response_s is not None and fact.first_response_s >= 0
    assert fact.is_resolved and fact.is_fcr and not fact.is_abandoned
    assert (fact.customer_messages, fact.agent_messages, fact.bot_messages) == (1, 1, 0)
    assert fact.resolution_s is not None and fact.handle_s is not None


def test_a_chat_closed_without_an_answer_was_abandoned_in_the_queue(
    writes: Any, committed: Any, supervisor: User
) -> None:
    conversation = writes("Il y a quelqu'un ?")
    committed(lambda: set_status(supervisor, conversation.pk, Status.RESOLVED))

    assert types(conversation) == ["customer_message", "resolved", "abandoned"]
    fact = ConversationFact.objects.get(conversation=conversation)
    assert fact.is_abandoned and fact.first_response_s is None


def test_an_email_closed_without_an_answer_is_not_abandoned(
    email_inbox: Inbox, committed: Any, supervisor: User
) -> None:
    # No queue to walk away from: an e-mail waits in the mailbox.
    result = committed(lambda: ingest(email_inbox, inbound("e-1", "Bonjour")))
    committed(lambda: set_status(supervisor, result.conversation_id, Status.RESOLVED))

    assert not ConversationFact.objects.get(conversation_id=result.conversation_id).is_abandoned


def test_a_reopened_conversation_is_neither_resolved_nor_a_first_contact_resolution(
    writes: Any, committed: Any, agent: User
) -> None:
    conversation = writes("Bonjour")
    committed(lambda: reply(agent, conversation.pk, "Bonjour !"))
    committed(lambda: set_status(agent, conversation.pk, Status.RESOLVED))
    committed(lambda: set_status(agent, conversation.pk, Status.OPEN))

    assert types(conversation)[-2:] == ["resolved", "reopened"]
    fact = ConversationFact.objects.get(conversation=conversation)
    assert fact.was_reopened and not fact.is_resolved and not fact.is_fcr
    assert fact.resolution_s is None


def test_a_new_conversation_on_another_channel_makes_the_first_one_a_repeat(
    writes: Any, committed: Any, agent: User, email_inbox: Inbox
) -> None:
    first = writes("Ma commande n'est pas arrivée.")
    committed(lambda: reply(agent, first.pk, "Elle part demain."))
    committed(lambda: set_status(agent, first.pk, Status.RESOLVED))
    assert ConversationFact.objects.get(conversation=first).is_fcr

    # The same customer (same verified address) writes again by e-mail the same day.
    committed(lambda: ingest(email_inbox, inbound("e-2", "Toujours rien reçu.")))

    fact = ConversationFact.objects.get(conversation=first)
    assert fact.has_repeat_7d and fact.repeat_switched_channel is True
    assert not fact.is_fcr


def test_a_handler_run_twice_records_the_event_once(writes: Any) -> None:
    conversation = writes("Bonjour")
    event = OutboxEvent.objects.filter(kind="message.created", conversation=conversation).get()

    facts.on_message_created(event)
    facts.on_message_created(event)

    assert types(conversation) == ["customer_message"]
    assert ConversationFact.objects.filter(conversation=conversation).count() == 1


def test_a_survey_answer_lands_on_the_fact(writes: Any, committed: Any) -> None:
    conversation = writes("Bonjour")

    def answer() -> None:
        for score in (2, 5):
            response = SurveyResponse.objects.create(
                kind="csat", conversation=conversation, contact=conversation.contact,
                inbox=conversation.inbox, score=score, source=AnswerSource.LINK,
                answered_at=timezone.now(),
            )
            record_event("survey.answered", conversation, response_id=response.pk,
                         survey_kind="csat", score=score)

    committed(answer)

    # The latest answer is the conversation's score.
    assert ConversationFact.objects.get(conversation=conversation).csat == 5
    assert types(conversation) == ["customer_message", "survey_answered", "survey_answered"]


# --- the pure computation ---------------------------------------------------------------------


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_handle_time_sums_the_agent_gaps_capped_at_ten_minutes() -> None:
    events = [
        JourneyEvent("customer_message", at(0)),
        JourneyEvent("agent_message", at(120)),
        JourneyEvent("customer_message", at(200)),
        # The next morning: counted as 600 s, not a night.
        JourneyEvent("agent_message", at(200 + 50_000)),
    ]
    result = conversation_facts(events, T0, "billing", "sms", [])
    assert result.handle_s == 720.0
    assert result.first_response_s == 120.0


def test_a_bot_alone_never_makes_a_first_response() -> None:
    events = [JourneyEvent("customer_message", at(0)), JourneyEvent("bot_message", at(3))]
    result = conversation_facts(events, T0, "", "webchat", [])
    assert result.first_response_s is None and result.had_bot and result.handle_s is None


def test_the_next_repeat_decides_the_switch_not_a_later_one() -> None:
    others = [
        OtherConversation(at(604_800), "billing", "email"),
        OtherConversation(at(3_600), "billing", "sms"),
        OtherConversation(at(60), "delivery", "email"),
    ]
    result = conversation_facts([], T0, "billing", "sms", others)
    assert result.has_repeat_7d and result.repeat_switched_channel is False


def test_a_conversation_seven_days_and_a_second_later_is_no_repeat() -> None:
    others = [OtherConversation(at(604_801), "billing", "email")]
    result = conversation_facts([], T0, "billing", "sms", others)
    assert not result.has_repeat_7d and result.repeat_switched_channel is None


# --- rebuilding -------------------------------------------------------------------------------


def test_the_rebuild_records_what_the_handlers_recorded_and_is_idempotent(
    writes: Any, committed: Any, agent: User, supervisor: User, chat: Inbox
) -> None:
    from io import StringIO

    from django.core.management import call_command

    answered = writes("Bonjour")
    committed(lambda: reply(agent, answered.pk, "Bonjour !"))
    committed(lambda: set_status(agent, answered.pk, Status.RESOLVED))
    abandoned = committed(
        lambda: ingest(chat, inbound("x-2", "Allô ?", email="paul.durand@example.fr"))
    )
    committed(lambda: set_status(supervisor, abandoned.conversation_id, Status.RESOLVED))
    assert ContactEvent.objects.filter(type="abandoned").count() == 1
    recorded = sorted(ContactEvent.objects.values_list("source_key", "type", "at"))
    facts_before = list(
        ConversationFact.objects.order_by("conversation_id")
        .values_list("conversation_id", "first_response_s", "is_fcr", "is_abandoned")
    )
    ConversationFact.objects.all().delete()
    ContactEvent.objects.all().delete()

    for _ in range(2):
        call_command("rebuild_analytics", stdout=StringIO())

    assert sorted(ContactEvent.objects.values_list("source_key", "type", "at")) == recorded
    assert list(
        ConversationFact.objects.order_by("conversation_id")
        .values_list("conversation_id", "first_response_s", "is_fcr", "is_abandoned")
    ) == facts_before


def test_the_rebuild_refuses_a_date_it_cannot_read() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="not a date"):
        call_command("rebuild_analytics", "--since", "hier")
