"""Merge, split, reply through another channel, transfer to a team with a note."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from omnicanal.accounts.models import AuditLogEntry, Team, User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import ThreadHints
from omnicanal.connectors.tasks import build_outbound
from omnicanal.contacts.models import Identity
from omnicanal.conversations import actions, outbox, tools
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Attachment,
    ChannelKind,
    Conversation,
    Direction,
    Inbox,
    Label,
    Message,
    OutboxEvent,
    Status,
)
from omnicanal.core.exceptions import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from omnicanal.routing import actions as routing
from omnicanal.routing.models import ConversationRouting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    # The tools' refusals are translated where they are raised; read here in English.
    with translation.override("en"):
        yield


def receive(inbox: Inbox, external_id: str, text: str = "Bonjour", **sender: Any) -> Conversation:
    conversation_id = ingest(inbox, inbound(external_id, text, **sender)).conversation_id
    # Routing queues it when the arrival's events are handled (the dispatcher, run after
    # that commit, does not run inside a test's transaction).
    outbox.process_pending_events()
    return Conversation.objects.get(pk=conversation_id)


@pytest.fixture
def chat_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)


@pytest.fixture
def sms_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="SMS", channel=ChannelKind.SMS)


@pytest.fixture
def by_email(email_inbox: Inbox) -> Conversation:
    return receive(email_inbox, "<colis-1@example.fr>", "Mon colis 4417 n'est pas arrivé.",
                   thread=ThreadHints(subject="Colis 4417"))


@pytest.fixture
def by_chat(chat_inbox: Inbox, by_email: Conversation) -> Conversation:
    # The same customer (same verified address), about the same parcel, on the chat.
    conversation = receive(chat_inbox, "chat-1", "Je vous ai écrit par mail pour le colis.")
    assert conversation.contact_id == by_email.contact_id
    return conversation


def texts(conversation: Conversation, direction: str | None = None) -> list[str]:
    messages = conversation.messages.order_by("created_at", "id")
    if direction:
        messages = messages.filter(direction=direction)
    return list(messages.values_list("text", flat=True))


class TestMerge:
    def test_the_sources_messages_join_the_target_in_time_order(
        self, agent: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        actions.add_note(agent, by_chat.pk, "Même demande que le mail")

        target = tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        assert target == by_email
        # The e-mail came first, then the chat message, then the note.
        assert texts(by_email, "incoming") == [
            "Mon colis 4417 n'est pas arrivé.", "Je vous ai écrit par mail pour le colis.",
        ]
        assert "Même demande que le mail" in texts(by_email, "note")
        # Each message keeps the channel it came by.
        moved = by_email.messages.get(text__startswith="Je vous ai écrit")
        assert moved.inbox.channel == "webchat"

    def test_the_source_is_closed_and_marked_merged_with_a_line_in_both_timelines(
        self, agent: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        by_chat.refresh_from_db()
        assert by_chat.status == Status.RESOLVED
        assert by_chat.merged_into == by_email
        assert by_chat.merged_at is not None
        assert by_chat.waiting_since is None
        # Only its own activity lines stay in the source.
        assert set(by_chat.messages.values_list("direction", flat=True)) == {"activity"}
        assert by_chat.messages.filter(
            metadata__activity="merged_into", metadata__value=str(by_email.pk)
        ).exists()
        assert by_email.messages.filter(
            metadata__activity="merged_from", metadata__value=str(by_chat.pk)
        ).exists()
        changes = list(
            OutboxEvent.objects.filter(kind="conversation.updated")
            .values_list("conversation_id", "payload__change")
        )
        assert (by_chat.pk, "merged_into") in changes
        assert (by_email.pk, "merged_from") in changes

    def test_a_merge_is_kept_in_the_audit_log(
        self, agent: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        entry = AuditLogEntry.objects.get(action="conversation.merged")
        assert (entry.actor, entry.target_id, entry.data["source_id"]) == (
            agent, str(by_email.pk), by_chat.pk
        )

    def test_the_sources_place_in_routing_is_released(
        self, agent: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        assert ConversationRouting.objects.get(pk=by_chat.pk).resolved_at is None

        tools.merge_conversations(agent, by_chat.pk, by_email.pk)
        outbox.process_pending_events()

        assert ConversationRouting.objects.get(pk=by_chat.pk).resolved_at is not None
        assert ConversationRouting.objects.get(pk=by_email.pk).resolved_at is None

    def test_labels_follow_and_the_target_waits_since_the_earlier_wait(
        self, agent: User, supervisor: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        label = Label.objects.create(name="colis")
        actions.add_label(agent, by_chat.pk, label.pk)
        by_email.refresh_from_db()
        by_chat.refresh_from_db()
        earliest = by_email.waiting_since

        tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        by_email.refresh_from_db()
        assert list(by_email.labels.all()) == [label]
        assert by_email.waiting_since == earliest

    def test_a_resolved_target_reopens_for_the_open_request_it_receives(
        self, agent: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        actions.set_status(agent, by_email.pk, Status.RESOLVED)

        tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        by_email.refresh_from_db()
        assert by_email.status == Status.OPEN

    def test_the_customers_next_message_to_the_source_lands_in_the_target(
        self, agent: User, chat_inbox: Inbox, by_email: Conversation, by_chat: Conversation
    ) -> None:
        tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        again = receive(chat_inbox, "chat-2", "Alors, ce colis ?")

        assert again == by_email
        assert not by_chat.messages.exclude(direction="activity").exists()

    def test_conversations_of_two_different_contacts_are_not_merged(
        self, agent: User, chat_inbox: Inbox, by_email: Conversation
    ) -> None:
        stranger = receive(chat_inbox, "chat-9", "Bonjour", email="paul@example.fr",
                           name="Paul Durand")

        with pytest.raises(InvalidInput, match="same contact"):
            tools.merge_conversations(agent, stranger.pk, by_email.pk)
        assert stranger.messages.filter(direction="incoming").count() == 1
        stranger.refresh_from_db()
        assert stranger.merged_into is None and stranger.status == Status.OPEN

    def test_a_conversation_is_not_merged_into_itself(
        self, agent: User, by_email: Conversation
    ) -> None:
        with pytest.raises(InvalidInput):
            tools.merge_conversations(agent, by_email.pk, by_email.pk)

    def test_a_merged_conversation_is_not_merged_again(
        self, agent: User, email_inbox: Inbox, by_email: Conversation, by_chat: Conversation
    ) -> None:
        tools.merge_conversations(agent, by_chat.pk, by_email.pk)

        with pytest.raises(Conflict):
            tools.merge_conversations(agent, by_chat.pk, by_email.pk)
        with pytest.raises(InvalidInput, match="merged into another"):
            tools.merge_conversations(agent, by_email.pk, by_chat.pk)

    def test_an_agent_cannot_merge_a_colleagues_conversation(
        self, agent: User, other_agent: User, by_email: Conversation, by_chat: Conversation
    ) -> None:
        actions.assign(other_agent, by_chat.pk, assignee_id=other_agent.pk)

        with pytest.raises(PermissionDenied):
            tools.merge_conversations(agent, by_chat.pk, by_email.pk)
        by_chat.refresh_from_db()
        assert by_chat.merged_into is None

    def test_a_supervisor_can_merge_a_colleagues_conversation(
        self, supervisor: User, other_agent: User, by_email: Conversation,
        by_chat: Conversation,
    ) -> None:
        actions.assign(other_agent, by_chat.pk, assignee_id=other_agent.pk)

        tools.merge_conversations(supervisor, by_chat.pk, by_email.pk)

        by_chat.refresh_from_db()
        assert by_chat.merged_into == by_email

    def test_an_unknown_conversation_is_not_found(
        self, agent: User, by_email: Conversation
    ) -> None:
        with pytest.raises(NotFound):
            tools.merge_conversations(agent, 99999, by_email.pk)


class TestSplit:
    @pytest.fixture
    def two_topics(self, api_inbox: Inbox) -> Conversation:
        conversation = receive(api_inbox, "m-1", "Ma commande 4417 n'est pas arrivée.")
        receive(api_inbox, "m-2", "Et aussi : je veux changer mon adresse de facturation.")
        return conversation

    def test_the_message_and_its_attachments_move_to_a_new_conversation(
        self, agent: User, two_topics: Conversation
    ) -> None:
        message = two_topics.messages.get(external_id="m-2")
        Attachment.objects.create(message=message, filename="rib.pdf")

        new = tools.split_message(agent, message.pk)

        assert new.pk != two_topics.pk
        assert (new.contact_id, new.inbox_id) == (two_topics.contact_id, two_topics.inbox_id)
        assert new.subject == "Et aussi : je veux changer mon adresse de facturation."
        assert new.status == Status.OPEN
        assert new.waiting_since == message.created_at
        message.refresh_from_db()
        assert message.conversation == new
        assert list(Attachment.objects.filter(message__conversation=new)
                    .values_list("filename", flat=True)) == ["rib.pdf"]
        assert texts(two_topics, "incoming") == ["Ma commande 4417 n'est pas arrivée."]

    def test_both_timelines_link_the_other_and_events_are_recorded(
        self, agent: User, two_topics: Conversation
    ) -> None:
        new = tools.split_message(agent, two_topics.messages.get(external_id="m-2").pk)

        assert two_topics.messages.filter(
            metadata__activity="split_to", metadata__value=str(new.pk)).exists()
        assert new.messages.filter(
            metadata__activity="split_from", metadata__value=str(two_topics.pk)).exists()
        assert OutboxEvent.objects.filter(kind="conversation.created", conversation=new).exists()
        assert OutboxEvent.objects.filter(
            kind="conversation.updated", conversation=two_topics, payload__change="split"
        ).exists()

    def test_the_new_conversation_is_queued_for_an_agent(
        self, agent: User, two_topics: Conversation
    ) -> None:
        new = tools.split_message(agent, two_topics.messages.get(external_id="m-2").pk)
        outbox.process_pending_events()

        assert ConversationRouting.objects.get(pk=new.pk).is_waiting

    def test_an_agents_reply_is_not_split(self, agent: User, two_topics: Conversation) -> None:
        answer = actions.reply(agent, two_topics.pk, "Je regarde.")

        with pytest.raises(InvalidInput, match="customer's message"):
            tools.split_message(agent, answer.pk)

    def test_the_only_message_of_a_conversation_is_not_split(
        self, agent: User, api_inbox: Inbox
    ) -> None:
        alone = receive(api_inbox, "m-1")

        with pytest.raises(InvalidInput, match="only message"):
            tools.split_message(agent, alone.messages.get().pk)
        assert Conversation.objects.count() == 1

    def test_an_agent_cannot_split_a_colleagues_conversation(
        self, agent: User, other_agent: User, two_topics: Conversation
    ) -> None:
        actions.assign(other_agent, two_topics.pk, assignee_id=other_agent.pk)

        with pytest.raises(PermissionDenied):
            tools.split_message(agent, two_topics.messages.get(external_id="m-2").pk)
        assert Conversation.objects.count() == 1

    def test_an_unknown_message_is_not_found(self, agent: User) -> None:
        with pytest.raises(NotFound):
            tools.split_message(agent, 99999)


class TestReplyVia:
    @pytest.fixture
    def by_email_with_phone(self, email_inbox: Inbox, sms_inbox: Inbox) -> Conversation:
        conversation = receive(email_inbox, "<q-1@example.fr>", "Pouvez-vous me rappeler ?",
                               phone="+33612345678")
        return conversation

    def test_the_contacts_phone_is_offered_through_the_sms_inbox(
        self, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        choices = tools.reply_channels(by_email_with_phone)

        assert [(c.inbox, c.identity.value) for c in choices] == [(sms_inbox, "+33612345678")]

    def test_the_reply_goes_through_the_chosen_inbox_to_the_chosen_number(
        self, agent: User, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        phone = Identity.objects.get(kind="phone")

        message = tools.reply_via(agent, by_email_with_phone.pk, "Je vous rappelle à 14 h.",
                                  inbox_id=sms_inbox.pk, identity_id=phone.pk)

        assert message.conversation == by_email_with_phone
        assert message.inbox == sms_inbox
        assert message.metadata[tools.RECIPIENT_KEY] == "+33612345678"
        outbound = build_outbound(message)
        assert outbound.recipient == "+33612345678"

    def test_the_customers_answer_on_that_channel_continues_the_conversation(
        self, agent: User, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        phone = Identity.objects.get(kind="phone")
        tools.reply_via(agent, by_email_with_phone.pk, "Je vous rappelle à 14 h ?",
                        inbox_id=sms_inbox.pk, identity_id=phone.pk)

        answer = receive(sms_inbox, "SM-in-1", "Oui, parfait", email=None,
                         phone="+33612345678")

        assert answer == by_email_with_phone
        assert by_email_with_phone.messages.get(external_id="SM-in-1").inbox == sms_inbox

    def test_without_our_message_on_that_channel_the_customer_starts_a_new_conversation(
        self, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        answer = receive(sms_inbox, "SM-in-1", "Autre question", email=None,
                         phone="+33612345678")

        assert answer != by_email_with_phone
        assert answer.inbox == sms_inbox

    def test_a_resolved_conversation_is_not_continued_from_the_other_channel(
        self, agent: User, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        phone = Identity.objects.get(kind="phone")
        tools.reply_via(agent, by_email_with_phone.pk, "C'est réglé.",
                        inbox_id=sms_inbox.pk, identity_id=phone.pk)
        actions.set_status(agent, by_email_with_phone.pk, Status.RESOLVED)

        answer = receive(sms_inbox, "SM-in-1", "Nouvelle question", email=None,
                         phone="+33612345678")

        assert answer != by_email_with_phone

    def test_an_identity_of_another_contact_is_refused(
        self, agent: User, by_email_with_phone: Conversation, sms_inbox: Inbox,
        api_inbox: Inbox,
    ) -> None:
        receive(api_inbox, "m-9", email="paul@example.fr", phone="+33700000000", name="Paul")
        strangers_phone = Identity.objects.get(value="+33700000000")

        with pytest.raises(InvalidInput, match="cannot reach"):
            tools.reply_via(agent, by_email_with_phone.pk, "Bonjour", inbox_id=sms_inbox.pk,
                            identity_id=strangers_phone.pk)
        assert not Message.objects.filter(direction=Direction.OUTGOING).exists()

    def test_an_address_the_inbox_cannot_reach_is_refused(
        self, agent: User, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        email = Identity.objects.get(kind="email")

        with pytest.raises(InvalidInput):
            tools.reply_via(agent, by_email_with_phone.pk, "Bonjour", inbox_id=sms_inbox.pk,
                            identity_id=email.pk)

    def test_an_undeliverable_number_is_not_offered(
        self, by_email_with_phone: Conversation
    ) -> None:
        Identity.objects.filter(kind="phone").update(is_undeliverable=True)

        assert tools.reply_channels(by_email_with_phone) == []

    def test_an_empty_reply_is_refused(
        self, agent: User, by_email_with_phone: Conversation, sms_inbox: Inbox
    ) -> None:
        phone = Identity.objects.get(kind="phone")

        with pytest.raises(InvalidInput):
            tools.reply_via(agent, by_email_with_phone.pk, "  ", inbox_id=sms_inbox.pk,
                            identity_id=phone.pk)


class TestTransfer:
    @pytest.fixture
    def billing(self, db: Any, other_agent: User) -> Team:
        team = Team.objects.create(name="Facturation")
        team.members.add(other_agent)
        return team

    @pytest.fixture
    def conversation(self, api_inbox: Inbox) -> Conversation:
        return receive(api_inbox, "m-1", "Ma facture est fausse.")

    def test_the_team_is_set_and_the_note_added_together(
        self, agent: User, billing: Team, conversation: Conversation
    ) -> None:
        tools.transfer_to_team(agent, conversation.pk, billing.pk, "Erreur de TVA sur F-2291")

        conversation.refresh_from_db()
        assert conversation.team == billing
        note = conversation.messages.get(direction=Direction.NOTE)
        assert (note.text, note.author) == ("Erreur de TVA sur F-2291", agent)
        assert conversation.messages.filter(
            metadata__activity="team", metadata__value="Facturation").exists()
        # The events of an assignment and of a note, as if made one by one.
        assert [(e.kind, e.payload.get("changed"), e.payload.get("direction"))
                for e in OutboxEvent.objects.filter(conversation=conversation).order_by("pk")
                if e.kind != "conversation.created"][-2:] == [
            ("conversation.assigned", ["team"], None), ("message.created", None, "note"),
        ]

    def test_an_assignee_outside_the_new_team_is_unassigned(
        self, agent: User, billing: Team, conversation: Conversation
    ) -> None:
        actions.assign(agent, conversation.pk, assignee_id=agent.pk)

        tools.transfer_to_team(agent, conversation.pk, billing.pk, "Pour la facturation")

        conversation.refresh_from_db()
        assert conversation.assignee is None
        assert conversation.messages.filter(metadata__activity="unassigned").exists()

    def test_an_assignee_inside_the_new_team_keeps_it(
        self, supervisor: User, other_agent: User, billing: Team, conversation: Conversation
    ) -> None:
        actions.assign(supervisor, conversation.pk, assignee_id=other_agent.pk)

        tools.transfer_to_team(supervisor, conversation.pk, billing.pk, "Pour la facturation")

        conversation.refresh_from_db()
        assert conversation.assignee == other_agent

    def test_a_waiting_conversation_waits_for_the_new_team_at_its_place(
        self, agent: User, billing: Team, conversation: Conversation
    ) -> None:
        before = ConversationRouting.objects.get(pk=conversation.pk)
        assert before.is_waiting and before.team_id is None

        tools.transfer_to_team(agent, conversation.pk, billing.pk, "Pour la facturation")
        outbox.process_pending_events()

        after = ConversationRouting.objects.get(pk=conversation.pk)
        assert after.is_waiting
        assert after.team_id == billing.pk
        assert after.queued_at == before.queued_at

    def test_an_unassigned_conversation_goes_to_an_online_agent_of_the_new_team(
        self, agent: User, other_agent: User, billing: Team, conversation: Conversation,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        routing.configure_agent(other_agent, capacity={"chat": 2})
        routing.set_presence(other_agent, "online")

        with django_capture_on_commit_callbacks(execute=True):
            tools.transfer_to_team(agent, conversation.pk, billing.pk, "Pour la facturation")

        conversation.refresh_from_db()
        assert conversation.assignee == other_agent

    def test_nothing_changes_when_the_note_is_empty(
        self, agent: User, billing: Team, conversation: Conversation
    ) -> None:
        with pytest.raises(InvalidInput):
            tools.transfer_to_team(agent, conversation.pk, billing.pk, "   ")
        conversation.refresh_from_db()
        assert conversation.team is None

    def test_an_unknown_team_is_not_found(
        self, agent: User, conversation: Conversation
    ) -> None:
        with pytest.raises(NotFound):
            tools.transfer_to_team(agent, conversation.pk, 99999, "Pour la facturation")
        assert not conversation.messages.filter(direction=Direction.NOTE).exists()

    def test_the_same_team_is_refused(
        self, agent: User, billing: Team, conversation: Conversation
    ) -> None:
        tools.transfer_to_team(agent, conversation.pk, billing.pk, "Pour la facturation")

        with pytest.raises(InvalidInput, match="already"):
            tools.transfer_to_team(agent, conversation.pk, billing.pk, "Encore")

    def test_an_agent_cannot_transfer_a_colleagues_conversation(
        self, agent: User, other_agent: User, billing: Team, conversation: Conversation
    ) -> None:
        actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)

        with pytest.raises(PermissionDenied):
            tools.transfer_to_team(agent, conversation.pk, billing.pk, "Pour la facturation")
        conversation.refresh_from_db()
        assert conversation.team is None
        assert not conversation.messages.filter(direction=Direction.NOTE).exists()


def test_an_inactive_agent_reaches_none_of_the_tools(
    agent: User, by_email: Conversation, by_chat: Conversation
) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)
    agent.refresh_from_db()

    with pytest.raises(NotFound):
        tools.merge_conversations(agent, by_chat.pk, by_email.pk)
    with pytest.raises(NotFound):
        tools.split_message(agent, by_chat.messages.get().pk)



def test_a_mail_sent_from_an_sms_conversation_threads_on_mails_only(
    agent: User, email_inbox: Inbox, sms_inbox: Inbox
) -> None:
    conversation = receive(sms_inbox, "SM-in-1", "Pouvez-vous m'envoyer la facture ?",
                           phone="+33612345678")
    actions.reply(agent, conversation.pk, "Je vous l'envoie par mail.")
    Message.objects.filter(direction=Direction.OUTGOING).update(provider_message_id="SM123")
    email = Identity.objects.get(kind="email")

    message = tools.reply_via(agent, conversation.pk, "Voici votre facture.",
                              inbox_id=email_inbox.pk, identity_id=email.pk)
    outbound = build_outbound(message)

    assert outbound.recipient == "jeanne.martin@example.fr"
    # The SMS ids are not Message-IDs: a mail client would not thread on them.
    assert (outbound.in_reply_to, tuple(outbound.references)) == ("", ())
