"""Surveys react to conversations through the outbox (subscribed in `SurveysConfig.ready`):
a resolution schedules the surveys its policies ask for (and sends at once those due now,
while the conversation is fresh in the customer's mind); a customer message on a
conversation whose survey waits for its answer is that answer."""

from __future__ import annotations

from omnicanal.conversations import outbox
from omnicanal.conversations.models import Conversation, Direction, OutboxEvent, Status
from omnicanal.surveys import actions
from omnicanal.surveys.models import RequestStatus


def on_status_changed(event: OutboxEvent) -> None:
    if event.conversation_id is None:
        return
    status = (
        Conversation.objects.filter(pk=event.conversation_id)
        .values_list("status", flat=True).first()
    )
    if status != Status.RESOLVED:
        return
    for request in actions.schedule_on_resolution(event.conversation_id):
        if request.status == RequestStatus.SCHEDULED:
            # Database work only: the send itself is the send task's, enqueued by the
            # handling of the message's own event.
            actions.send_request(request.pk)


def on_message_created(event: OutboxEvent) -> None:
    if event.payload.get("direction") != Direction.INCOMING:
        return
    message_id = event.payload.get("message_id")
    if not isinstance(message_id, int):
        return
    actions.record_reply(message_id, claimed=event.payload.get("claimed_by") == "survey")


def subscribe_all() -> None:
    outbox.subscribe("conversation.status_changed", on_status_changed)
    outbox.subscribe("message.created", on_message_created)
