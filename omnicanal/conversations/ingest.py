"""ingest(): the single entrance for whatever a customer sends, on every channel."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.contacts.actions import resolve_contact
from omnicanal.contacts.models import Contact
from omnicanal.contacts.senders import Sender
from omnicanal.conversations import reply_claims
from omnicanal.conversations.events import record_event
from omnicanal.conversations.inbound import InboundAttachment, InboundMessage, ThreadHints
from omnicanal.conversations.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Status,
)
from omnicanal.core.dates import describe_claim, is_credible, storable_time
from omnicanal.core.exceptions import InvalidInput
from omnicanal.core.text import clean_data, clean_text, has_poison, poisoned_paths

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
    conversation) and return the stored ids. Returns only after commit. Text is normalised
    first (`normalised`): no channel can store a NUL or an unpaired surrogate.
    """
    inbound = normalised(inbound)
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


def normalised(inbound: InboundMessage) -> InboundMessage:
    """The message with NUL characters and lone surrogates removed from every text it
    carries (core.text): a customer's content is stored minus what the databases cannot
    hold, never refused for it. `raw["text_repaired"]` says that it was."""
    texts = [
        inbound.external_id, inbound.text, inbound.html, inbound.sender.name,
        inbound.thread.in_reply_to, inbound.thread.subject,
        inbound.thread.reply_to_external_id, *inbound.thread.references,
        *(identity.value for identity in inbound.sender.identities),
        *(value for a in inbound.attachments
          for value in (a.url_or_id, a.mime_type, a.filename, a.content_id)),
    ]
    if not any(has_poison(text) for text in texts) and not poisoned_paths(dict(inbound.raw)):
        return inbound
    sender = Sender(
        identities=tuple(
            replace(identity, value=clean_text(identity.value))
            for identity in inbound.sender.identities
        ),
        name=clean_text(inbound.sender.name),
    )
    thread = ThreadHints(
        in_reply_to=clean_text(inbound.thread.in_reply_to),
        references=tuple(clean_text(ref) for ref in inbound.thread.references),
        subject=clean_text(inbound.thread.subject),
        reply_to_external_id=clean_text(inbound.thread.reply_to_external_id),
    )
    attachments = tuple(
        InboundAttachment(
            type=a.type,
            url_or_id=clean_text(a.url_or_id),
            mime_type=clean_text(a.mime_type),
            filename=clean_text(a.filename),
            content=a.content,
            content_id=clean_text(a.content_id),
        )
        for a in inbound.attachments
    )
    return replace(
        inbound,
        external_id=clean_text(inbound.external_id),
        text=clean_text(inbound.text),
        html=clean_text(inbound.html),
        sender=sender,
        thread=thread,
        attachments=attachments,
        raw={**clean_data(dict(inbound.raw)), "text_repaired": True},
    )


def _validate(inbound: InboundMessage) -> None:
    if not inbound.external_id:
        raise InvalidInput(_("The message has no external id."))
    if len(inbound.external_id) > 255:
        raise InvalidInput(_("The external id is longer than 255 characters."))
    limit = settings.MESSAGE_TEXT_MAX_LENGTH
    if len(inbound.text) > limit:
        raise InvalidInput(_("The text is longer than %(limit)s characters."), limit=limit)


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
        conversation = _default_conversation(inbox, contact, inbound, now)
    conversation = _follow_merges(conversation)
    is_new = conversation.pk is None
    claimed_by = (
        reply_claims.claimant(conversation, inbound)
        if not is_new and conversation.status == Status.RESOLVED else ""
    )
    # Neither an auto-reply nor an answer the product asked for makes the team owe one.
    awaits_agent = not inbound.is_auto_reply and not claimed_by
    _apply_customer_activity(conversation, inbound, now, reopens=awaits_agent)
    if is_new:
        conversation.subject = (inbound.thread.subject or _first_line(inbound.text))[:300]
        # The assistant's bot answers first where an administrator turned it on; routing
        # leaves the conversation alone until the bot hands over.
        conversation.with_bot = inbox.bot_enabled and not inbound.is_auto_reply
        conversation.save()
        # awaits_agent: routing queues it, before the rules that run on its creation.
        record_event("conversation.created", conversation,
                     awaits_agent=not inbound.is_auto_reply)
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
        metadata=_metadata(inbound, now),
        sent_at=storable_time(inbound.sent_at, now),
    )
    _store_attachments(message, inbound)
    # awaits_agent: routing queues the conversation for an agent.
    extra = {"claimed_by": claimed_by} if claimed_by else {}
    record_event("message.created", conversation, message_id=message.pk, direction="incoming",
                 awaits_agent=awaits_agent, **extra, **_media_to_fetch(inbound))
    return IngestResult(message.pk, conversation.pk, contact.pk, is_duplicate=False)


