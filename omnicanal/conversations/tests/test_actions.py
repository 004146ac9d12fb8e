from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Conversation,
    Inbox,
    Label,
    Message,
    OutboxEvent,
    Status,
)
from omnicanal.core.exceptions import InvalidInput, NotFound, PermissionDenied
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.testing.webhook_receiver import WebhookReceiver

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

    def test_a_note_is_never_sent(
        self, agent: User, webhook_receiver: WebhookReceiver,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        # Everything that follows a commit runs (events, enqueued sends), so that a note that
        # went out would reach the receiver; the reply after it shows that one would.
        inbox = Inbox.objects.create(name="Site API", channel="api",
                                     settings={"webhook_url": webhook_receiver.url})
        conversation_id = ingest(inbox, inbound("m-1")).conversation_id

        with django_capture_on_commit_callbacks(execute=True):
            actions.add_note(agent, conversation_id, "Client déjà remboursé en mars")
        run_queued_tasks()

        assert Message.objects.filter(direction="note").count() == 1
        assert webhook_receiver.requests == []

        with django_capture_on_commit_callbacks(execute=True):
            actions.reply(agent, conversation_id, "Votre remboursement est parti en mars.")
        run_queued_tasks()
        assert [json.loads(body)["text"] for _headers, body in webhook_receiver.requests] == [
            "Votre remboursement est parti en mars."
        ]

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

    def test_an_agent_cannot_move_a_colleagues_conversation_to_another_team(
        self, agent: User, other_agent: User, team: Team, conversation: Conversation
    ) -> None:
        # The rule a transfer applies, whichever action asks.
        actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)

        with pytest.raises(PermissionDenied, match="another team"):
            actions.assign(agent, conversation.pk, team_id=team.pk)
        conversation.refresh_from_db()
        assert conversation.team is None

    def test_an_agent_sets_the_team_of_their_own_conversation(
        self, agent: User, team: Team, conversation: Conversation
    ) -> None:
        actions.assign(agent, conversation.pk, assignee_id=agent.pk)

        actions.assign(agent, conversation.pk, team_id=team.pk)

        conversation.refresh_from_db()
        assert conversation.team == team

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

    def test_snoozing_through_set_status_needs_a_wake_up_time(
        self, agent: User, conversation: Conversation
    ) -> None:
        # The API's contract: "until the customer replies" is only offered by snooze().
        with pytest.raises(InvalidInput):
            actions.set_status(agent, conversation.pk, Status.SNOOZED)

        until = timezone.now() + dt.timedelta(hours=4)
        actions.set_status(agent, conversation.pk, Status.SNOOZED, snoozed_until=until)
        conversation.refresh_from_db()
        assert conversation.snoozed_until == until


def activities(conversation: Conversation) -> list[tuple[str, str]]:
    return [
        (m.metadata["activity"], m.metadata["value"])
        for m in conversation.messages.filter(direction="activity").order_by("pk")
    ]


def events(conversation: Conversation) -> list[str]:
    return list(
        OutboxEvent.objects.filter(conversation=conversation).order_by("pk").values_list(
            "kind", flat=True
        )
    )


