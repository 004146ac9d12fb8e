"""The bot as a customer and the team meet it: it answers from the public articles with the
source's link, abstains (and says so, and offers a person, a callback or an e-mail) when no
article answers, hands over at once on "conseiller", with a note that tells the agent what
was asked and tried; routing leaves the conversation alone until then; a retried handler
never answers twice; an inbox without the bot gets no bot at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from omnicanal.accounts.models import User
from omnicanal.assistant import bot
from omnicanal.assistant.models import BotOutcome, BotTurn
from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    Direction,
    HandlerRun,
    Inbox,
    Message,
    OutboxEvent,
)
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.models import Article, UnansweredQuestion
from omnicanal.knowledge.vectors_store import reindex_all
from omnicanal.routing import actions as routing
from omnicanal.routing.models import ConversationRouting, Presence
from omnicanal.testing.llm_stub import PREFIX_EN, serve_llm_stub
from omnicanal.testing.tasks import run_queued_tasks

PUBLIC_URL = "https://aide.example.com"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def articles(db: Any) -> None:
    load_help_center_demo()
    reindex_all()  # what the task worker does after each article is saved


@pytest.fixture
def chat(db: Any) -> Inbox:
    return Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT,
                                settings={"site_token": "tok-bot"}, bot_enabled=True)


@pytest.fixture
def sms(db: Any) -> Inbox:
    return Inbox.objects.create(name="SMS", channel=ChannelKind.SMS, settings={},
                                bot_enabled=True)


Say = Callable[..., Message]


@pytest.fixture
def say(django_capture_on_commit_callbacks: Any) -> Say:
    """The customer writes; every event handler (routing, the bot, the send) runs as after
    a real commit."""
    counter = iter(range(1, 10_000))

    def send(inbox: Inbox, text: str) -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(inbox, inbound(f"m{next(counter)}", text, email=None,
                                           phone="+33612345678"))
        return Message.objects.get(pk=result.message_id)

    return send


def bot_messages(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.filter(is_bot=True, direction=Direction.OUTGOING))


def handover_note(conversation: Conversation) -> Message:
    return conversation.messages.get(direction=Direction.NOTE, is_bot=True)


@override_settings(PUBLIC_URL=PUBLIC_URL)
def test_answers_from_the_article_in_the_customers_language_with_its_link(
    chat: Inbox, say: Say
) -> None:
    asked = say(chat, "How do I return an item?")
    conversation = asked.conversation
    conversation.refresh_from_db()
    [reply] = bot_messages(conversation)
    article = Article.objects.get(slug="return-an-item")
    assert reply.author is None and reply.is_bot
    assert reply.metadata["bot_name"] == "Assistant"
    assert "automated assistant" in reply.text  # never taken for a person
    assert f"{PUBLIC_URL}{article.get_absolute_url()}" in reply.text
    assert "Return an item" in reply.text
    assert "Did this answer your question?" in reply.text
    # Sent like an agent's reply: pending, with its send task's event.
    assert reply.delivery_status == "pending"
    assert OutboxEvent.objects.filter(kind="message.created",
                                      payload__message_id=reply.pk).exists()
    assert [q["label"] for q in reply.metadata["quick_replies"]] == ["Yes, thanks", "No"]
    assert conversation.with_bot
    assert BotTurn.objects.get(message=asked).outcome == BotOutcome.ANSWERED


def test_answers_in_french_to_a_french_question(chat: Inbox, say: Say) -> None:
    asked = say(chat, "Quand serai-je remboursé de mon retour ?")
    [reply] = bot_messages(asked.conversation)
    # The French article's passage and link (the bot's own words are translated at merge).
    assert "Le remboursement arrive sous dix jours" in reply.text
    assert "Quand suis-je remboursé ?" in reply.text
    assert "/fr/quand-suis-je-rembourse/" in reply.text
    assert BotTurn.objects.get(message=asked).language == "fr"


@override_settings(LANGUAGE_CODE="en")
def test_abstains_when_no_article_answers_records_the_question_and_offers_a_way_out(
    chat: Inbox, say: Say
) -> None:
    asked = say(chat, "What is the capital of Peru?")
    conversation = asked.conversation
    [reply] = bot_messages(conversation)
    assert "do not have a reliable answer" in reply.text
    assert [q["label"] for q in reply.metadata["quick_replies"]] == [
        "Talk to a person", "Be called back", "An answer by e-mail"]
    gap = UnansweredQuestion.objects.get()
    assert gap.question == "What is the capital of Peru?"
    assert gap.conversation_id == conversation.pk and gap.locale == "en"
    conversation.refresh_from_db()
    assert conversation.with_bot  # the customer chooses

    say(chat, "Be called back")
    conversation.refresh_from_db()
    assert not conversation.with_bot
    note = handover_note(conversation)
    assert "no article answered with enough confidence" in note.text
    assert "called back" in note.text
    assert "What is the capital of Peru?" in note.text


@override_settings(LANGUAGE_CODE="en")
def test_sms_gets_the_options_as_numbered_lines_and_a_number_chooses(
    sms: Inbox, say: Say
) -> None:
    asked = say(sms, "What is the capital of Peru?")
    [reply] = bot_messages(asked.conversation)
    assert "1. Talk to a person\n2. Be called back\n3. An answer by e-mail" in reply.text
    assert "quick_replies" not in reply.metadata
    say(sms, "1")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert not conversation.with_bot
    assert "chose to talk to a person" in handover_note(conversation).text


@override_settings(LANGUAGE_CODE="en")
def test_conseiller_hands_over_at_once_with_the_summary(chat: Inbox, say: Say) -> None:
    say(chat, "How do I return an item?")
    asked = say(chat, "Je veux parler à un CONSEILLER")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert not conversation.with_bot
    last = bot_messages(conversation)[-1]
    # The customer wrote in French: the bot answers in French.
    assert "membre de l\u2019équipe" in last.text
    note = handover_note(conversation)
    assert note.author is None and note.direction == Direction.NOTE
    assert "the customer asked for a person" in note.text
    assert "- How do I return an item?" in note.text
    assert "- Je veux parler à un CONSEILLER" in note.text
    assert "Return an item (confidence" in note.text
    assert note.metadata["bot_handover"]["reason"] == "asked_for_human"
    # Nothing more from the bot once a person has it.
    say(chat, "Vous êtes là ?")
    assert len(bot_messages(conversation)) == 2


def test_no_after_an_answer_hands_over(chat: Inbox, say: Say) -> None:
    asked = say(chat, "How do I return an item?")
    say(chat, "No")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert not conversation.with_bot
    assert handover_note(conversation).metadata["bot_handover"]["reason"] == "not_helped"


def test_yes_after_an_answer_keeps_the_bot(chat: Inbox, say: Say) -> None:
    asked = say(chat, "How do I return an item?")
    say(chat, "Yes, thanks")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert conversation.with_bot
    assert "Glad I could help" in bot_messages(conversation)[-1].text


def test_a_retried_handler_does_not_answer_twice(chat: Inbox, say: Say) -> None:
    asked = say(chat, "How do I return an item?")
    event = OutboxEvent.objects.get(kind="message.created", payload__message_id=asked.pk)
    bot.handle_message_created(event)
    bot.handle_message_created(event)
    assert len(bot_messages(asked.conversation)) == 1


def test_a_crash_before_commit_leaves_nothing_and_the_retry_answers_once(
    chat: Inbox, say: Say, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    original_save = BotTurn.save

    def crash(turn: BotTurn, *args: Any, **kwargs: Any) -> None:
        if turn.reply_id is not None:
            raise RuntimeError("worker killed")
        original_save(turn, *args, **kwargs)

    # The bot's reply is written, then the process dies before the turn is complete.
    monkeypatch.setattr(BotTurn, "save", crash)
    asked = say(chat, "How do I return an item?")
    assert bot_messages(asked.conversation) == []
    assert not BotTurn.objects.exists()
    run = HandlerRun.objects.get(subscriber__endswith="handle_message_created")
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry_handler_run(run)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry_handler_run(run)
    assert len(bot_messages(asked.conversation)) == 1


def test_with_the_language_model_the_answer_is_its_phrasing_of_the_passages(
    chat: Inbox, say: Say, settings: Any
) -> None:
    with serve_llm_stub() as stub:
        settings.ASSISTANT_LLM_URL = stub.url
        asked = say(chat, "How do I return an item?")
        # Not in the event's handling (a network call): a task the worker runs.
        assert bot_messages(asked.conversation) == []
        run_queued_tasks()
        run_queued_tasks()  # a duplicate run answers nothing more
    [reply] = bot_messages(asked.conversation)
    assert PREFIX_EN in reply.text
    assert "/return-an-item/" in reply.text or "return-an-item" in reply.text
    [request] = stub.requests
    system = request["messages"][0]
    assert system["role"] == "system" and "ONLY" in system["content"]
    assert "Return an item" in request["messages"][1]["content"]


def test_when_the_language_model_cannot_answer_the_bot_abstains(
    chat: Inbox, say: Say, settings: Any
) -> None:
    with serve_llm_stub(refuse_words=("item",)) as stub:
        settings.ASSISTANT_LLM_URL = stub.url
        asked = say(chat, "How do I return an item?")
        run_queued_tasks()
    [reply] = bot_messages(asked.conversation)
    assert "do not have a reliable answer" in reply.text
    assert UnansweredQuestion.objects.filter(conversation_id=asked.conversation_id).exists()


def test_an_inbox_without_the_bot_gets_no_bot(chat: Inbox, say: Say) -> None:
    Inbox.objects.filter(pk=chat.pk).update(bot_enabled=False)
    chat.refresh_from_db()
    asked = say(chat, "How do I return an item?")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert not conversation.with_bot
    assert bot_messages(conversation) == []
    assert not BotTurn.objects.exists()
    assert ConversationRouting.objects.filter(pk=conversation.pk).exists()


def test_email_inboxes_never_get_the_bot(email_inbox: Inbox, say: Say) -> None:
    Inbox.objects.filter(pk=email_inbox.pk).update(bot_enabled=True)
    email_inbox.refresh_from_db()
    asked = say(email_inbox, "How do I return an item?")
    assert bot_messages(asked.conversation) == []


def test_routing_waits_for_the_handover_then_assigns_it(
    chat: Inbox, say: Say, agent: User
) -> None:
    routing.configure_agent(agent, capacity={"chat": 3})
    routing.set_presence(agent, Presence.ONLINE)
    asked = say(chat, "How do I return an item?")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert conversation.assignee_id is None
    assert not ConversationRouting.objects.filter(pk=conversation.pk).exists()

    say(chat, "agent")
    conversation.refresh_from_db()
    assert not conversation.with_bot
    assert conversation.assignee_id == agent.pk
    assert ConversationRouting.objects.get(pk=conversation.pk).agent_id == agent.pk


def test_an_agent_replying_takes_the_conversation_from_the_bot(
    chat: Inbox, say: Say, agent: User
) -> None:
    from omnicanal.conversations.actions import reply

    asked = say(chat, "How do I return an item?")
    reply(agent, asked.conversation_id, "Bonjour, je m'en occupe.")
    say(chat, "Merci !")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert not conversation.with_bot
    assert len(bot_messages(conversation)) == 1


def test_human_words_are_matched_as_words_accents_and_case_folded() -> None:
    assert bot.wants_human("Je veux un CONSEILLER")
    assert bot.wants_human("parler à quelqu\u2019un svp")
    assert bot.wants_human("Can I talk to a human?")
    assert bot.wants_human("conseillère")
    assert not bot.wants_human("Mon agenda est plein")  # "agent" inside a word
    assert bot._guess_language("Bonjour, où est ma commande ?") == "fr"
    assert bot._guess_language("Hello, where is my order?") == "en"


def test_the_stub_speaks_openais_chat_completions_format() -> None:
    import json
    import urllib.request

    with serve_llm_stub() as stub:
        body = {"model": "m", "messages": [
            {"role": "system", "content": "Answer in English."},
            {"role": "user", "content": "Passages:\n[1] Return an item\nYou have 30 days. "
                                        "Print the label. Then drop it.\n\nQuestion: return?"}]}
        request = urllib.request.Request(stub.url + "/chat/completions",
                                         data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.load(response)
    assert answer["object"] == "chat.completion" and answer["id"].startswith("chatcmpl-")
    assert answer["choices"][0]["message"] == {
        "role": "assistant", "content": PREFIX_EN + "You have 30 days. Print the label."}
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"]["total_tokens"] == (answer["usage"]["prompt_tokens"]
                                               + answer["usage"]["completion_tokens"])


def test_assigning_an_agent_takes_the_conversation_from_the_bot(
    chat: Inbox, say: Say, admin: User, agent: User
) -> None:
    from omnicanal.conversations.actions import assign

    asked = say(chat, "How do I return an item?")
    assign(admin, asked.conversation_id, assignee_id=agent.pk)
    say(chat, "Merci, et pour un échange ?")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert not conversation.with_bot and conversation.assignee_id == agent.pk
    assert len(bot_messages(conversation)) == 1
