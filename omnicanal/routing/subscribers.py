"""Routing reacts to what happens to conversations: it is told through the outbox
(subscribed in `RoutingConfig.ready`), never called by the conversations app, which sits
below it. Each handler runs once per event, right after the event's transaction commits.

- a customer waits for an answer (an arrival, a split): the conversation joins the queue;
- someone chose who holds it, or the reply of an agent took it: the agents' load follows
  `Conversation.assignee`, the one truth for who holds a conversation;
- it was resolved: it frees its agent's slot or leaves the queue; reopened: it queues again;
- its priority or team changed: it moves to the right queue, keeping its place in line.
"""

from __future__ import annotations

from django.db import transaction

from omnicanal.conversations import outbox
from omnicanal.conversations.models import Conversation, OutboxEvent, Status
from omnicanal.routing import actions
from omnicanal.routing.models import ConversationRouting


def _conversation(event: OutboxEvent) -> Conversation | None:
    if event.conversation_id is None:
        return None
    return (
        Conversation.objects.select_related("inbox", "contact", "assignee")
        .filter(pk=event.conversation_id)
        .first()
    )


def follow_assignee(conversation: Conversation) -> bool:
    """Count the conversation against the agent who holds it (`Conversation.assignee`), and
    against nobody else; True if routing's bookkeeping had to change. A conversation routing
    never queued, or one it saw resolved, is not counted."""
    with transaction.atomic():
        routing = (
            ConversationRouting.objects.select_for_update().filter(pk=conversation.pk).first()
        )
        if routing is None or routing.resolved_at is not None:
            return False
        if routing.agent_id == conversation.assignee_id:
            return False
        actions.assign_manually(conversation.pk, conversation.assignee)
    return True


def on_customer_waiting(event: OutboxEvent) -> None:
    """`message.created` (an incoming message) or `conversation.created` (a split) whose
    writer says a customer now waits for a person."""
    if not event.payload.get("awaits_agent"):
        return
    conversation = _conversation(event)
    if conversation is None or conversation.status == Status.RESOLVED:
        return
    if conversation.with_bot:
        return  # the assistant's bot answers first; its handover queues it
    actions.route_conversation(conversation)


def on_handed_over(event: OutboxEvent) -> None:
    """`conversation.handed_over`: the bot gave the conversation to the team, which now
    owes the customer an answer: queued (or assigned) like a new arrival."""
    on_customer_waiting(event)


def on_reply(event: OutboxEvent) -> None:
    """An agent's reply took an unassigned conversation."""
    if not event.payload.get("took_assignment"):
        return
    conversation = _conversation(event)
    if conversation is not None:
        follow_assignee(conversation)


def on_assigned(event: OutboxEvent) -> None:
    """A person or a rule chose the agent or the team (assign, unassign, transfer)."""
    if event.payload.get("assigned_by") == "routing":
        return  # the dispatcher's own assignment, counted when it was made
    conversation = _conversation(event)
    if conversation is None:
        return
    follow_assignee(conversation)
    if "team" in event.payload.get("changed", ["team"]):
        actions.follow_conversation(conversation)


def on_status_changed(event: OutboxEvent) -> None:
    status = event.payload.get("status")
    if status == Status.RESOLVED:
        if event.conversation_id is not None:
            actions.release(event.conversation_id)
        return
    if event.payload.get("reopened"):
        conversation = _conversation(event)
        if conversation is not None and conversation.status != Status.RESOLVED:
            actions.route_conversation(conversation)


def on_updated(event: OutboxEvent) -> None:
    if event.payload.get("change") != "priority":
        return
    conversation = _conversation(event)
    if conversation is not None:
        actions.follow_conversation(conversation)


def on_message_created(event: OutboxEvent) -> None:
    on_customer_waiting(event)
    on_reply(event)


def subscribe_all() -> None:
    # Before SLA clocks and rules (RoutingConfig.ready): a rule that runs on arrival finds the
    # conversation queued. One that assigns it wins over the dispatcher all the same: the
    # dispatcher only takes an unassigned conversation (`assign_from_routing`).
    outbox.subscribe("message.created", on_message_created)
    outbox.subscribe("conversation.created", on_customer_waiting)
    outbox.subscribe("conversation.handed_over", on_handed_over)
    outbox.subscribe("conversation.assigned", on_assigned)
    outbox.subscribe("conversation.status_changed", on_status_changed)
    outbox.subscribe("conversation.updated", on_updated)
