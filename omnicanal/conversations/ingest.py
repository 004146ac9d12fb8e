"""ingest(): the single entrance for whatever a customer sends, on every channel."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from omnicanal.connectors.base import InboundMessage
from omnicanal.contacts.actions import resolve_contact
from omnicanal.contacts.models import Contact
from omnicanal.conversations.events import record_event
from omnicanal.conversations.exceptions import InvalidInput
from omnicanal.conversations.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Status,
)

logger = logging.getLogger(__name__)

# A channel may find the conversation itself (e-mail headers); None falls back to the default.
ThreadingRule = Callable[[Inbox, Contact, InboundMessage], Conversation | None]

ACTIVE_STATUSES = (Status.OPEN, Status.PENDING, Status.SNOOZED)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class IngestResult:
    message_id: int
    conversation_id: int
    contact_id: int
    is_duplicate: bool


def ingest(
    inbox: Inbox, inbound: InboundMessage, *, threading: ThreadingRule | None = None
) -> IngestResult:
    """Store one inbound message exactly once, on the right contact and conversation.

    Idempotent on (inbox, external id) through a unique constraint, not a prior read: of
    concurrent deliveries, one commits and the others roll back whole (no orphan contact or
    conversation) and return the stored ids. Returns only after commit.
    """
    _validate(inbound)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                return _store(inbox, inbound, threading)
        except IntegrityError:
            stored = _stored_message(inbox, inbound.external_id)
            if stored is not None:
                return stored
            # Another transaction claimed one of the sender's verified identities first:
            # the retry finds that contact.
            if attempt == MAX_ATTEMPTS - 1:
                raise
            logger.info("ingest retry after identity race on %s", inbound.external_id)
    raise AssertionError("unreachable")


def _validate(inbound: InboundMessage) -> None:
    if not inbound.external_id:
        raise InvalidInput("The message has no external id.")
    if len(inbound.external_id) > 255:
        raise InvalidInput("The external id is longer than 255 characters.")
    limit = settings.MESSAGE_TEXT_MAX_LENGTH
    if len(inbound.text) > limit:
        raise InvalidInput(f"The text is longer than {limit} characters.")


def _stored_message(inbox: Inbox, external_id: str) -> IngestResult | None:
    row = (
        Message.objects.filter(inbox=inbox, external_id=external_id)
        .values_list("pk", "conversation_id", "conversation__contact_id")
        .first()
    )
    if row is None:
        return None
    return IngestResult(row[0], row[1], row[2], is_duplicate=True)


def _store(inbox: Inbox, inbound: InboundMessage, threading: ThreadingRule | None) -> IngestResult:
    # A cheap read first: provider retries are common, and this spares them a contact lookup.
    # Correctness still rests on the unique constraint when two deliveries race past it.
    stored = _stored_message(inbox, inbound.external_id)
    if stored is not None:
        return stored
    contact = resolve_contact(inbound.sender)
    now = timezone.now()
    conversation = threading(inbox, contact, inbound) if threading else None
    if conversation is None:
        conversation = _default_conversation(inbox, contact, now)
    is_new = conversation.pk is None
    _apply_customer_activity(conversation, inbound, now)
    if is_new:
        conversation.subject = (inbound.thread.subject or _first_line(inbound.text))[:300]
        conversation.save()
        record_event("conversation.created", conversation)
    else:
        conversation.save(
            update_fields=["status", "last_activity_at", "waiting_since", "snoozed_until",
                           "resolved_at"]
        )
    message = Message.objects.create(
        conversation=conversation,
        inbox=inbox,
        direction=Direction.INCOMING,
        text=inbound.text,
        html=sanitize_html(inbound.html) if inbound.html else "",
        external_id=inbound.external_id,
        delivery_status=DeliveryStatus.RECEIVED,
        is_unsupported=inbound.kind == "unsupported",
        is_auto_reply=inbound.is_auto_reply,
        metadata=_metadata(inbound),
        sent_at=inbound.sent_at or now,
    )
    _store_attachments(message, inbound)
    record_event("message.created", conversation, message_id=message.pk, direction="incoming")
    return IngestResult(message.pk, conversation.pk, contact.pk, is_duplicate=False)


def _default_conversation(inbox: Inbox, contact: Contact, now: dt.datetime) -> Conversation:
    """The contact's open conversation in this inbox, a recent resolved one, or a new one."""
    # Locking the contact serialises its concurrent first messages (PostgreSQL), so that two
    # of them cannot each open a conversation.
    Contact.objects.select_for_update().filter(pk=contact.pk).first()
    latest = (
        Conversation.objects.select_for_update()
        .filter(inbox=inbox, contact=contact)
        .order_by("-last_activity_at", "-id")
        .first()
    )
    if latest is not None and latest.status in ACTIVE_STATUSES:
        return latest
    window = dt.timedelta(seconds=settings.REOPEN_WINDOW_SECONDS)
    if latest is not None and latest.resolved_at and now - latest.resolved_at <= window:
        return latest
    return Conversation(inbox=inbox, contact=contact, previous=latest, last_activity_at=now)


def _apply_customer_activity(
    conversation: Conversation, inbound: InboundMessage, now: dt.datetime
) -> None:
    conversation.last_activity_at = now
    if inbound.is_auto_reply:
        # A vacation notice neither reopens a conversation nor makes the team owe an answer.
        return
    if conversation.status != Status.OPEN:
        conversation.status = Status.OPEN
        conversation.snoozed_until = None
        conversation.resolved_at = None
    if conversation.waiting_since is None:
        conversation.waiting_since = now


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:120]


def _metadata(inbound: InboundMessage) -> dict[str, object]:
    metadata: dict[str, object] = {}
    if inbound.thread.subject:
        metadata["subject"] = inbound.thread.subject
    if inbound.thread.in_reply_to:
        metadata["in_reply_to"] = inbound.thread.in_reply_to
    if inbound.thread.references:
        metadata["references"] = list(inbound.thread.references)
    if inbound.thread.reply_to_external_id:
        metadata["reply_to"] = inbound.thread.reply_to_external_id
    if inbound.kind != "message":
        metadata["kind"] = inbound.kind
    if inbound.kind == "unsupported" and inbound.raw:
        metadata["raw"] = dict(inbound.raw)
    return metadata


def _store_attachments(message: Message, inbound: InboundMessage) -> None:
    from django.core.files.base import ContentFile

    for part in inbound.attachments:
        attachment = Attachment(
            message=message,
            remote_ref=part.url_or_id,
            filename=part.filename,
            content_type=part.mime_type,
            content_id=part.content_id,
        )
        if part.content is not None:
            attachment.size = len(part.content)
            attachment.file.save(part.filename or "attachment", ContentFile(part.content),
                                 save=False)
        attachment.save()


def sanitize_html(html: str) -> str:
    """Customer HTML is kept only after nh3 strips scripts, handlers and unsafe URLs."""
    return nh3.clean(html, url_schemes={"http", "https", "mailto", "cid", "tel"})
