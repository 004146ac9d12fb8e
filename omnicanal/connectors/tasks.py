"""Sending runs in the worker: retried with back-off, then shown to the agent as failed."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from omnicanal.connectors.base import OutboundMessage, SendError
from omnicanal.connectors.registry import adapter_for
from omnicanal.conversations.actions import mark_sent, record_send_failure
from omnicanal.conversations.models import DeliveryStatus, Direction, Message
from omnicanal.conversations.tools import RECIPIENT_KEY

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min… capped at an hour."""
    return dt.timedelta(seconds=min(settings.SEND_RETRY_BASE_SECONDS * 2 ** (attempt - 1), 3600))


def build_outbound(message: Message) -> OutboundMessage:
    """The reply as the channel's adapter will send it: addressed, threaded, with what its
    rules need (each adapter's `prepare_outbound`), or to the address the agent chose."""
    conversation = message.conversation
    last_incoming = (
        conversation.messages.filter(direction=Direction.INCOMING)
        .exclude(external_id=None)
        .order_by("-created_at", "-id")
        .first()
    )
    outbound = OutboundMessage(
        message_id=message.pk,
        conversation_id=conversation.pk,
        recipient="",
        text=message.text,
        html=message.html,
        subject=conversation.subject,
        reply_to_external_id=(last_incoming.external_id or "") if last_incoming else "",
        sender_name=message.author.display_name if message.author else "",
    )
    # The message's own inbox: an agent may reply through another of ours (another channel).
    outbound = adapter_for(message.inbox.channel).prepare_outbound(message, outbound)
    chosen = (message.metadata or {}).get(RECIPIENT_KEY)
    if isinstance(chosen, str) and chosen:
        # The address the agent picked with the channel, rather than the first one found.
        outbound = replace(outbound, recipient=chosen)
    return outbound


@task()
def send_message(message_id: int) -> str:
    """Deliver one outgoing message. A deleted message or one already sent is left alone."""
    message = (
        Message.objects.select_related(
            "inbox", "conversation__inbox", "conversation__contact", "author"
        )
        .filter(pk=message_id, direction=Direction.OUTGOING)
        .first()
    )
    if message is None:
        return "gone"
    if message.delivery_status != DeliveryStatus.PENDING:
        return "already " + message.delivery_status
    inbox = message.inbox
    try:
        adapter = adapter_for(inbox.channel)
        provider_id = adapter.send(
            build_outbound(message), {**inbox.settings, "secret": inbox.secret}
        )
    except (SendError, LookupError) as exc:
        is_permanent = not isinstance(exc, SendError) or exc.is_permanent
        is_final = is_permanent or message.send_attempts + 1 >= settings.SEND_MAX_ATTEMPTS
        record_send_failure(message.pk, str(exc), is_final=is_final)
        if is_final:
            logger.warning("message %s failed for good: %s", message.pk, exc)
            return "failed"
        delay = retry_delay(message.send_attempts + 1)
        send_message.using(run_after=timezone.now() + delay).enqueue(message.pk)
        logger.info("message %s will be retried in %s: %s", message.pk, delay, exc)
        return "retrying"
    mark_sent(message.pk, provider_id)
    return "sent"
