from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.exceptions import InvalidInput, NotFound, PermissionDenied
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Message, OutboxEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    return Conversation.objects.get(pk=ingest(api_inbox, inbound("m-1")).conversation_id)


class TestReply:
    def test_answering_an_unassigned_conversation_takes_it(
        self, agent: User, conversation: Conversation
    ) -> None:
        message = actions.reply(agent, conversation.pk, "  Bonjour Jeanne  ")

        conversation.refresh_from_db()
        assert conversation.assignee == agent
        assert conversation.waiting_since is None
        assert (message.text, message.delivery_status) == ("Bonjour Jeanne", "pending")

    def test_an_empty_reply_is_refused(self, agent: User, conversation: Conversation) -> None:
        with pytest.raises(InvalidInput):
            actions.reply(agent, conversation.pk, "   ")
        assert not Message.objects.filter(direction="outgoing").exists()

    def test_a_note_is_never_sent(self, agent: User, conversation: Conversation,
                                  django_capture_on_commit_callbacks: object) -> None:
        from django_tasks_db.models import DBTaskResult

        actions.add_note(agent, conversation.pk, "Client déjà remboursé en mars")

        assert Message.objects.filter(direction="note").count() == 1
        assert not DBTaskResult.objects.exists()

    def test_an_unknown_conversation_is_not_found(self, agent: User) -> None:
        with pytest.raises(NotFound):
            actions.reply(agent, 999, "Bonjour")


class TestAssign:
    def test_an_agent_takes_an_unassigned_conversation(
        self, agent: User, conversation: Conversation
    ) -> None:
        actions.assign(agent, conversation.pk, assignee_id=agent.pk)

        conversation.refresh_from_db()
        assert conversation.assignee == agent
        activity = Message.objects.get(direction="activity")
        assert activity.metadata == {"activity": "assigned", "value": "Bob Agent"}
        assert OutboxEvent.objects.filter(kind="conversation.assigned").count() == 1

    def test_an_agent_cannot_take_a_colleagues_conversation(
        self, agent: User, other_agent: User, conversation: Conversation
    ) -> None:
        actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)

        with pytest.raises(PermissionDenied):
            actions.assign(agent, conversation.pk, assignee_id=agent.pk)
        conversation.refresh_from_db()
        assert conversation.assignee == other_agent

    def test_a_supervisor_reassigns_and_sets_the_team(
        self, supervisor: User, agent: User, other_agent: User, team: Team,
        conversation: Conversation,
    ) -> None:
        actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)

        actions.assign(supervisor, conversation.pk, assignee_id=agent.pk, team_id=team.pk)

        conversation.refresh_from_db()
        assert (conversation.assignee, conversation.team) == (agent, team)

    def test_assigning_to_the_same_agent_records_nothing(
        self, agent: User, conversation: Conversation
    ) -> None:
        actions.assign(agent, conversation.pk, assignee_id=agent.pk)
        actions.assign(agent, conversation.pk, assignee_id=agent.pk)

        assert Message.objects.filter(direction="activity").count() == 1


class TestStatus:
    def test_resolve_then_reopen(self, agent: User, conversation: Conversation) -> None:
        actions.set_status(agent, conversation.pk, Status.RESOLVED)
        conversation.refresh_from_db()
        assert conversation.status == "resolved" and conversation.resolved_at is not None

        actions.set_status(agent, conversation.pk, Status.OPEN)
        conversation.refresh_from_db()
        assert conversation.status == "open" and conversation.resolved_at is None

    def test_snoozing_needs_a_wake_up_time(self, agent: User, conversation: Conversation) -> None:
        with pytest.raises(InvalidInput):
            actions.set_status(agent, conversation.pk, Status.SNOOZED)

        until = timezone.now() + dt.timedelta(hours=4)
        actions.set_status(agent, conversation.pk, Status.SNOOZED, snoozed_until=until)
        conversation.refresh_from_db()
        assert conversation.snoozed_until == until


class TestDeliveryUpdates:
    def test_statuses_only_move_forward_and_failures_show(
        self, agent: User, conversation: Conversation
    ) -> None:
        message = actions.reply(agent, conversation.pk, "Bonjour")
        actions.mark_sent(message.pk, "SM123")
        inbox_id = conversation.inbox_id

        actions.apply_delivery_update(inbox_id, "SM123", "read")
        actions.apply_delivery_update(inbox_id, "SM123", "delivered")  # late callback
        message.refresh_from_db()
        assert message.delivery_status == "read"

        actions.apply_delivery_update(inbox_id, "SM123", "failed", "30008 Unknown error")
        message.refresh_from_db()
        assert (message.delivery_status, message.failure_reason) == (
            "failed", "30008 Unknown error")

    def test_a_status_for_an_unknown_message_is_ignored(self, conversation: Conversation) -> None:
        assert actions.apply_delivery_update(conversation.inbox_id, "nope", "delivered") is None
