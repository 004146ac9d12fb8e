"""Who is told about which domain event. Each handler runs once per event, after its
transaction committed (see `omnicanal.conversations.outbox`), and calls the actions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from omnicanal.accounts.mentions import mentioned_agent_ids
from omnicanal.accounts.models import Role, User
from omnicanal.conversations import outbox, queries
from omnicanal.conversations.models import Conversation, Direction, Message, OutboxEvent
from omnicanal.notifications.actions import notify, notify_many
from omnicanal.notifications.models import Kind, Mention, Notification


def _conversation(event: OutboxEvent) -> Conversation | None:
    if event.conversation_id is None:
        return None
    return (
        Conversation.objects.select_related("assignee", "team", "contact")
        .filter(pk=event.conversation_id)
        .first()
    )


def _user(user_id: object) -> User | None:
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()


def on_conversation_assigned(event: OutboxEvent) -> None:
    """The new assignee, unless they took it themselves; a change of team alone is not
    news to the agent who already had the conversation."""
    if "assignee" not in event.payload.get("changed", ["assignee"]):
        return
    conversation = _conversation(event)
    assignee_id = event.payload.get("assignee_id")
    if conversation is None or assignee_id is None or conversation.assignee_id != assignee_id:
        # Reassigned again since: the later event tells the agent who has it now.
        return
    assert conversation.assignee is not None
    notify(
        conversation.assignee, Kind.ASSIGNED, conversation=conversation,
        actor=_user(event.payload.get("actor_id")),
    )


def on_message_created(event: OutboxEvent) -> None:
    direction = event.payload.get("direction")
    if direction == Direction.INCOMING:
        _notify_new_message(event)
    elif direction == Direction.NOTE:
        _notify_mentions(event)


def _notify_new_message(event: OutboxEvent) -> None:
    """The conversation's agent; an unassigned conversation is the lists' business, not one
    person's bell.

    Only the agent who held the conversation when the message arrived: a conversation that
    routing assigns because of this very message is one notification (the assignment), not
    two. And while the agent has not opened the notification that the conversation was
    given to them, its messages are no further news.
    """
    if event.payload.get("assignee_id") is None:
        # Nobody held it when the message arrived (the event says so): nothing to load.
        return
    conversation = _conversation(event)
    if conversation is None or conversation.assignee is None:
        return
    if conversation.assignee_id != event.payload.get("assignee_id"):
        return
    is_assignment_unread = Notification.objects.filter(
        recipient=conversation.assignee, conversation=conversation, kind=Kind.ASSIGNED,
        read_at__isnull=True,
    ).exists()
    if not is_assignment_unread:
        notify(conversation.assignee, Kind.NEW_MESSAGE, conversation=conversation)


def _notify_mentions(event: OutboxEvent) -> None:
    message = (
        Message.objects.select_related("author", "conversation")
        .filter(pk=event.payload.get("message_id"))
        .first()
    )
    if message is None:
        return
    agent_ids = [
        agent_id for agent_id in mentioned_agent_ids(message.metadata)
        if agent_id != message.author_id
    ]
    agents = list(User.objects.filter(pk__in=agent_ids, is_active=True))
    Mention.objects.bulk_create(
        [Mention(message=message, conversation=message.conversation, agent=a) for a in agents],
        ignore_conflicts=True,
    )
    notify_many(
        agents, Kind.MENTIONED, conversation=message.conversation, actor=message.author,
        params={"message_id": message.pk},
    )


def sla_recipients(conversation: Conversation) -> QuerySet[User]:
    """The assignee; for an unassigned conversation, the supervisors (and administrators) of
    its team, or all of them when it has no team or its team has none: someone must hear of
    a clock running out on a conversation nobody holds."""
    if conversation.assignee is not None:
        return User.objects.filter(pk=conversation.assignee.pk)
    supervisors = User.objects.filter(
        Q(role=Role.SUPERVISOR) | Q(role=Role.ADMINISTRATOR), is_active=True
    )
    if conversation.team_id is not None:
        team_supervisors = supervisors.filter(teams=conversation.team_id)
        if team_supervisors.exists():
            return team_supervisors
    return supervisors


def _on_sla(event: OutboxEvent, kind: Kind) -> None:
    conversation = _conversation(event)
    if conversation is None:
        return
    params = {
        "target": str(event.payload.get("target", "")),
        "due_at": str(event.payload.get("due_at", "")),
    }
    notify_many(sla_recipients(conversation), kind, conversation=conversation, params=params)


def on_sla_warning(event: OutboxEvent) -> None:
    _on_sla(event, Kind.SLA_WARNING)


def on_sla_breached(event: OutboxEvent) -> None:
    _on_sla(event, Kind.SLA_BREACHED)


def on_automation_notify(event: OutboxEvent) -> None:
    """The agents an automation rule names (`recipient_ids`), with the rule's `text`."""
    ids = [pk for pk in event.payload.get("recipient_ids") or [] if isinstance(pk, int)]
    text = str(event.payload.get("text", ""))[:500]
    notify_many(
        User.objects.filter(pk__in=ids, is_active=True), Kind.AUTOMATION,
        conversation=_conversation(event), params={"text": text},
    )


def _mentioning(user: User) -> Q:
    return Q(pk__in=Mention.objects.filter(agent=user).values("conversation_id"))


def subscribe_all() -> None:
    queries.register_list_scope(queries.ListView.MENTIONS, _mentioning)
    outbox.subscribe("conversation.assigned", on_conversation_assigned)
    outbox.subscribe("message.created", on_message_created)
    # Recorded by the SLA clocks of the routing app.
    outbox.subscribe("sla.warning", on_sla_warning)
    outbox.subscribe("sla.breached", on_sla_breached)
    # Recorded by the automation rules' "notify" action.
    outbox.subscribe("automation.notify", on_automation_notify)
