"""An agent's reply: pushed to the visitor's widget, or mailed when nobody saw it; the
customer's mail answer comes back on the chat conversation."""

from __future__ import annotations

import asyncio
import email
import email.policy
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from omnicanal.accounts.models import User
from omnicanal.connectors.email.intake import receive_email
from omnicanal.connectors.email.tests.conftest import SmtpRecorder, make_mail
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.webchat import actions
from omnicanal.connectors.webchat.tasks import email_unseen_reply
from omnicanal.connectors.webchat.tests.conftest import VISITOR
from omnicanal.conversations.actions import add_note, reply
from omnicanal.conversations.models import Conversation, Inbox, Message

pytestmark = pytest.mark.django_db


def chat_with_email(chat_inbox: Inbox) -> tuple[actions.Visitor, int]:
    visitor = actions.identify(chat_inbox, VISITOR)
    result = actions.post_message(visitor, "client-0001", "Ma commande 4471 ?")
    actions.post_message(visitor, "client-0002", "Répondez-moi par mail",
                         email="jeanne.martin@example.fr")
    return visitor, result.conversation_id


def test_a_reply_is_pushed_to_the_visitors_group_once_stored(
    chat_inbox: Inbox, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    visitor, conversation_id = chat_with_email(chat_inbox)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(visitor.group, channel)

    # The event's dispatch, then the push, run after the reply's commit, before any send
    # task: the worker (another process in the embedded runtime) has no part in it.
    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(agent, conversation_id, "Elle part demain.")

    pushed = async_to_sync(layer.receive)(channel)
    assert pushed["type"] == "webchat.message"
    assert pushed["message"]["id"] == answer.pk
    assert pushed["message"]["text"] == "Elle part demain."
    assert pushed["message"]["author"] == agent.display_name
    assert send_message.call(answer.pk) == "sent"
    answer.refresh_from_db()
    assert answer.provider_message_id == f"webchat:{answer.pk}"


def test_an_internal_note_never_reaches_the_visitor(
    chat_inbox: Inbox, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    visitor, conversation_id = chat_with_email(chat_inbox)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(visitor.group, channel)

    with django_capture_on_commit_callbacks(execute=True):
        add_note(agent, conversation_id, "Client difficile, vérifier la commande.")
        answer = reply(agent, conversation_id, "Je vérifie votre commande.")

    # The reply is the first and only thing the widget receives.
    pushed = async_to_sync(layer.receive)(channel)
    assert pushed["message"]["id"] == answer.pk
    with pytest.raises(asyncio.TimeoutError):
        async_to_sync(asyncio.wait_for)(layer.receive(channel), 0.2)


def test_a_reply_the_widget_showed_is_not_mailed(
    chat_inbox: Inbox, agent: User, smtp_server: SmtpRecorder
) -> None:
    visitor, conversation_id = chat_with_email(chat_inbox)
    answer = reply(agent, conversation_id, "Elle part demain.")
    send_message.call(answer.pk)
    actions.acknowledge(visitor, answer.pk, is_read=False)

    assert email_unseen_reply.call(answer.pk) == "seen in the widget"
    assert smtp_server.messages == []


def test_an_unseen_reply_goes_by_email_and_the_answer_threads_back(
    chat_inbox: Inbox, support_mail: Inbox, agent: User, smtp_server: SmtpRecorder
) -> None:
    visitor, conversation_id = chat_with_email(chat_inbox)
    answer = reply(agent, conversation_id, "Elle part demain.")
    send_message.call(answer.pk)

    assert email_unseen_reply.call(answer.pk) == "mailed"

    sent = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
    assert smtp_server.envelopes[-1][1] == ["jeanne.martin@example.fr"]
    assert f"[#{conversation_id}]" in sent["Subject"]
    assert "Elle part demain." in sent.get_body(("plain",)).get_content()
    answer.refresh_from_db()
    assert answer.metadata["email"]["message_id"] == sent["Message-ID"]
    # Mailing twice would spam the customer.
    assert email_unseen_reply.call(answer.pk) == "already mailed"

    # The customer answers the mail; it arrives in the support mailbox.
    result = receive_email(support_mail, make_mail(
        sender="Jeanne Martin <jeanne.martin@example.fr>", subject="Re: " + sent["Subject"],
        body="Merci, et pour la facture ?", message_id="<answer-1@example.fr>",
        in_reply_to=sent["Message-ID"], references=sent["Message-ID"],
    ))

    assert result.action == "created"
    assert result.conversation_id == conversation_id
    stored = Message.objects.get(pk=result.message_id)
    assert stored.inbox_id == chat_inbox.pk
    assert Conversation.objects.filter(inbox=support_mail).count() == 0
    # The visitor sees it in the widget history too.
    assert actions.messages_since(visitor, answer.pk)[0]["text"].startswith("Merci")

    # The next mailed reply continues the same mail thread.
    second = reply(agent, conversation_id, "La facture est en pièce jointe de votre compte.")
    send_message.call(second.pk)
    assert email_unseen_reply.call(second.pk) == "mailed"
    followup = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
    assert followup["In-Reply-To"] == "<answer-1@example.fr>"
    assert sent["Message-ID"] in followup["References"]


def test_a_mail_quoting_our_id_from_another_address_does_not_join_the_chat(
    chat_inbox: Inbox, support_mail: Inbox, agent: User, smtp_server: SmtpRecorder
) -> None:
    _, conversation_id = chat_with_email(chat_inbox)
    answer = reply(agent, conversation_id, "Elle part demain.")
    send_message.call(answer.pk)
    email_unseen_reply.call(answer.pk)
    answer.refresh_from_db()

    result = receive_email(support_mail, make_mail(
        sender="intrus@example.com", message_id="<x@example.com>",
        in_reply_to=answer.metadata["email"]["message_id"],
    ))

    assert result.conversation_id != conversation_id


def test_without_an_address_the_reply_waits_in_the_widget(
    chat_inbox: Inbox, agent: User, smtp_server: SmtpRecorder
) -> None:
    visitor = actions.identify(chat_inbox, VISITOR)
    first = actions.post_message(visitor, "client-0001", "Bonjour")
    answer = reply(agent, first.conversation_id, "Bonjour !")
    send_message.call(answer.pk)

    assert email_unseen_reply.call(answer.pk) == "the visitor left no e-mail address"
    assert smtp_server.messages == []


def test_typing_reaches_the_workspace_as_an_ephemeral_event(chat_inbox: Inbox) -> None:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("workspace", channel)
    visitor = actions.identify(chat_inbox, VISITOR)
    result = actions.post_message(visitor, "client-0001", "Bonjour")
    # (The message's own events wait for a commit that this test transaction never makes.)

    actions.notify_visitor_typing(visitor, True)

    typing = async_to_sync(layer.receive)(channel)["event"]
    assert typing == {
        "kind": "conversation.typing", "conversation_id": result.conversation_id,
        "inbox_id": chat_inbox.pk, "contact_id": result.contact_id, "assignee_id": None,
        "by": "customer", "is_typing": True,
    }


def test_a_help_center_question_is_answered_by_email_at_once_and_threads_back(
    chat_inbox: Inbox, support_mail: Inbox, agent: User, smtp_server: SmtpRecorder
) -> None:
    from omnicanal.knowledge.actions import submit_contact_form

    asked = submit_contact_form(form_id="form-token-1", name="Jeanne",
                                email="jeanne.martin@example.fr", subject="Facture",
                                text="Où est ma facture ?")
    answer = reply(agent, asked.conversation_id, "Dans votre espace client.")
    send_message.call(answer.pk)

    assert email_unseen_reply.call(answer.pk) == "mailed"
    sent = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
    assert "Facture" in sent["Subject"]
    result = receive_email(support_mail, make_mail(
        sender="jeanne.martin@example.fr", message_id="<merci@example.fr>",
        in_reply_to=sent["Message-ID"], body="Trouvée, merci.",
    ))
    assert result.conversation_id == asked.conversation_id


def test_the_email_fallback_waits_only_while_a_widget_may_show_the_reply(
    chat_inbox: Inbox, agent: User
) -> None:
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from omnicanal.knowledge.actions import submit_contact_form

    chatted = actions.post_message(actions.identify(chat_inbox, VISITOR), "client-0001", "Allô")
    asked = submit_contact_form(form_id="form-token-2", name="", email="a@example.fr",
                                subject="", text="Question")
    assert asked.conversation_id != chatted.conversation_id
    before = timezone.now()
    for conversation_id in (chatted.conversation_id, asked.conversation_id):
        send_message.call(reply(agent, conversation_id, "Réponse").pk)

    fallbacks = DBTaskResult.objects.filter(task_path__endswith="email_unseen_reply").order_by("enqueued_at")
    delays = [(task.run_after - before) for task in fallbacks]
    # The chat's visitor has 120 s to see it in the widget; the form's writer has no widget.
    assert delays[0] >= dt.timedelta(seconds=119)
    assert delays[1] < dt.timedelta(seconds=5)