def _default_conversation(
    inbox: Inbox, contact: Contact, inbound: InboundMessage | None, now: dt.datetime
) -> Conversation:
    """The contact's open conversation in this inbox, a recent resolved one (or an older one
    whose survey this message answers), or a new one."""
    # Locking the contact serialises its concurrent first messages (PostgreSQL), so that two
    # of them cannot each open a conversation. No key is changed: FOR NO KEY UPDATE leaves
    # the rows that merely reference the contact or the conversation (messages, analytics
    # facts written by event handlers) free to be inserted meanwhile, which FOR UPDATE would
    # block, and deadlock with.
    Contact.objects.select_for_update(no_key=True).filter(pk=contact.pk).first()
    latest = (
        Conversation.objects.select_for_update(no_key=True)
        .filter(inbox=inbox, contact=contact)
        .order_by("-last_activity_at", "-id")
        .first()
    )
    if latest is not None and latest.status in ACTIVE_STATUSES:
        return latest
    bridged = _bridged_conversation(inbox, contact)
    if bridged is not None:
        return bridged
    window = dt.timedelta(seconds=settings.REOPEN_WINDOW_SECONDS)
    if latest is not None and latest.resolved_at and (
        now - latest.resolved_at <= window
        or (inbound is not None and reply_claims.claimant(latest, inbound))
    ):
        return latest
    return Conversation(inbox=inbox, contact=contact, previous=latest, last_activity_at=now)


def _bridged_conversation(inbox: Inbox, contact: Contact) -> Conversation | None:
    """The contact's open conversation on another channel where an agent wrote to them
    through this inbox (tools.reply_via: an SMS on an e-mail conversation): their answer
    continues it. Only asked when the inbox has no open conversation of the contact, and
    cheap then: a contact has few conversations, each read through the timeline index."""
    return (
        Conversation.objects.select_for_update(of=("self",))
        .filter(
            contact=contact,
            status__in=ACTIVE_STATUSES,
            messages__inbox=inbox,
            messages__direction=Direction.OUTGOING,
        )
        .exclude(inbox=inbox)
        .order_by("-last_activity_at", "-id")
        .first()
    )


def _follow_merges(conversation: Conversation) -> Conversation:
    """The conversation an agent merged this one into, if any (tools.merge_conversations):
    the customer's new message joins the thread the agents now answer."""
    seen = set()
    while conversation.merged_into_id is not None and conversation.pk not in seen:
        seen.add(conversation.pk)
        conversation = Conversation.objects.select_for_update().get(
            pk=conversation.merged_into_id
        )
    return conversation


def _apply_customer_activity(
    conversation: Conversation, inbound: InboundMessage, now: dt.datetime, *, reopens: bool
) -> None:
    conversation.last_activity_at = now
    if not reopens:
        # A vacation notice or a survey answer neither reopens a conversation nor makes the
        # team owe an answer.
        return
    if conversation.status != Status.OPEN:
        conversation.status = Status.OPEN
        conversation.snoozed_until = None
        conversation.resolved_at = None
    if conversation.waiting_since is None:
        conversation.waiting_since = now


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:120]


def _metadata(inbound: InboundMessage, now: dt.datetime) -> dict[str, object]:
    metadata: dict[str, object] = {}
    if inbound.sent_at is not None and not is_credible(inbound.sent_at, now):
        # Stored as the arrival time (core.dates); what the sender claimed stays visible.
        metadata["claimed_sent_at"] = describe_claim(inbound.sent_at)
    incomplete = inbound.raw.get("incomplete")
    if incomplete:
        # What a channel could not read or keep of the message (limits), shown to the agent.
        metadata["incomplete"] = list(incomplete)
    if inbound.raw.get("text_repaired"):
        # NUL characters or lone surrogates were removed from what the sender sent.
        metadata["text_repaired"] = True
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
    if inbound.choice_id:
        # Which button it was: whoever asked (a survey) knows the answer came by one.
        metadata["choice_id"] = inbound.choice_id
    if inbound.kind == "unsupported" and inbound.raw:
        metadata["raw"] = dict(inbound.raw)
    return metadata


def _media_to_fetch(inbound: InboundMessage) -> dict[str, bool]:
    """`remote_media` in the event when the provider only named some media: its fetch is
    that event's handling (connectors), as durable as the message."""
    if any(part.content is None and part.url_or_id for part in inbound.attachments):
        return {"remote_media": True}
    return {}


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


# --- what else a messaging webhook carries: echoes, edits, deletions, reactions ------------


