"""A reply the visitor did not see goes by e-mail, on the same conversation.

"Gone" is measured where it matters, on the reply itself: the widget acknowledges every
agent message it shows (delivered, or read when the panel is open), over the socket or the
polling endpoint, and again with each ping. A reply still unacknowledged `away_after_seconds`
(inbox setting, default 120 s) after it was pushed means no widget of the customer was open:
it is then mailed, if the customer left an address, through the e-mail inbox named by the
web chat inbox's `email_inbox_id` (its SMTP settings and From address, so the customer's
answer arrives in that mailbox and `mail.receive_webchat_reply` threads it back here).
The check is a database read, so it holds when the widget's socket and this worker are in
different processes without a shared cache.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from django.utils import timezone
from django_tasks import task

from omnicanal.connectors.base import IdentityKind, SendError
from omnicanal.connectors.registry import adapter_for
from omnicanal.connectors.webchat.actions import is_seen, record_email_copy
from omnicanal.connectors.webchat.config import WebchatSettings
from omnicanal.conversations.models import DeliveryStatus, Direction, Inbox, Message

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 4
PENDING_RECHECK_SECONDS = 5


def email_thread_ids(message: Message) -> list[str]:
    """The Message-IDs of the conversation so far: our mailed replies and the customer's
    mail answers (the chat lines themselves have none)."""
    ids = []
    earlier = message.conversation.messages.filter(
        direction__in=[Direction.INCOMING, Direction.OUTGOING], pk__lt=message.pk
    ).order_by("created_at", "id")
    for other in earlier:
        if other.direction == Direction.OUTGOING:
            mailed = (other.metadata.get("email") or {}).get("message_id", "")
            if mailed:
                ids.append(str(mailed))
        elif (other.external_id or "").startswith("<"):
            ids.append(str(other.external_id))
    return ids


@task()
def email_unseen_reply(message_id: int, attempt: int = 1) -> str:
    from omnicanal.connectors.tasks import build_outbound

    message = (
        Message.objects.select_related("conversation__inbox", "conversation__contact", "author")
        .filter(pk=message_id, direction=Direction.OUTGOING)
        .first()
    )
    if message is None:
        return "gone"
    if is_seen(message):
        return "seen in the widget"
    if message.metadata.get("email"):
        return "already mailed"
    if message.delivery_status == DeliveryStatus.FAILED:
        return "failed"
    if message.delivery_status == DeliveryStatus.PENDING and attempt < MAX_EMAIL_ATTEMPTS:
        # The send task that enqueued this has not recorded its result yet.
        email_unseen_reply.using(
            run_after=timezone.now() + dt.timedelta(seconds=PENDING_RECHECK_SECONDS)
        ).enqueue(message_id, attempt + 1)
        return "waiting for the send to be recorded"
    config = WebchatSettings.parse(message.conversation.inbox.settings)
    email_inbox = Inbox.objects.filter(pk=config.email_inbox_id or 0, is_active=True).first()
    mailer = adapter_for(email_inbox.channel) if email_inbox is not None else None
    if email_inbox is None or mailer is None or IdentityKind.EMAIL not in mailer.recipient_kinds:
        return "no e-mail inbox configured"
    # The e-mail adapter addresses it (the visitor's address), threads it and adds the files.
    outbound = mailer.prepare_outbound(message, build_outbound(message))
    if not outbound.recipient:
        return "the visitor left no e-mail address"
    ids = email_thread_ids(message)
    outbound = replace(
        outbound, in_reply_to=ids[-1] if ids else "", references=tuple(ids[-20:])
    )
    try:
        email_id = mailer.send(outbound, email_inbox.settings)
    except SendError as exc:
        if exc.is_permanent or attempt >= MAX_EMAIL_ATTEMPTS:
            logger.warning("web chat reply %s could not be mailed: %s", message_id, exc)
            return "mail failed"
        email_unseen_reply.using(
            run_after=timezone.now() + dt.timedelta(seconds=30 * 2 ** (attempt - 1))
        ).enqueue(message_id, attempt + 1)
        return "mail retrying"
    record_email_copy(message.pk, email_id, outbound.recipient)
    return "mailed"
