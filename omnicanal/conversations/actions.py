"""Every change an agent makes to a conversation: one function each, called by every edge."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.mentions import resolve_mentions
from omnicanal.accounts.models import Team, User
from omnicanal.accounts.profile import signature_for
from omnicanal.conversations import labels, permissions
from omnicanal.conversations.attachments import (
    CheckedFile,
    UploadedFileLike,
    check_files,
    media_rules_for,
)
from omnicanal.conversations.collision import check_nothing_arrived
from omnicanal.conversations.events import record_event
from omnicanal.conversations.models import (
    SIGNATURE_KEY,
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Draft,
    IdempotencyKey,
    Inbox,
    Label,
    Message,
    Priority,
    Status,
)
from omnicanal.conversations.richtext import html_to_text, sanitize_reply_html
from omnicanal.core.exceptions import InvalidField, InvalidInput, NotFound, PermissionDenied


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
        raise NotFound(_("No conversation %(id)s."), id=conversation_id)
    return conversation


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(_("The message is empty."))
    if len(text) > settings.MESSAGE_TEXT_MAX_LENGTH:
        limit = settings.MESSAGE_TEXT_MAX_LENGTH
        raise InvalidInput(_("The text is longer than %(limit)s characters."), limit=limit)
    return text


def reply(
    user: User,
    conversation_id: int,
    text: str,
    *,
    seen_message_id: int | None = None,
    via: Inbox | None = None,
    metadata: dict[str, Any] | None = None,
    automatic: bool = False,
    attachments: Sequence[UploadedFileLike] = (),
    html: str = "",
) -> Message:
    """An agent's answer to the customer, sent on the conversation's channel by a task that
    the handling of its `message.created` event enqueues.

    With `seen_message_id` (the newest message the agent had on screen), nothing is sent if
    the customer wrote or someone else answered since: RepliedMeanwhile says what arrived.
    The agent who has read it sends again without the id (the warning's "Send anyway").
    `via` sends it through another inbox instead (`tools.reply_via` checks that choice and
    puts the recipient in `metadata`).
    `automatic` (an automation rule's canned reply) is marked as an automatic reply, takes
    no one's assignment and leaves the customer waiting for a person.
    `attachments` (files; the text may then be empty) are checked against what the channel
    sends (`attachments.media_rules_for`) and stored with the message, all or nothing.
    `html` (the e-mail composer's rich text) is sanitised, kept beside its plain text and
    sent as the HTML part; the caller sends it only where the channel takes HTML.
    """
    html = sanitize_reply_html(html) if html else ""
    if html:
        # The plain part is made from the HTML, so the two always say the same.
        text = html_to_text(html)
    text = text.strip() if attachments and not text.strip() else _check_text(text)
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        if seen_message_id is not None:
            check_nothing_arrived(user, conversation, seen_message_id)
        now = timezone.now()
        inbox = via or conversation.inbox
        files = check_files(attachments, media_rules_for(inbox), inbox.get_channel_display())
        metadata = dict(metadata or {})
        # The agent's signature for the channel it leaves on, snapshotted: the send task
        # appends it (`Message.sent_text`) and the timeline shows it. A rule's canned reply
        # speaks for the team, not for the agent whose account runs it.
        signature = "" if automatic else signature_for(user, inbox.channel)
        if signature:
            metadata[SIGNATURE_KEY] = signature
        message = Message.objects.create(
            conversation=conversation,
            inbox=inbox,
            direction=Direction.OUTGOING,
            author=user,
            text=text,
            html=html,
            delivery_status=DeliveryStatus.PENDING,
            sent_at=now,
            metadata=metadata,
            is_auto_reply=automatic,
        )
        _store_files(message, files)
        conversation.last_activity_at = now
        update_fields = ["last_activity_at"]
        # Sent: the agent's draft of it is done with.
        Draft.objects.filter(author=user, conversation=conversation).delete()
        if not automatic:
            conversation.waiting_since = None
            update_fields.append("waiting_since")
        if conversation.with_bot and not automatic:
            # A person answered: the bot steps aside for good.
            conversation.with_bot = False
            update_fields.append("with_bot")
        if conversation.assignee_id is None and not automatic:
            # Whoever answers an unassigned conversation takes it, as agents expect.
            conversation.assignee = user
            update_fields.append("assignee")
        conversation.save(update_fields=update_fields)
        # took_assignment: routing takes the conversation out of the queue and counts it
        # against the agent, or a dispatcher would later hand it to someone else. The send
        # is this event's handling too (connectors subscribes), so it is as durable as the
        # message: no after-commit enqueue that a crash could lose.
        record_event(
            "message.created", conversation, message_id=message.pk, direction="outgoing",
            took_assignment="assignee" in update_fields,
        )
    return message


def _store_files(message: Message, files: Sequence[CheckedFile]) -> None:
    """The reply's files as its attachments, with the type read from their bytes. A file
    written before the transaction rolls back stays behind in storage unreferenced (as
    Django leaves it); the rows, which everything reads, go with the transaction."""
    from django.core.files import File

    for checked in files:
        attachment = Attachment(
            message=message, filename=checked.filename, content_type=checked.content_type,
            size=checked.size,
        )
        # Streamed from the upload (a temporary file past 2.5 MB), not read into memory.
        upload: Any = checked.file
        attachment.file.save(checked.filename, File(upload, name=checked.filename), save=False)
        attachment.save()


def add_note(user: User, conversation_id: int, text: str) -> Message:
    """An internal note: seen by agents only, never sent."""
    text = _check_text(text)
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        mentions = resolve_mentions(text)
        message = Message.objects.create(
            conversation=conversation,
            inbox=conversation.inbox,
            direction=Direction.NOTE,
            author=user,
            text=text,
            # Resolved now, while the names mean these agents: the notifications app tells
            # them, and the timeline highlights these ranges.
            metadata={"mentions": [span.as_dict() for span in mentions]} if mentions else {},
            delivery_status=DeliveryStatus.SENT,
        )
        Draft.objects.filter(author=user, conversation=conversation).delete()
        record_event("message.created", conversation, message_id=message.pk, direction="note")
    return message


IDEMPOTENCY_KEY_MAX_LENGTH = 255


def post_once(
    user: User, idempotency_key: str, request: dict[str, Any], write: Callable[[], Message]
) -> tuple[Message, bool]:
    """Run `write` (a reply or a note by `user`) once per idempotency key: the same key
    again returns the message the first request created. `request` is what was asked
    (kind, conversation, text...): the same key with another request is refused. Returns
    the message and whether it was created now. No key: `write` runs as usual.

    The key is stored in the message's transaction, unique per author: a concurrent request
    with the same key loses on the constraint and returns the winner's message.
    """
    if not idempotency_key:
        return write(), True
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH or not idempotency_key.isprintable():
        raise InvalidInput(
            _("The idempotency key must be 1 to %(limit)s printable characters."),
            limit=IDEMPOTENCY_KEY_MAX_LENGTH,
        )
    digest = hashlib.sha256(
        json.dumps(request, sort_keys=True, default=str).encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            earlier = _message_for_key(user, idempotency_key, digest)
            if earlier is not None:
                return earlier, False
            message = write()
            IdempotencyKey.objects.create(
                author=user, key=idempotency_key, request_digest=digest, message=message
            )
    except IntegrityError:
        earlier = _message_for_key(user, idempotency_key, digest)
        if earlier is None:
            raise
        return earlier, False
    return message, True


def _message_for_key(user: User, key: str, digest: str) -> Message | None:
    stored = IdempotencyKey.objects.select_related("message").filter(author=user, key=key).first()
    if stored is None:
        return None
    if stored.request_digest != digest:
        raise InvalidInput(
            _("This idempotency key was already used for a different request: "
              "use a new key for a new message.")
        )
    return stored.message


def _activity(
    conversation: Conversation, user: User | None, activity: str, value: str = ""
) -> None:
    """A line in the timeline ("Alice assigned Bob"); templates translate it from metadata."""
    Message.objects.create(
        conversation=conversation,
        inbox_id=conversation.inbox_id,
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
                raise NotFound(_("No active agent %(id)s."), id=assignee_id)
            permissions.check_may_change(user, conversation, permissions.Change.REASSIGN)
        team = None
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise NotFound(_("No team %(id)s."), id=team_id)
            if conversation.team_id != team_id:
                # As a transfer: another team's queue for a colleague's conversation is a
                # supervisor's call.
                permissions.check_may_change(user, conversation, permissions.Change.CHANGE_TEAM)
        changed = []
        if assignee_id is not None and conversation.assignee_id != assignee_id:
            conversation.assignee = assignee
            changed.append("assignee")
            _activity(conversation, user, "assigned", assignee.display_name if assignee else "")
            if conversation.with_bot:
                # A person (or a rule) chose who answers: the bot stops answering.
                conversation.with_bot = False
                changed.append("with_bot")
        if team_id is not None and conversation.team_id != team_id:
            conversation.team = team
            changed.append("team")
            _activity(conversation, user, "team", team.name if team else "")
        if changed:
            conversation.save(update_fields=changed)
            # Routing reacts: the new agent's load, the old one's freed slot, the new team's
            # queue.
            record_event("conversation.assigned", conversation, actor_id=user.pk, changed=changed)
    return conversation


def assign_from_routing(conversation_id: int, agent_id: int) -> bool:
    """Routing's dispatcher gives a waiting conversation to an agent: the trusted writer of
    `Conversation.assignee` for routing, with no permission check (routing decided by its
    policy). Only while the conversation is unassigned and not resolved: a person who chose
    an agent meanwhile keeps their choice, and False tells the dispatcher to give the slot
    back. The same event and activity line as any other assignment.

    One conditional UPDATE, not a read then a save: the dispatcher makes this call for each
    assignment of a sweep, holding the conversation's row lock on PostgreSQL (the IMMEDIATE
    transaction's write lock on SQLite), and the condition alone keeps it right without."""
    table = Conversation._meta.db_table
    assignee = Conversation._meta.get_field("assignee").column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignee} = %s"  # noqa: S608 (names from the model)
            f" WHERE id = %s AND {assignee} IS NULL AND status <> %s"
            " RETURNING inbox_id, contact_id, status",
            [agent_id, conversation_id, Status.RESOLVED.value],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    conversation = Conversation(
        pk=conversation_id, inbox_id=row[0], contact_id=row[1], status=row[2],
        assignee_id=agent_id,
    )
    # The agent's name as it is now, as a person's assignment records it. Two columns, not
    # a model: this runs once per assignment of a dispatch (see docs/benchmarks.md).
    name, email = next(
        iter(User.objects.filter(pk=agent_id).values_list("name", "email")[:1]), ("", "")
    )
    _activity(conversation, None, "assigned", User(name=name, email=email).display_name)
    record_event("conversation.assigned", conversation, assigned_by="routing",
                 changed=["assignee"])
    return True


def unassign(user: User, conversation_id: int) -> Conversation:
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        permissions.check_may_change(user, conversation, permissions.Change.UNASSIGN)
        if conversation.assignee_id is not None:
            conversation.assignee = None
            conversation.save(update_fields=["assignee"])
            _activity(conversation, user, "unassigned")
            record_event("conversation.assigned", conversation, actor_id=user.pk,
                         changed=["assignee"])
    return conversation


def set_status(
    user: User, conversation_id: int, status: Status, *, snoozed_until: dt.datetime | None = None
) -> Conversation:
    """Resolve, reopen or set pending; snoozing goes through `snooze` (a time is required
    here, as the API has always asked; the workspace also offers "until the customer
    replies")."""
    if status == Status.SNOOZED:
        if snoozed_until is None:
            raise InvalidInput(_("Snoozing needs a time to wake up."))
        return snooze(user, conversation_id, until=snoozed_until)
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        if conversation.status == status:
            return conversation
        _change_status(conversation, user, status)
    return conversation


def _change_status(
    conversation: Conversation,
    user: User | None,
    status: Status,
    *,
    snoozed_until: dt.datetime | None = None,
    activity_value: str | None = None,
) -> None:
    """The one place a status changes; the caller holds the row lock."""
    was_resolved = conversation.status == Status.RESOLVED
    conversation.status = status
    conversation.resolved_at = timezone.now() if status == Status.RESOLVED else None
    conversation.snoozed_until = snoozed_until if status == Status.SNOOZED else None
    if status == Status.RESOLVED:
        conversation.waiting_since = None
    conversation.save(update_fields=["status", "resolved_at", "snoozed_until", "waiting_since"])
    _activity(
        conversation, user, "status", str(status) if activity_value is None else activity_value
    )
    # Routing reacts: a resolved conversation frees its slot, a reopened one queues again.
    record_event("conversation.status_changed", conversation, reopened=was_resolved)


def snooze(user: User, conversation_id: int, *, until: dt.datetime | None) -> Conversation:
    """Put the conversation aside until `until`, or until the customer writes (None).

    Whatever the time, a customer's message wakes it at once (ingest reopens it); a passed
    time wakes it through `wake_due_conversations`, run every minute by the `wake_snoozed`
    task (PERIODIC_TASKS, enqueued by `omnicanal serve` or `omnicanal tick`) or by the
    `wake_snoozed` command. Waking is a write with an event and an
    activity line, so it happens in that command rather than as a filter at read time.
    """
    if until is not None:
        if timezone.is_naive(until):
            raise InvalidInput(_("The wake-up time needs a time zone."))
        if until <= timezone.now():
            raise InvalidInput(_("The wake-up time must be in the future."))
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        if conversation.status == Status.SNOOZED and conversation.snoozed_until == until:
            return conversation
        _change_status(
            conversation, user, Status.SNOOZED, snoozed_until=until,
            activity_value=f"snoozed {until.isoformat()}" if until else "snoozed",
        )
    return conversation


def wake_due_conversations(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Reopen snoozed conversations whose wake-up time has passed; returns their ids.

    Each wakes in its own short transaction, re-checked under the row lock: a customer's
    message or an agent may have changed it since the scan.
    """
    now = now or timezone.now()
    due = list(
        Conversation.objects.filter(status=Status.SNOOZED, snoozed_until__lte=now)
        .order_by("snoozed_until")
        .values_list("pk", flat=True)[:limit]
    )
    woken = []
    for conversation_id in due:
        with transaction.atomic():
            conversation = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("inbox")
                .filter(pk=conversation_id, status=Status.SNOOZED, snoozed_until__lte=now)
                .first()
            )
            if conversation is None:
                continue
            _change_status(conversation, None, Status.OPEN, activity_value="woke")
            woken.append(conversation_id)
    return woken


def set_priority(user: User, conversation_id: int, priority: int) -> Conversation:
    if priority not in Priority.values:
        raise InvalidInput(_("This priority does not exist."))
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        if conversation.priority == priority:
            return conversation
        conversation.priority = priority
        conversation.save(update_fields=["priority"])
        _activity(conversation, user, "priority", str(priority))
        record_event("conversation.updated", conversation, change="priority", priority=priority)
    return conversation


def record_triage(
    conversation_id: int, *, intent: str, intent_confidence: float | None, language: str,
    sentiment: str, is_urgent: bool, message_id: int | None = None,
    is_first_message: bool = False,
) -> Conversation | None:
    """The conversation's copy of what triage made of its latest customer message (the one
    writer of intent, intent_confidence, language, sentiment and is_urgent). Emits
    "conversation.triaged": rules with triage conditions and routing react to it. None when
    the conversation is gone."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        )
        if conversation is None:
            return None
        conversation.intent = intent[:100]
        conversation.intent_confidence = intent_confidence
        conversation.language = language[:8]
        conversation.sentiment = sentiment
        conversation.is_urgent = is_urgent
        conversation.save(update_fields=[
            "intent", "intent_confidence", "language", "sentiment", "is_urgent",
        ])
        record_event(
            "conversation.triaged", conversation, message_id=message_id,
            direction="incoming", is_first_message=is_first_message, intent=intent,
            intent_confidence=intent_confidence, language=language, sentiment=sentiment,
            is_urgent=is_urgent,
        )
    return conversation


def create_label(user: User, name: str, color: str = "", *, exists_ok: bool = True) -> Label:
    """A new label; supervisors curate the list so that it stays short and shared. With
    `exists_ok` (the workspace), a name already taken in any case returns that label; without
    (the settings form), it is refused."""
    name = labels.clean_label_name(name, exists_ok=True)
    color = labels.clean_color(color)
    permissions.check_may_create_label(user)
    with transaction.atomic():
        existing = Label.objects.filter(name__iexact=name).first()
        if existing is not None:
            if exists_ok:
                return existing
            raise InvalidField("name", _("A label is already called “%(name)s”."), name=name)
        label = Label.objects.create(name=name, color=color)
        record_audit(user, "label.created", label, name=name, color=color)
    return label


def add_label(user: User, conversation_id: int, label_id: int) -> Conversation:
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        label = Label.objects.filter(pk=label_id).first()
        if label is None:
            raise NotFound(_("No label %(id)s."), id=label_id)
        if conversation.labels.filter(pk=label.pk).exists():
            return conversation
        conversation.labels.add(label)
        _activity(conversation, user, "labeled", label.name)
        record_event("conversation.updated", conversation, change="labels", added=label.pk)
    return conversation


def add_label_by_name(user: User, conversation_id: int, name: str) -> Conversation:
    """Add the label called `name` (any case); a supervisor typing a new name creates it."""
    label = Label.objects.filter(name__iexact=" ".join(name.split())).first()
    if label is None:
        if name.strip() and not permissions.may_create_label(user):
            # Agents pick from the list; saying so beats a bare refusal.
            raise PermissionDenied(
                format_lazy("{} {}", _("There is no label “%(name)s”: choose one from the list."),
                            _("Only a supervisor can create a label.")),
                name=" ".join(name.split()),
            )
        label = create_label(user, name)
    return add_label(user, conversation_id, label.pk)


def remove_label(user: User, conversation_id: int, label_id: int) -> Conversation:
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        label = conversation.labels.filter(pk=label_id).first()
        if label is None:
            return conversation
        conversation.labels.remove(label)
        _activity(conversation, user, "unlabeled", label.name)
        record_event("conversation.updated", conversation, change="labels", removed=label.pk)
    return conversation


# Bulk changes from the list: the same actions, one conversation at a time.

BULK_MAX = 100


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    # conversation id -> the action's refusal, in the language active when it was refused.
    refused: dict[int, str] = field(default_factory=dict)


def for_each_conversation(
    user: User, conversation_ids: Iterable[int], change: Callable[[User, int], object]
) -> BulkOutcome:
    """Apply `change` (one of the actions above) to each conversation.

    Each call is the action itself, with its own transaction, permission check, event and
    activity line: a refusal on one conversation (a colleague's, for an agent) leaves the
    others done, and the outcome says which were refused and why.
    """
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise InvalidInput(_("Select at least one conversation."))
    if len(ids) > BULK_MAX:
        raise InvalidInput(_("Select at most %(limit)s conversations at a time."), limit=BULK_MAX)
    outcome = BulkOutcome()
    for conversation_id in ids:
        try:
            change(user, conversation_id)
        except (InvalidInput, NotFound, PermissionDenied) as exc:
            outcome.refused[conversation_id] = exc.message
        else:
            outcome.done.append(conversation_id)
    return outcome


# Delivery: what happens to a message we send, whoever reports it (send task, provider status).

_STATUS_ORDER = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
}


def _unclaimed(now: dt.datetime) -> Q:
    """No send task holds the message: never claimed, or its claim has expired."""
    return Q(send_claimed_until__isnull=True) | Q(send_claimed_until__lt=now)


def claim_send(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Take a pending outgoing message for one send attempt, until SEND_CLAIM_SECONDS from
    now. One conditional UPDATE: of two tasks for one message, one claims it and the other
    gets False; a claim whose task died (worker killed mid-send) expires and can be taken.
    `mark_sent` and `record_send_failure` release it."""
    now = now or timezone.now()
    return bool(
        Message.objects.filter(
            _unclaimed(now),
            pk=message_id,
            direction=Direction.OUTGOING,
            delivery_status=DeliveryStatus.PENDING,
        ).update(send_claimed_until=now + dt.timedelta(seconds=settings.SEND_CLAIM_SECONDS))
    )


def stalled_sends(now: dt.datetime | None = None) -> QuerySet[Message]:
    """Pending outgoing messages that no task holds and whose attempt was due more than
    SEND_STALLED_AFTER_SECONDS ago: their enqueue or their worker was lost. A retry
    scheduled for later is not stalled (its due time is still ahead)."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(seconds=settings.SEND_STALLED_AFTER_SECONDS)
    return Message.objects.filter(
        _unclaimed(now),
        Q(send_due_at__lt=overdue) | Q(send_due_at__isnull=True, created_at__lt=overdue),
        direction=Direction.OUTGOING,
        delivery_status=DeliveryStatus.PENDING,
    )


def take_over_stalled_sends(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    """Mark stalled sends as due now again and return their ids, for the caller to enqueue
    in the same transaction (so they are not picked again until they stall once more)."""
    now = now or timezone.now()
    ids = list(stalled_sends(now).order_by("pk").values_list("pk", flat=True)[:limit])
    if ids:
        stalled_sends(now).filter(pk__in=ids).update(send_due_at=now)
    return ids


def mark_sent(message_id: int, provider_message_id: str) -> None:
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("conversation").get(
            pk=message_id
        )
        message.provider_message_id = provider_message_id
        message.send_attempts += 1
        message.send_claimed_until = None
        fields = ["provider_message_id", "send_attempts", "send_claimed_until"]
        # A fast provider (or an API integrator) may report "delivered", or a failure, before
        # our own "sent" bookkeeping lands: a send is only claimed while pending, so a failure
        # here was reported by the receiver meanwhile and stays, with its reason.
        if not message.is_not_delivered:
            message.failure_reason = ""
            fields.append("failure_reason")
        if _STATUS_ORDER.get(DeliveryStatus(message.delivery_status), -1) < 1 and not (
            message.is_not_delivered
        ):
            message.delivery_status = DeliveryStatus.SENT
            fields.append("delivery_status")
        message.save(update_fields=fields)
        record_event(
            "message.status_changed", message.conversation, message_id=message.pk,
            delivery_status=message.delivery_status,
        )


def record_send_failure(
    message_id: int, reason: str, *, is_final: bool, retry_at: dt.datetime | None = None
) -> Message:
    """Count a failed attempt; a final one marks the message failed for the agent to see.
    `retry_at`: when the next attempt is scheduled (the sweep leaves it alone until then)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("conversation").get(
            pk=message_id
        )
        message.send_attempts += 1
        message.failure_reason = reason[:2000]
        message.send_claimed_until = None
        message.send_due_at = retry_at
        fields = ["send_attempts", "failure_reason", "send_claimed_until", "send_due_at"]
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
    """A provider's status callback, about the message it knows by `provider_message_id`."""
    return _update_delivery(
        Q(inbox_id=inbox_id, provider_message_id=provider_message_id), status, error
    )


def apply_delivery_report(
    inbox_id: int, message_id: int, status: DeliveryStatus, error: str = ""
) -> Message | None:
    """A status a receiver reports by our own id for the message (the API channel's
    integrator, who never sees a provider id): the same rules as a provider's callback.
    Only an outgoing message of that inbox matches; None otherwise."""
    return _update_delivery(
        Q(inbox_id=inbox_id, pk=message_id, direction=Direction.OUTGOING), status, error
    )


def _update_delivery(found: Q, status: DeliveryStatus, error: str) -> Message | None:
    """The one writer of a reported delivery status. Statuses only move forward (read never
    becomes delivered when callbacks arrive out of order); a failure ("failed",
    "undelivered") always shows, with its reason. The same report twice changes nothing."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("conversation")
            .filter(found)
            .first()
        )
        if message is None:
            return None
        current = DeliveryStatus(message.delivery_status)
        if status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED):
            if current == status and message.failure_reason == error[:2000]:
                return message
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


# What channels learn about a message after it was stored: the files a provider only named,
# the copies they made. Connectors call these; they never write these rows themselves.


def store_attachment_content(
    attachment_id: int, content: bytes, content_type: str, filename: str
) -> bool:
    """Store a fetched media file on its attachment; False when another fetch was first (or
    the attachment is gone)."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        attachment = (
            Attachment.objects.select_for_update()
            .select_related("message__conversation")
            .filter(pk=attachment_id)
            .first()
        )
        if attachment is None or attachment.file:
            return False
        attachment.content_type = content_type[:100]
        attachment.size = len(content)
        attachment.file.save(filename, ContentFile(content), save=False)
        attachment.save(update_fields=["file", "size", "content_type"])
        message = attachment.message
        record_event(
            "conversation.updated", message.conversation, message_id=message.pk,
            change="attachment", attachment_id=attachment.pk,
        )
    return True


def note_on_message(message_id: int, key: str, values: dict[str, Any], *, change: str) -> Message:
    """Merge `values` into the message's `metadata[key]` (why an attachment is missing, where
    a copy of the reply was mailed), with an event so that open pages show it."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
        )
        current = message.metadata.get(key)
        merged = {**(current if isinstance(current, dict) else {}), **values}
        message.metadata = {**message.metadata, key: merged}
        message.save(update_fields=["metadata"])
        record_event(
            "conversation.updated", message.conversation, message_id=message.pk, change=change
        )
    return message


def delete_inbox_conversations(inbox_id: int) -> int:
    """Delete every conversation of an inbox, with its messages and attachments (their files
    removed from storage after commit), before the inbox itself is deleted; returns how many.

    Precondition: the caller holds the inbox row locked and has checked the permission
    (`connectors.actions.delete_inbox`). A reply sent through this inbox in another inbox's
    conversation would lose its channel: that is refused (Conflict) rather than rewritten.
    """
    from omnicanal.core.exceptions import Conflict

    foreign = Message.objects.filter(inbox_id=inbox_id).exclude(conversation__inbox_id=inbox_id)
    if foreign.exists():
        raise Conflict(
            _("Replies in conversations of other inboxes were sent through this inbox; it "
              "cannot be deleted without rewriting their history. Disable it instead.")
        )
    conversations = Conversation.objects.filter(inbox_id=inbox_id)
    files = [
        name for name in Attachment.objects.filter(
            message__conversation__inbox_id=inbox_id
        ).exclude(file="").values_list("file", flat=True) if name
    ]
    count = conversations.count()
    # Conversations merged into or continued by these keep their own history (SET_NULL).
    conversations.delete()

    def remove_files() -> None:
        storage = Attachment._meta.get_field("file").storage
        for name in files:
            with contextlib.suppress(OSError):  # already gone: nothing to keep
                storage.delete(name)

    transaction.on_commit(remove_files)
    return count


def bot_reply(
    conversation_id: int, text: str, *, bot_name: str, metadata: dict[str, Any] | None = None
) -> Message:
    """The assistant's bot answering the customer: an outgoing message with no author,
    marked as the bot's, sent like any reply (the handling of its `message.created` event
    enqueues the send, retried on failure). The caller's transaction holds the bot's claim
    on the customer message it answers."""
    return _product_message(
        conversation_id, text, metadata={**(metadata or {}), "bot_name": bot_name}, is_bot=True
    )


def automated_message(
    conversation_id: int, text: str, *, html: str = "", metadata: dict[str, Any] | None = None
) -> Message:
    """A message the product itself sends the customer on the conversation's channel (a
    survey question): no author, not the bot's, sent like any reply by the handling of its
    `message.created` event. It leaves the status alone: a resolved conversation stays
    resolved, and nobody owes the customer an answer because of it."""
    return _product_message(
        conversation_id, text, html=sanitize_reply_html(html) if html else "",
        metadata=dict(metadata or {}), is_auto_reply=True,
    )


def _product_message(
    conversation_id: int, text: str, *, metadata: dict[str, Any], html: str = "",
    is_bot: bool = False, is_auto_reply: bool = False,
) -> Message:
    """An outgoing message no agent wrote (the bot's, a survey's): it touches the
    conversation's activity only, never its status or its assignee."""
    text = _check_text(text)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        now = timezone.now()
        message = Message.objects.create(
            conversation=conversation,
            inbox=conversation.inbox,
            direction=Direction.OUTGOING,
            author=None,
            is_bot=is_bot,
            is_auto_reply=is_auto_reply,
            text=text,
            html=html,
            delivery_status=DeliveryStatus.PENDING,
            sent_at=now,
            metadata=metadata,
        )
        conversation.last_activity_at = now
        conversation.save(update_fields=["last_activity_at"])
        bot_payload = {"is_bot": True} if is_bot else {}
        record_event(
            "message.created", conversation, message_id=message.pk, direction="outgoing",
            took_assignment=False, **bot_payload,
        )
    return message