@dataclass(frozen=True)
class EventResult:
    """What one parsed webhook event did. `message_id` is the message stored or changed."""

    message_id: int | None
    conversation_id: int | None
    is_duplicate: bool
    is_new_message: bool = False
    ignored_reason: str = ""


def ingest_event(inbox: Inbox, inbound: InboundMessage) -> EventResult:
    """Route one parsed event: a message to `ingest()`, an echo to `ingest_echo()`, an edit,
    deletion or reaction to `apply_message_change()`. Each commits on its own."""
    if inbound.kind in ("edit", "delete", "reaction"):
        return apply_message_change(inbox, inbound)
    if inbound.kind not in ("message", "unsupported"):
        return EventResult(None, None, is_duplicate=False, ignored_reason=f"a {inbound.kind}")
    if not inbound.external_id:
        # A Messenger postback or an unknown event has no id; a hash of it still makes the
        # provider's retry a duplicate, and the tap or the content is not lost.
        inbound = replace(inbound, external_id=_content_key(inbound.kind, inbound))
    result = ingest_echo(inbox, inbound) if inbound.is_outgoing_echo else ingest(inbox, inbound)
    return EventResult(
        result.message_id,
        result.conversation_id,
        is_duplicate=result.is_duplicate,
        is_new_message=not result.is_duplicate,
    )


def _content_key(prefix: str, inbound: InboundMessage) -> str:
    """A stable id for an event the provider gave none: its retry hashes the same."""
    canonical = json.dumps(
        {
            "kind": inbound.kind,
            "target": inbound.thread.reply_to_external_id,
            "sender": [i.value for i in inbound.sender.identities],
            "text": inbound.text,
            "at": inbound.sent_at.isoformat() if inbound.sent_at else "",
            "raw": inbound.raw,
        },
        sort_keys=True,
        default=str,
    )
    return f"{prefix}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"


def ingest_echo(inbox: Inbox, inbound: InboundMessage) -> IngestResult:
    """A message the business sent from another tool (WhatsApp Business app, the Facebook
    Page inbox): stored once as outgoing, on the customer's conversation.

    `inbound.sender` is the customer it went to. An echo of a reply we sent ourselves
    carries the id our send returned, so it is recognised as ours and not stored twice.
    """
    inbound = normalised(inbound)
    _validate(inbound)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                return _store_echo(inbox, inbound)
        except IntegrityError:
            stored = _stored_message(inbox, inbound.external_id)
            if stored is not None:
                return stored
            if attempt == MAX_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _store_echo(inbox: Inbox, inbound: InboundMessage) -> IngestResult:
    stored = _stored_message(inbox, inbound.external_id)
    if stored is not None:
        return stored
    ours = (
        Message.objects.filter(inbox=inbox, provider_message_id=inbound.external_id)
        .values_list("pk", "conversation_id", "conversation__contact_id")
        .first()
    )
    if ours is not None:
        return IngestResult(ours[0], ours[1], ours[2], is_duplicate=True)
    contact = resolve_contact(inbound.sender)
    now = timezone.now()
    # The business's own message answers no survey: no claim is asked (None).
    conversation = _default_conversation(inbox, contact, None, now)
    is_new = conversation.pk is None
    conversation.last_activity_at = now
    # The business answered, from wherever: the customer no longer waits for us.
    conversation.waiting_since = None
    if is_new:
        conversation.subject = _first_line(inbound.text)[:300]
        conversation.save()
        record_event("conversation.created", conversation)
    else:
        conversation.save(update_fields=["last_activity_at", "waiting_since"])
    message = Message.objects.create(
        conversation=conversation,
        inbox=inbox,
        direction=Direction.OUTGOING,
        text=inbound.text,
        external_id=inbound.external_id,
        # Statuses the provider sends later for this message match on this id.
        provider_message_id=inbound.external_id,
        delivery_status=DeliveryStatus.SENT,
        is_unsupported=inbound.kind == "unsupported",
        metadata={**_metadata(inbound, now), "echo": True},
        sent_at=storable_time(inbound.sent_at, now),
    )
    _store_attachments(message, inbound)
    record_event("message.created", conversation, message_id=message.pk, direction="outgoing",
                 **_media_to_fetch(inbound))
    return IngestResult(message.pk, conversation.pk, contact.pk, is_duplicate=False)


MAX_RECORDED_CHANGES = 50