class TestSnooze:
    def test_snoozing_until_a_time_records_it_with_an_event_and_an_activity_line(
        self, agent: User, conversation: Conversation
    ) -> None:
        until = timezone.now() + dt.timedelta(hours=4)

        actions.snooze(agent, conversation.pk, until=until)

        conversation.refresh_from_db()
        assert (conversation.status, conversation.snoozed_until) == ("snoozed", until)
        assert activities(conversation) == [("status", f"snoozed {until.isoformat()}")]
        assert events(conversation)[-1] == "conversation.status_changed"

    def test_snoozing_until_the_customer_replies_keeps_no_time_and_a_reply_wakes_it(
        self, agent: User, conversation: Conversation, api_inbox: Inbox
    ) -> None:
        actions.snooze(agent, conversation.pk, until=None)
        conversation.refresh_from_db()
        assert (conversation.status, conversation.snoozed_until) == ("snoozed", None)

        ingest(api_inbox, inbound("m-2", "Vous avez du nouveau ?"))

        conversation.refresh_from_db()
        assert conversation.status == "open"

    def test_a_wake_up_time_in_the_past_is_refused(
        self, agent: User, conversation: Conversation
    ) -> None:
        with pytest.raises(InvalidInput):
            actions.snooze(agent, conversation.pk, until=timezone.now() - dt.timedelta(minutes=1))
        conversation.refresh_from_db()
        assert conversation.status == "open"

    def test_due_conversations_wake_up_and_the_others_sleep_on(
        self, agent: User, api_inbox: Inbox
    ) -> None:
        due = Conversation.objects.get(pk=ingest(api_inbox, inbound("a")).conversation_id)
        later = Conversation.objects.get(
            pk=ingest(api_inbox, inbound("b", email="paul@example.fr")).conversation_id
        )
        until_reply = Conversation.objects.get(
            pk=ingest(api_inbox, inbound("c", email="lea@example.fr")).conversation_id
        )
        soon = timezone.now() + dt.timedelta(minutes=5)
        actions.snooze(agent, due.pk, until=soon)
        actions.snooze(agent, later.pk, until=soon + dt.timedelta(days=1))
        actions.snooze(agent, until_reply.pk, until=None)

        woken = actions.wake_due_conversations(now=soon + dt.timedelta(seconds=1))

        assert woken == [due.pk]
        statuses = dict(Conversation.objects.values_list("pk", "status"))
        assert statuses == {due.pk: "open", later.pk: "snoozed", until_reply.pk: "snoozed"}
        due.refresh_from_db()
        assert due.snoozed_until is None
        assert activities(due)[-1] == ("status", "woke")
        # A second pass finds nothing more to do.
        assert actions.wake_due_conversations(now=soon + dt.timedelta(seconds=2)) == []


class TestPriority:
    def test_setting_the_priority_records_an_event_and_an_activity_line(
        self, agent: User, conversation: Conversation
    ) -> None:
        actions.set_priority(agent, conversation.pk, 1)

        conversation.refresh_from_db()
        assert conversation.priority == 1
        assert activities(conversation) == [("priority", "1")]
        assert events(conversation)[-1] == "conversation.updated"

    def test_an_unknown_priority_is_refused(self, agent: User, conversation: Conversation) -> None:
        with pytest.raises(InvalidInput):
            actions.set_priority(agent, conversation.pk, 9)


class TestLabels:
    def test_adding_and_removing_a_label_leaves_a_trace(
        self, agent: User, supervisor: User, conversation: Conversation
    ) -> None:
        label = actions.create_label(supervisor, "  Remboursement ")

        actions.add_label(agent, conversation.pk, label.pk)
        actions.add_label(agent, conversation.pk, label.pk)  # twice: no second line
        assert list(conversation.labels.values_list("name", flat=True)) == ["Remboursement"]
        actions.remove_label(agent, conversation.pk, label.pk)

        assert not conversation.labels.exists()
        assert activities(conversation) == [
            ("labeled", "Remboursement"), ("unlabeled", "Remboursement"),
        ]
        assert events(conversation)[-2:] == ["conversation.updated", "conversation.updated"]

    def test_an_agent_uses_existing_labels_by_name_but_cannot_create_one(
        self, agent: User, supervisor: User, conversation: Conversation
    ) -> None:
        actions.create_label(supervisor, "Bug")

        actions.add_label_by_name(agent, conversation.pk, "bug")
        with pytest.raises(PermissionDenied):
            actions.add_label_by_name(agent, conversation.pk, "Nouveau")

        assert list(conversation.labels.values_list("name", flat=True)) == ["Bug"]
        assert not Label.objects.filter(name="Nouveau").exists()


class TestBulk:
    def test_each_conversation_goes_through_the_action_and_refusals_are_reported(
        self, agent: User, other_agent: User, api_inbox: Inbox
    ) -> None:
        free = ingest(api_inbox, inbound("a")).conversation_id
        colleagues = ingest(api_inbox, inbound("b", email="paul@example.fr")).conversation_id
        actions.assign(other_agent, colleagues, assignee_id=other_agent.pk)

        outcome = actions.for_each_conversation(
            agent, [free, colleagues, 999],
            lambda user, pk: actions.assign(user, pk, assignee_id=user.pk),
        )

        assert outcome.done == [free]
        assert set(outcome.refused) == {colleagues, 999}
        assignees = dict(Conversation.objects.values_list("pk", "assignee"))
        assert assignees == {free: agent.pk, colleagues: other_agent.pk}

    def test_an_empty_or_oversized_selection_is_refused(self, agent: User) -> None:
        with pytest.raises(InvalidInput):
            actions.for_each_conversation(agent, [], lambda user, pk: None)
        with pytest.raises(InvalidInput):
            actions.for_each_conversation(agent, range(actions.BULK_MAX + 1), lambda u, p: None)


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