def hand_over_from_bot(
    conversation_id: int, summary: str, *, reason: str, details: dict[str, Any] | None = None,
    bot_name: str = "",
) -> Message | None:
    """The bot gives the conversation to the team: it leaves the bot, an internal note
    tells whoever takes it what the customer asked and what the bot tried, and routing
    queues it as a new arrival (`conversation.handed_over`). None when the bot no longer
    held it (a person answered meanwhile)."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if not conversation.with_bot:
            return None
        conversation.with_bot = False
        conversation.save(update_fields=["with_bot"])
        note = Message.objects.create(
            conversation=conversation,
            inbox=conversation.inbox,
            direction=Direction.NOTE,
            author=None,
            is_bot=True,
            text=_check_text(summary),
            metadata={"bot_handover": {"reason": reason, **(details or {})},
                      "bot_name": bot_name},
            delivery_status=DeliveryStatus.SENT,
        )
        record_event("message.created", conversation, message_id=note.pk, direction="note",
                     is_bot=True)
        record_event("conversation.handed_over", conversation, reason=reason,
                     awaits_agent=conversation.status != Status.RESOLVED)
    return note


def set_bot_enabled(inbox_ids: Iterable[int], *, eligible: Iterable[int]) -> list[int]:
    """Turn the bot on in `inbox_ids` and off in the other `eligible` inboxes (the caller,
    the assistant's settings, checks who may and which channels qualify); returns the ids
    whose setting changed. New conversations follow; current ones keep their state."""
    wanted = set(inbox_ids)
    changed: list[int] = []
    with transaction.atomic():
        for inbox in Inbox.objects.select_for_update().filter(pk__in=set(eligible)):
            enabled = inbox.pk in wanted
            if inbox.bot_enabled != enabled:
                inbox.bot_enabled = enabled
                inbox.save(update_fields=["bot_enabled"])
                changed.append(inbox.pk)
    return changed
