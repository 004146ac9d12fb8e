"""Every change an agent makes to a conversation: one function each, called by every edge."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.conversations.events import record_event
from omnicanal.conversations.exceptions import InvalidInput, NotFound, PermissionDenied
from omnicanal.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    Status,
)


def visible_conversations(user: User) -> QuerySet[Conversation]:
    """What this user may see. Every active agent sees every inbox for now, as in Zendesk's
    default; per-inbox membership narrows it when inbox permissions arrive."""
    if not user.is_active:
        return Conversation.objects.none()
    return Conversation.objects.all()


def access_conversation(user: User, conversation_id: int, *, lock: bool = False) -> Conversation:
    queryset = visible_conversations(user).select_related("inbox", "contact", "assignee", "team")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    conversation = queryset.filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(f"No conversation {conversation_id}.")
    return conversation


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("The message is empty.")
    if len(text) > settings.MESSAGE_TEXT_MAX_LENGTH:
        limit = settings.MESSAGE_TEXT_MAX_LENGTH
        raise InvalidInput(f"The text is longer than {limit} characters.")
    return text


def reply(user: User, conversation_id: int, text: str) -> Message:
    """An agent's answer to the customer, sent on the conversation's channel by a task."""
    from omnicanal.connectors.tasks import send_message

    text = _check_text(text)
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        now = timezone.now()
        message = Message.objects.create(
            conversation=conversation,
            inbox=conversation.inbox,
            direction=Direction.OUTGOING,
            author=user,
            text=text,
            delivery_status=DeliveryStatus.PENDING,
            sent_at=now,
        )
        conversation.last_activity_at = now
        conversation.waiting_since = None
        update_fields = ["last_activity_at", "waiting_since"]
        if conversation.assignee_id is None:
            # Whoever answers an unassigned conversation takes it, as agents expect.
            conversation.assignee = user
            update_fields.append("assignee")
        conversation.save(update_fields=update_fields)
        record_event("message.created", conversation, message_id=message.pk, direction="outgoing")
        transaction.on_commit(lambda: send_message.enqueue(message.pk))
    return message


def add_note(user: User, conversation_id: int, text: str) -> Message:
    """An internal note: seen by agents only, never sent."""
    text = _check_text(text)
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        message = Message.objects.create(
            conversation=conversation,
            inbox=conversation.inbox,
            direction=Direction.NOTE,
            author=user,
            text=text,
            delivery_status=DeliveryStatus.SENT,
        )
        record_event("message.created", conversation, message_id=message.pk, direction="note")
    return message


def _activity(
    conversation: Conversation, user: User | None, activity: str, value: str = ""
) -> None:
    """A line in the timeline ("Alice assigned Bob"); templates translate it from metadata."""
    Message.objects.create(
        conversation=conversation,
        inbox=conversation.inbox,
        direction=Direction.ACTIVITY,
        author=user,
        text=f"{activity} {value}".strip(),
        metadata={"activity": activity, "value": value},
        delivery_status=DeliveryStatus.SENT,
    )


def assign(
    user: User,
    conversation_id: int,
    *,
    assignee_id: int | None = None,
    team_id: int | None = None,
) -> Conversation:
    """Give the conversation to an agent and/or a team."""
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        assignee = None
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None:
                raise NotFound(f"No active agent {assignee_id}.")
            # Agents pass on what is theirs or unassigned; taking a colleague's work is a
            # supervisor's call.
            is_someone_elses = conversation.assignee_id not in (None, user.pk)
            if is_someone_elses and not user.is_supervisor_or_above:
                raise PermissionDenied("Only a supervisor can reassign a colleague's conversation.")
        team = None
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise NotFound(f"No team {team_id}.")
        changed = []
        if assignee_id is not None and conversation.assignee_id != assignee_id:
            conversation.assignee = assignee
            changed.append("assignee")
            _activity(conversation, user, "assigned", assignee.display_name if assignee else "")
        if team_id is not None and conversation.team_id != team_id:
            conversation.team = team
            changed.append("team")
            _activity(conversation, user, "team", team.name if team else "")
        if changed:
            conversation.save(update_fields=changed)
            record_event("conversation.assigned", conversation)
    return conversation


def unassign(user: User, conversation_id: int) -> Conversation:
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        if conversation.assignee_id not in (None, user.pk) and not user.is_supervisor_or_above:
            raise PermissionDenied("Only a supervisor can unassign someone else.")
        if conversation.assignee_id is not None:
            conversation.assignee = None
            conversation.save(update_fields=["assignee"])
            _activity(conversation, user, "unassigned")
            record_event("conversation.assigned", conversation)
    return conversation


def set_status(
    user: User, conversation_id: int, status: Status, *, snoozed_until: dt.datetime | None = None
) -> Conversation:
    """Resolve, reopen, set pending or snooze."""
    if status == Status.SNOOZED and snoozed_until is None:
        raise InvalidInput("Snoozing needs a time to wake up.")
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        if conversation.status == status:
            return conversation
        conversation.status = status
        conversation.resolved_at = timezone.now() if status == Status.RESOLVED else None
        conversation.snoozed_until = snoozed_until if status == Status.SNOOZED else None
        if status == Status.RESOLVED:
            conversation.waiting_since = None
        conversation.save(update_fields=["status", "resolved_at", "snoozed_until", "waiting_since"])
        _activity(conversation, user, "status", str(status))
        record_event("conversation.status_changed", conversation)
    return conversation


# Delivery: what happens to a message we send, whoever reports it (send task, provider status).

_STATUS_ORDER = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
}


def mark_sent(message_id: int, provider_message_id: str) -> None:
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("conversation").get(
            pk=message_id
        )
        message.provider_message_id = provider_message_id
        message.send_attempts += 1
        message.failure_reason = ""
        fields = ["provider_message_id", "send_attempts", "failure_reason"]
        # A fast provider may report "delivered" before our own "sent" bookkeeping lands.
        if _STATUS_ORDER.get(DeliveryStatus(message.delivery_status), -1) < 1:
            message.delivery_status = DeliveryStatus.SENT
            fields.append("delivery_status")
        message.save(update_fields=fields)
        record_event(
            "message.status_changed", message.conversation, message_id=message.pk,
            delivery_status=message.delivery_status,
        )


def record_send_failure(message_id: int, reason: str, *, is_final: bool) -> Message:
    """Count a failed attempt; a final one marks the message failed for the agent to see."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("conversation").get(
            pk=message_id
        )
        message.send_attempts += 1
        message.failure_reason = reason[:2000]
        fields = ["send_attempts", "failure_reason"]
        if is_final:
            message.delivery_status = DeliveryStatus.FAILED
            fields.append("delivery_status")
        message.save(update_fields=fields)
        record_event(
            "message.status_changed", message.conversation, message_id=message.pk,
            delivery_status=message.delivery_status, failure_reason=message.failure_reason,
        )
    return message


def apply_delivery_update(
    inbox_id: int, provider_message_id: str, status: DeliveryStatus, error: str = ""
) -> Message | None:
    """A provider's status callback. Statuses only move forward (read never becomes
    delivered when callbacks arrive out of order); a failure always shows."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("conversation")
            .filter(inbox_id=inbox_id, provider_message_id=provider_message_id)
            .first()
        )
        if message is None:
            return None
        current = DeliveryStatus(message.delivery_status)
        if status == DeliveryStatus.FAILED:
            message.delivery_status = status
            message.failure_reason = error[:2000]
        elif _STATUS_ORDER.get(status, -1) > _STATUS_ORDER.get(current, -1):
            message.delivery_status = status
        else:
            return message
        message.save(update_fields=["delivery_status", "failure_reason"])
        record_event(
            "message.status_changed", message.conversation, message_id=message.pk,
            delivery_status=message.delivery_status, failure_reason=message.failure_reason,
        )
    return message