def apply_message_change(inbox: Inbox, inbound: InboundMessage) -> EventResult:
    """Apply an edit, a deletion or a reaction to the message it names.

    None of them becomes a row: they change the target's text or metadata, so they never
    compete with the target for its (inbox, external_id) key (a Telegram edit even carries
    the original's id). Each change is recorded under its own key in
    `metadata["changes"]`, which makes a provider's retry a no-op.
    - edit: the text is replaced; the previous one goes to `metadata["edit_history"]`.
    - delete: `metadata["deleted_at"]`; the text stays for the team's record, and the
      workspace shows the message as withdrawn by the customer.
    - reaction: `metadata["reactions"][<who>] = {"emoji", "at"}`; no emoji takes it back.
    An edit of a message we never stored (sent before the inbox existed) is stored as a new
    message keyed "edit:<target>:<change>", so its content is not lost.
    """
    inbound = normalised(inbound)
    target_ref = inbound.thread.reply_to_external_id
    if not target_ref:
        return EventResult(None, None, False, ignored_reason=f"a {inbound.kind} naming nothing")
    key = _change_key(inbound)
    with transaction.atomic():
        target = (
            Message.objects.select_for_update()
            .select_related("conversation")
            .filter(inbox=inbox)
            .filter(Q(external_id=target_ref) | Q(provider_message_id=target_ref))
            .order_by("id")
            .first()
        )
        if target is not None:
            return _change(target, inbound, key)
    if inbound.kind == "edit" and (inbound.text or inbound.attachments):
        stored = ingest(inbox, replace(inbound, external_id=f"edit:{target_ref}:{key}"[:255]))
        return EventResult(stored.message_id, stored.conversation_id, stored.is_duplicate,
                           is_new_message=not stored.is_duplicate)
    return EventResult(
        None, None, False, ignored_reason=f"the message a {inbound.kind} names is not stored"
    )


def _change_key(inbound: InboundMessage) -> str:
    # WhatsApp edits have an id of their own; Telegram edits reuse the original's, and
    # Messenger edits and reactions have none: their content and time identify them.
    if inbound.external_id and inbound.external_id != inbound.thread.reply_to_external_id:
        return f"{inbound.kind}:{inbound.external_id}"
    return _content_key(inbound.kind, inbound)


def _change(target: Message, inbound: InboundMessage, key: str) -> EventResult:
    metadata = dict(target.metadata)
    applied = list(metadata.get("changes", []))
    if key in applied:
        return EventResult(target.pk, target.conversation_id, is_duplicate=True)
    at = storable_time(inbound.sent_at, timezone.now()).isoformat()
    fields = ["metadata"]
    if inbound.kind == "edit":
        history = list(metadata.get("edit_history", []))
        history.append({"text": target.text, "replaced_at": at})
        metadata["edit_history"] = history
        metadata["edited_at"] = at
        target.text = inbound.text
        fields.append("text")
    elif inbound.kind == "delete":
        metadata["deleted_at"] = at
    else:
        who = inbound.sender.identities[0].value if inbound.sender.identities else "customer"
        reactions = dict(metadata.get("reactions", {}))
        previous = reactions.get(who)
        if isinstance(previous, dict) and str(previous.get("at", "")) > at:
            # A late retry of an older reaction must not undo a newer one.
            return EventResult(target.pk, target.conversation_id, is_duplicate=True)
        if inbound.text:
            reactions[who] = {"emoji": inbound.text, "at": at}
        else:
            reactions.pop(who, None)
        metadata["reactions"] = reactions
    metadata["changes"] = [*applied, key][-MAX_RECORDED_CHANGES:]
    target.metadata = metadata
    target.save(update_fields=fields)
    record_event(
        "conversation.updated", target.conversation, message_id=target.pk, change=inbound.kind
    )
    return EventResult(target.pk, target.conversation_id, is_duplicate=False)


def apply_delivery_watermark(
    inbox: Inbox, recipient_kind: str, recipient: str, status: DeliveryStatus, before: dt.datetime
) -> list[int]:
    """A status for every message we sent the recipient up to `before` (Messenger reads and
    some deliveries name no message, only a time). Returns the ids whose status moved."""
    from omnicanal.conversations.actions import apply_delivery_update

    behind = [DeliveryStatus.SENT]
    if status == DeliveryStatus.READ:
        behind.append(DeliveryStatus.DELIVERED)
    candidates = (
        Message.objects.filter(
            inbox=inbox,
            direction=Direction.OUTGOING,
            delivery_status__in=behind,
            sent_at__lte=before,
            conversation__contact__identities__kind=recipient_kind,
            conversation__contact__identities__value=recipient,
        )
        .exclude(provider_message_id="")
        .order_by("-sent_at")
        .values_list("provider_message_id", flat=True)[:100]
    )
    moved = []
    for provider_message_id in list(candidates):
        updated = apply_delivery_update(inbox.pk, provider_message_id, status)
        if updated is not None:
            moved.append(updated.pk)
    return moved
