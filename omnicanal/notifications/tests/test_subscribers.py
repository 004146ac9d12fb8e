"""Who is told what, from the domain events, once their transaction committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from omnicanal.accounts.models import Role, Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions, tools
from omnicanal.conversations.events import record_event
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent
from omnicanal.conversations.queries import ListView, view_conversations, view_counts
from omnicanal.notifications import actions as notifications
from omnicanal.notifications.models import Kind, Mention, Notification
from omnicanal.notifications.texts import notification_text as _notification_text
from omnicanal.routing.actions import configure_agent, set_presence

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Iterator[Callable[..., Any]]:
    """Run a write as if its transaction committed: subscribers and pushes run after it."""

    def run(write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    yield run


@pytest.fixture
def conversation(api_inbox: Inbox, committed: Callable[..., Any]) -> Conversation:
    result = committed(ingest, api_inbox, inbound("m-1", "Bonjour", name="Marie Lambert"))
    return Conversation.objects.get(pk=result.conversation_id)


def notification_text(notification: Notification) -> str:
    # English: the French catalogue is merged after this branch.
    with translation.override("en"):
        return _notification_text(notification)


def received(user: User) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "count")
    )


def customer_writes(
    inbox: Inbox, committed: Callable[..., Any], external_id: str, text: str = "Encore moi"
) -> None:
    committed(ingest, inbox, inbound(external_id, text, name="Marie Lambert"))


# Assignment


def test_the_new_assignee_is_told_who_assigned_them(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, agent: User
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)

    [notification] = Notification.objects.filter(recipient=agent)
    assert (notification.kind, notification.actor, notification.conversation) == (
        Kind.ASSIGNED, supervisor, conversation
    )
    assert notification_text(notification) == (
        f"Sarah Superviseure assigned you conversation #{conversation.pk} “Bonjour”"
    )
    assert received(supervisor) == []


def test_taking_a_conversation_oneself_notifies_nobody(
    committed: Callable[..., Any], conversation: Conversation, agent: User
) -> None:
    committed(actions.assign, agent, conversation.pk, assignee_id=agent.pk)

    assert not Notification.objects.exists()


def test_moving_a_conversation_to_a_team_does_not_tell_its_agent_again(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, agent: User,
    team: Team,
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    committed(actions.assign, supervisor, conversation.pk, team_id=team.pk)

    assert received(agent) == [(Kind.ASSIGNED, 1)]


def test_unassigning_notifies_nobody(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, agent: User
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    committed(actions.unassign, supervisor, conversation.pk)

    assert received(agent) == [(Kind.ASSIGNED, 1)]
    assert received(supervisor) == []


# New messages


def test_new_messages_on_my_conversation_fold_into_one_unread_notification(
    committed: Callable[..., Any], conversation: Conversation, api_inbox: Inbox, agent: User,
    supervisor: User,
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    notifications.mark_all_read(agent)
    for number in range(2, 5):
        customer_writes(api_inbox, committed, f"m-{number}")

    [notification] = Notification.objects.filter(recipient=agent, kind=Kind.NEW_MESSAGE)
    assert notification.count == 3
    assert notification_text(notification) == (
        f"3 new messages from Marie Lambert in conversation #{conversation.pk} “Bonjour”"
    )


def test_a_message_after_i_read_the_group_starts_a_new_one(
    committed: Callable[..., Any], conversation: Conversation, api_inbox: Inbox, agent: User,
    supervisor: User,
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    notifications.mark_all_read(agent)
    customer_writes(api_inbox, committed, "m-2")
    customer_writes(api_inbox, committed, "m-3")
    notifications.mark_all_read(agent)
    customer_writes(api_inbox, committed, "m-4")

    counts = Notification.objects.filter(recipient=agent, kind=Kind.NEW_MESSAGE).order_by("pk")
    assert [(n.count, n.is_read) for n in counts] == [(2, True), (1, False)]


def test_messages_on_a_conversation_whose_assignment_is_unread_add_nothing(
    committed: Callable[..., Any], conversation: Conversation, api_inbox: Inbox, agent: User,
    supervisor: User,
) -> None:
    # As when routing assigns a new conversation on its first message: one notification.
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    customer_writes(api_inbox, committed, "m-2")

    assert received(agent) == [(Kind.ASSIGNED, 1)]


def test_a_conversation_routed_on_arrival_is_one_notification_from_omnicanal(
    committed: Callable[..., Any], api_inbox: Inbox, agent: User
) -> None:
    configure_agent(agent, capacity={"chat": 1})
    set_presence(agent, "online")
    customer_writes(api_inbox, committed, "m-1")

    [notification] = Notification.objects.filter(recipient=agent)
    assert notification.actor is None
    assert notification_text(notification).startswith("Omnicanal assigned you conversation #")


def test_new_messages_on_an_unassigned_conversation_notify_nobody(
    committed: Callable[..., Any], conversation: Conversation, api_inbox: Inbox, agent: User
) -> None:
    customer_writes(api_inbox, committed, "m-2")

    assert not Notification.objects.exists()


def test_my_own_replies_and_notes_are_not_new_messages_for_me(
    committed: Callable[..., Any], conversation: Conversation, agent: User
) -> None:
    committed(actions.assign, agent, conversation.pk, assignee_id=agent.pk)
    committed(actions.reply, agent, conversation.pk, "Je regarde.")
    committed(actions.add_note, agent, conversation.pk, "Colis perdu ?")

    assert received(agent) == []


# Mentions


def test_a_note_mentioning_a_colleague_tells_them_and_lists_the_conversation(
    committed: Callable[..., Any], conversation: Conversation, agent: User, other_agent: User
) -> None:
    note = committed(
        actions.add_note, agent, conversation.pk, "@Carol Agent tu peux rappeler la cliente ?"
    )

    assert note.metadata == {"mentions": [{"agent_id": other_agent.pk, "start": 0, "end": 12}]}
    [notification] = Notification.objects.filter(recipient=other_agent)
    assert (notification.kind, notification.actor) == (Kind.MENTIONED, agent)
    assert list(view_conversations(other_agent, ListView.MENTIONS)) == [conversation]
    assert view_counts(other_agent)[ListView.MENTIONS] == 1
    # Only the agent who was named sees it in their mentions.
    assert view_counts(agent)[ListView.MENTIONS] == 0


def test_a_transfer_notes_mention_tells_the_colleague_it_names(
    committed: Callable[..., Any], conversation: Conversation, agent: User, other_agent: User
) -> None:
    billing = Team.objects.create(name="Facturation")

    committed(tools.transfer_to_team, agent, conversation.pk, billing.pk,
              "@Carol Agent la cliente attend un avoir")

    [notification] = Notification.objects.filter(recipient=other_agent)
    assert (notification.kind, notification.actor) == (Kind.MENTIONED, agent)
    note = conversation.messages.get(direction="note")
    assert note.metadata["mentions"][0]["agent_id"] == other_agent.pk


def test_mentioning_oneself_notifies_nobody(
    committed: Callable[..., Any], conversation: Conversation, agent: User
) -> None:
    committed(actions.add_note, agent, conversation.pk, "Note pour @Bob Agent : relancer lundi")

    assert not Notification.objects.exists()
    assert not Mention.objects.exists()


def test_a_mention_stays_in_the_list_when_the_bell_is_off_for_mentions(
    committed: Callable[..., Any], conversation: Conversation, agent: User, other_agent: User
) -> None:
    notifications.set_preferences(
        other_agent, {Kind.MENTIONED: notifications.Channels(is_in_app=False, is_browser=True)}
    )
    committed(actions.add_note, agent, conversation.pk, "@Carol Agent à voir")

    assert received(other_agent) == []
    assert list(view_conversations(other_agent, ListView.MENTIONS)) == [conversation]


def test_a_deactivated_colleague_is_neither_mentioned_nor_notified(
    committed: Callable[..., Any], conversation: Conversation, agent: User, other_agent: User
) -> None:
    User.objects.filter(pk=other_agent.pk).update(is_active=False)
    note = committed(actions.add_note, agent, conversation.pk, "@Carol Agent à voir")

    assert note.metadata == {}
    assert not Notification.objects.exists()


def test_a_deactivated_agent_is_not_told_of_new_messages_on_their_conversation(
    committed: Callable[..., Any], conversation: Conversation, api_inbox: Inbox, agent: User,
    supervisor: User,
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    notifications.mark_all_read(agent)
    User.objects.filter(pk=agent.pk).update(is_active=False)

    customer_writes(api_inbox, committed, "m-2")

    assert received(agent) == [(Kind.ASSIGNED, 1)]


# Preferences and browser notifications


def test_defaults_pop_assignments_mentions_and_slas_but_not_new_messages(agent: User) -> None:
    chosen = notifications.preferences(agent)

    assert all(channels.is_in_app for channels in chosen.values())
    assert {kind for kind, channels in chosen.items() if channels.is_browser} == {
        Kind.ASSIGNED, Kind.MENTIONED, Kind.SLA_WARNING, Kind.SLA_BREACHED
    }


def test_a_kind_turned_off_in_the_bell_is_not_stored_and_never_pops(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, agent: User
) -> None:
    saved = notifications.set_preferences(
        agent, {Kind.ASSIGNED: notifications.Channels(is_in_app=False, is_browser=True)}
    )
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)

    assert saved[Kind.ASSIGNED] == notifications.Channels(is_in_app=False, is_browser=False)
    assert received(agent) == []


def test_browser_notifications_pop_at_most_once_a_minute_per_conversation(
    committed: Callable[..., Any], conversation: Conversation, api_inbox: Inbox, agent: User,
    supervisor: User,
) -> None:
    notifications.set_preferences(
        agent, {Kind.NEW_MESSAGE: notifications.Channels(is_in_app=True, is_browser=True)}
    )
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    notifications.mark_all_read(agent)
    customer_writes(api_inbox, committed, "m-2")
    customer_writes(api_inbox, committed, "m-3")

    popped = Notification.objects.filter(recipient=agent, popped_at__isnull=False)
    # The assignment popped; the messages right after it fold into the bell quietly.
    assert list(popped.values_list("kind", "count")) == [(Kind.ASSIGNED, 1)]
    assert received(agent) == [(Kind.ASSIGNED, 1), (Kind.NEW_MESSAGE, 2)]

    Notification.objects.filter(recipient=agent).update(
        popped_at=timezone.now() - notifications.BROWSER_INTERVAL - dt.timedelta(seconds=1)
    )
    customer_writes(api_inbox, committed, "m-4")
    assert popped.filter(kind=Kind.NEW_MESSAGE).exists()


# SLA clocks and automations


def record_committed(committed: Callable[..., Any], kind: str, conversation: Conversation,
                     **payload: Any) -> None:
    committed(record_event, kind, conversation, **payload)  # type: ignore[arg-type]


def test_an_sla_warning_goes_to_the_assignee(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, agent: User
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    record_committed(committed, "sla.warning", conversation, target="first_response",
                     due_at="2026-11-24T15:30:00+01:00")

    [notification] = Notification.objects.filter(recipient=agent, kind=Kind.SLA_WARNING)
    assert notification_text(notification) == (
        f"SLA: the first response of conversation #{conversation.pk} “Bonjour” is due at "
        "24/11/2026 15:30"
    )
    assert received(supervisor) == []


def test_a_missed_sla_on_an_unassigned_conversation_goes_to_its_teams_supervisors(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, admin: User,
    agent: User, team: Team,
) -> None:
    other_supervisor = User.objects.create_user("s2@example.com", "pw", role=Role.SUPERVISOR)
    team.members.add(supervisor)
    committed(actions.assign, admin, conversation.pk, team_id=team.pk)
    record_committed(committed, "sla.breached", conversation, target="resolution",
                     due_at="2026-11-24T15:30:00+01:00")

    assert received(supervisor) == [(Kind.SLA_BREACHED, 1)]
    # Not the team's agents, nor supervisors of other teams.
    assert received(agent) == [] and received(other_supervisor) == [] and received(admin) == []


def test_a_missed_sla_with_no_team_goes_to_every_supervisor(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, admin: User,
    agent: User,
) -> None:
    record_committed(committed, "sla.breached", conversation, target="first_response",
                     due_at="2026-11-24T15:30:00+01:00")

    assert received(supervisor) == [(Kind.SLA_BREACHED, 1)]
    assert received(admin) == [(Kind.SLA_BREACHED, 1)]
    assert received(agent) == []


def test_an_automation_notifies_the_agents_it_names_with_its_text(
    committed: Callable[..., Any], conversation: Conversation, agent: User, other_agent: User,
    supervisor: User,
) -> None:
    record_committed(committed, "automation.notify", conversation,
                     recipient_ids=[agent.pk, other_agent.pk, 999_999],
                     text="Client VIP en attente")

    for recipient in (agent, other_agent):
        [notification] = Notification.objects.filter(recipient=recipient)
        assert notification_text(notification) == "Client VIP en attente"
    assert received(supervisor) == []


def test_every_event_is_handled_once(
    committed: Callable[..., Any], conversation: Conversation, supervisor: User, agent: User
) -> None:
    committed(actions.assign, supervisor, conversation.pk, assignee_id=agent.pk)
    # A worker catching up afterwards finds nothing left to do.
    from omnicanal.conversations import outbox

    assert outbox.process_pending_events() == 0
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    assert received(agent) == [(Kind.ASSIGNED, 1)]
