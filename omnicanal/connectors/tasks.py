"""Sending runs in the worker: retried with back-off, then shown to the agent as failed.

The guarantee: every outgoing message reaches its provider at least once, or is shown as
failed; where the provider takes an idempotency key (our API channel's webhook carries
`Idempotency-Key: omnicanal-message-<id>`, e-mail a Message-ID fixed per message) a
repeat is the same message, so the receiver can drop it. How:
- the send is enqueued by the handling of the message's `message.created` event
  (`enqueue_send`), in the transaction that marks the event processed: an enqueue lost to
  a crash is an event still pending, which the periodic catch-up dispatches;
- `send_message` claims the message (a conditional UPDATE with an expiry) before it calls
  the provider, so a second task for the same message does nothing, and records the
  provider's id when it returns;
- `sweep_stalled_sends` (periodic) enqueues again the pending sends that nobody holds
  and that are overdue: a worker killed mid-send, whose claim has expired, is taken over.
  A scheduled retry is not overdue until its time (plus the same margin) has passed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from omnicanal.connectors.base import OutboundMessage, OutgoingAttachment, SendError
from omnicanal.connectors.media_links import public_link
from omnicanal.connectors.registry import adapter_for
from omnicanal.connectors.survey_choices import with_survey_choices
from omnicanal.conversations.actions import (
    claim_send,
    mark_sent,
    record_send_failure,
    take_over_stalled_sends,
)
from omnicanal.conversations.models import DeliveryStatus, Direction, Message, OutboxEvent
from omnicanal.conversations.tools import RECIPIENT_KEY
from omnicanal.core.tasks import close_abandoned, running_since_before

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
        # With the agent's signature, as the timeline shows it.
        text=message.sent_text,
        html=message.sent_html,
        subject=conversation.subject,
        reply_to_external_id=(last_incoming.external_id or "") if last_incoming else "",
        sender_name=message.author.display_name if message.author else "",
        attachments=outgoing_attachments(message),
    )
    # A survey's choices, for the channels that show them as buttons or a list.
    outbound = with_survey_choices(message, outbound)
    # The message's own inbox: an agent may reply through another of ours (another channel).
    outbound = adapter_for(message.inbox.channel).prepare_outbound(message, outbound)
    chosen = (message.metadata or {}).get(RECIPIENT_KEY)
    if isinstance(chosen, str) and chosen:
        # The address the agent picked with the channel, rather than the first one found.
        outbound = replace(outbound, recipient=chosen)
    return outbound


def outgoing_attachments(message: Message) -> tuple[OutgoingAttachment, ...]:
    """The reply's stored files, with their bytes (for providers that take an upload) and a
    signed link (for those that fetch it)."""
    files = []
    for attachment in message.attachments.exclude(file="").order_by("id"):
        try:
            with attachment.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError as exc:
            raise SendError(
                f"The file {attachment.filename!r} is missing from storage.", is_permanent=True
            ) from exc
        files.append(OutgoingAttachment(
            filename=attachment.filename or "attachment",
            content_type=attachment.content_type or "application/octet-stream",
            content=content,
            url=public_link(attachment),
        ))
    return tuple(files)


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
    if not claim_send(message.pk):
        # Another task holds it (a duplicate enqueue, or the sweep's take-over racing the
        # original), or it was sent or failed in between: that task reports.
        message.refresh_from_db(fields=["delivery_status"])
        if message.delivery_status != DeliveryStatus.PENDING:
            return "already " + message.delivery_status
        return "claimed elsewhere"
    inbox = message.inbox
    if not inbox.is_active:
        # An administrator disabled the inbox: nothing leaves through it (and a reply
        # queued before that is not sent later by surprise when it is enabled again).
        record_send_failure(message.pk, "This inbox is disabled: nothing is sent through it.",
                            is_final=True)
        return "failed"
    try:
        adapter = adapter_for(inbox.channel)
        provider_id = adapter.send(
            build_outbound(message), {**inbox.settings, "secret": inbox.secret}
        )
    except (SendError, LookupError) as exc:
        is_permanent = not isinstance(exc, SendError) or exc.is_permanent
        is_final = is_permanent or message.send_attempts + 1 >= settings.SEND_MAX_ATTEMPTS
        if is_final:
            record_send_failure(message.pk, str(exc), is_final=True)
            logger.warning("message %s failed for good: %s", message.pk, exc)
            return "failed"
        delay = retry_delay(message.send_attempts + 1)
        retry_at = timezone.now() + delay
        with transaction.atomic():
            # Together: a retry recorded is a retry enqueued (or, should this process die
            # first, neither, and the sweep takes the send over).
            record_send_failure(message.pk, str(exc), is_final=False, retry_at=retry_at)
            send_message.using(run_after=retry_at).enqueue(message.pk)
        logger.info("message %s will be retried in %s: %s", message.pk, delay, exc)
        return "retrying"
    mark_sent(message.pk, provider_id)
    return "sent"


def enqueue_send(event: OutboxEvent) -> None:
    """`message.created` handler: an outgoing message still to send gets its send task. It
    runs in the transaction that marks the event processed, and the database task queue
    writes its row in it too: the enqueue commits with the event, or neither does. (With
    another task backend, a dispatch rolled back after enqueueing is dispatched again and
    enqueues a second task; the claim keeps that second one from sending.)"""
    if event.payload.get("direction") != Direction.OUTGOING:
        return
    message_id = event.payload.get("message_id")
    # Echoes of what the business sent from elsewhere are stored as sent: nothing to do.
    if Message.objects.filter(
        pk=message_id, direction=Direction.OUTGOING, delivery_status=DeliveryStatus.PENDING
    ).exists():
        send_message.enqueue(message_id)


@task()
def sweep_stalled_sends() -> int:
    """Periodic: enqueue again the sends pending past their due time with no live claim (a
    lost enqueue, a worker killed mid-send); returns how many. A duplicate task is harmless:
    the claim lets one of them send."""
    with transaction.atomic():
        message_ids = take_over_stalled_sends()
        for message_id in message_ids:
            send_message.enqueue(message_id)
        if message_ids:
            _close_abandoned_task_rows(message_ids)
    if message_ids:
        logger.warning("took over %s stalled send(s): %s", len(message_ids), message_ids)
    return len(message_ids)


def _close_abandoned_task_rows(message_ids: list[int]) -> None:
    """The queue rows of the sends just taken over: only rows started longer ago than a claim
    lasts, whose claim has expired with their worker."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.SEND_CLAIM_SECONDS)
    close_abandoned(
        running_since_before(cutoff).filter(
            task_path=send_message.module_path, args_kwargs__args__0__in=message_ids
        ),
        "Its worker stopped mid-send; the sweep enqueued the send again.",
    )
