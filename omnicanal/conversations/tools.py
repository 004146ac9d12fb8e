"""The tools a professional helpdesk has on one conversation, beyond replying: merge two
conversations of a contact, split a customer's message into a new conversation, reply
through another of our channels, transfer to a team with a note. (Exports: `export.py`.)

Each is one action, like those of `actions.py`: it checks permission and input, writes, adds
its activity lines and records its events in one transaction.

Merging cannot be undone, as in Zendesk: from the moment of the merge, agents answer both
requests in the target and the customer's new messages land there too (ingest follows
`merged_into`), so no later state says where each new message would belong after an undo.
The event payloads keep what moved, for an audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Identity
from omnicanal.conversations.actions import (
    _activity,
    _change_status,
    _check_text,
    access_conversation,
    add_note,
    assign,
    reply,
    unassign,
)
from omnicanal.conversations.attachments import UploadedFileLike
from omnicanal.conversations.events import record_event
from omnicanal.conversations.models import (
    Conversation,
    Direction,
    Inbox,
    Message,
    Status,
)
from omnicanal.conversations.permissions import Change, check_may_change
from omnicanal.core.exceptions import Conflict, InvalidInput, NotFound

# Keys of an outgoing message's metadata when the agent chose the channel: the address the
# send task delivers to, and the contact's identity it came from.
RECIPIENT_KEY = "recipient"
IDENTITY_KEY = "identity_id"

# Channels whose addresses are global (an e-mail address, a phone number), so that any of our
# inboxes on the channel reaches them, with the identity kinds each can address, best first.
# Messenger, Instagram and Telegram ids belong to one page or bot: they are answered only in
# their own inbox, never offered as another channel.
SWITCHABLE_CHANNELS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "sms": ("phone",),
    "whatsapp": ("whatsapp", "phone"),
}


# Merge.


def merge_conversations(user: User, source_id: int, target_id: int) -> Conversation:
    """Move the source's messages (replies, notes, customer messages, with their
    attachments) into the target, where they take their place by time; close the source as
    merged into the target, with an activity line in each. Returns the target.

    The source's activity lines stay with it (they describe its own history). Its labels are
    added to the target; the target waits since the earlier of the two waits, and a resolved
    target is reopened when the source was not resolved (its request is still open).
    """
    if source_id == target_id:
        raise InvalidInput(_("A conversation cannot be merged into itself."))
    with transaction.atomic():
        # Both rows locked in id order, so that two merges of the same pair cannot deadlock.
        locked = {
            pk: access_conversation(user, pk, lock=True) for pk in sorted((source_id, target_id))
        }
        source, target = locked[source_id], locked[target_id]
        if source.contact_id != target.contact_id:
            raise InvalidInput(_(
                "Only conversations of the same contact can be merged; merge the contacts first."
            ))
        if source.merged_into_id is not None:
            raise Conflict(_("This conversation was already merged into another one."))
        if target.merged_into_id is not None:
            raise InvalidInput(_(
                "The target conversation was merged into another one; merge into that one."
            ))
        check_may_change(user, source, Change.MERGE)
        check_may_change(user, target, Change.MERGE)
        now = timezone.now()
        source_was_resolved = source.status == Status.RESOLVED
        moved_ids = list(
            source.messages.exclude(direction=Direction.ACTIVITY).values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=moved_ids).update(conversation=target)
        target.last_activity_at = max(target.last_activity_at, source.last_activity_at, now)
        waits = [t for t in (target.waiting_since, source.waiting_since) if t is not None]
        target.waiting_since = min(waits) if waits else None
        target.save(update_fields=["last_activity_at", "waiting_since"])
        target.labels.add(*source.labels.all())
        source.merged_into = target
        source.merged_at = now
        source.waiting_since = None
        source.save(update_fields=["merged_into", "merged_at", "waiting_since"])
        # The source's lines first, then the target's: the contact's timeline groups
        # consecutive lines by conversation.
        _activity(source, user, "merged_into", str(target.pk))
        record_event(
            "conversation.updated", source, change="merged_into", target_id=target.pk,
            message_ids=moved_ids,
        )
        if not source_was_resolved:
            # Resolving frees the source's place in routing (its agent's slot or the queue).
            _change_status(source, user, Status.RESOLVED)
        _activity(target, user, "merged_from", str(source.pk))
        record_event(
            "conversation.updated", target, change="merged_from", source_id=source.pk,
            message_ids=moved_ids,
        )
        if not source_was_resolved and target.status == Status.RESOLVED:
            _change_status(target, user, Status.OPEN)
        # Cannot be undone: kept in the audit log, as a contact merge is.
        record_audit(user, "conversation.merged", target, source_id=source.pk,
                     message_ids=moved_ids)
    return target


def merge_candidates(conversation: Conversation) -> list[Conversation]:
    """The contact's other conversations this one can be merged into."""
    return list(
        Conversation.objects.filter(contact_id=conversation.contact_id, merged_into=None)
        .exclude(pk=conversation.pk)
        .select_related("inbox")
        .order_by("-last_activity_at", "-id")
    )


# Split.


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:120]


def split_message(user: User, message_id: int) -> Conversation:
    """Move a customer's message (and its attachments) to a new conversation of the same
    contact, on the inbox it came by, queued for an agent as a new request. Returns the new
    conversation; an activity line in each links the other."""
    with transaction.atomic():
        found = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True)
        conversation_id = found.first()
        if conversation_id is None:
            raise NotFound(_("No message %(id)s."), id=message_id)
        conversation = access_conversation(user, conversation_id, lock=True)
        message = (
            Message.objects.select_for_update(of=("self",)).select_related("inbox")
            .filter(pk=message_id, conversation=conversation).first()
        )
        if message is None:
            raise Conflict(_("This message moved to another conversation in the meantime."))
        if message.direction != Direction.INCOMING:
            raise InvalidInput(
                _("Only a customer's message can be split into a new conversation.")
            )
        others = conversation.messages.exclude(pk=message.pk).exclude(direction=Direction.ACTIVITY)
        if not others.exists():
            raise InvalidInput(_("This is the conversation's only message; there is nothing "
                                 "to split it from."))
        check_may_change(user, conversation, Change.SPLIT)
        now = timezone.now()
        new = Conversation.objects.create(
            inbox=message.inbox,
            contact_id=conversation.contact_id,
            subject=_first_line(message.text) or conversation.subject,
            priority=conversation.priority,
            team=conversation.team,
            last_activity_at=now,
            # A new request nobody answered yet: the customer waits since they wrote it.
            waiting_since=message.created_at,
        )
        # A new request: routing queues it for an agent.
        record_event("conversation.created", new, awaits_agent=True)
        message.conversation = new
        message.save(update_fields=["conversation"])
        _activity(conversation, user, "split_to", str(new.pk))
        _activity(new, user, "split_from", str(conversation.pk))
        record_event(
            "conversation.updated", conversation, change="split", message_id=message.pk,
            new_conversation_id=new.pk,
        )
    return new


# Reply through another channel.


@dataclass(frozen=True)
class ReplyChannel:
    """One of our inboxes and the contact's address it would deliver to."""

    inbox: Inbox
    identity: Identity

    @property
    def value(self) -> str:
        """How a form names this choice."""
        return f"{self.inbox.pk}:{self.identity.pk}"


def reply_channels(conversation: Conversation) -> list[ReplyChannel]:
    """The other ways to reach the contact: each active inbox of ours on a channel with
    global addresses, other than the conversation's, with each deliverable identity of the
    contact it can address (verified ones first)."""
    identities = list(
        conversation.contact.identities.filter(is_undeliverable=False)
        .order_by("-is_verified", "kind", "value")
    )
    inboxes = (
        Inbox.objects.filter(is_active=True, channel__in=SWITCHABLE_CHANNELS)
        .exclude(pk=conversation.inbox_id)
        .order_by("name", "pk")
    )
    channels = []
    for inbox in inboxes:
        addresses: set[str] = set()
        for kind in SWITCHABLE_CHANNELS[inbox.channel]:
            for identity in identities:
                # A WhatsApp number is also stored as a phone identity: offered once.
                if identity.kind == kind and identity.value not in addresses:
                    addresses.add(identity.value)
                    channels.append(ReplyChannel(inbox, identity))
    return channels


def reply_via(
    user: User,
    conversation_id: int,
    text: str,
    *,
    inbox_id: int,
    identity_id: int,
    seen_message_id: int | None = None,
    attachments: Sequence[UploadedFileLike] = (),
) -> Message:
    """An agent's reply sent through another of our inboxes (an SMS to the contact's phone on
    an e-mail conversation...), to the identity they chose. It stays in this conversation;
    the message carries its own inbox, so the send task uses that channel's adapter and the
    provider's delivery statuses find it. Whether the channel would refuse a free-form
    message now (a closed WhatsApp window) is the channel's rule: the caller asks the
    connectors before calling this (`web.conversation_tools.reply_via`)."""
    conversation = access_conversation(user, conversation_id)
    choice = next(
        (
            channel for channel in reply_channels(conversation)
            if channel.inbox.pk == inbox_id and channel.identity.pk == identity_id
        ),
        None,
    )
    if choice is None:
        raise InvalidInput(_("This channel cannot reach the contact."))
    return reply(
        user, conversation_id, text, via=choice.inbox, seen_message_id=seen_message_id,
        metadata={RECIPIENT_KEY: choice.identity.value, IDENTITY_KEY: choice.identity.pk},
        attachments=attachments,
    )


# Transfer.


def transfer_to_team(user: User, conversation_id: int, team_id: int, note: str) -> Conversation:
    """Hand the conversation to another team with an internal note saying why: sets the
    team, unassigns an agent who is not in it, and re-queues a waiting conversation for the
    new team at its original place in the queue; all or nothing.

    Made of the actions a person would use one by one (`assign` for the team, `unassign`,
    `add_note`), in one transaction: the same activity lines and events, and the note's
    @mentions tell the colleagues it names."""
    text = _check_text(note)
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, lock=True)
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise NotFound(_("No team %(id)s."), id=team_id)
        if conversation.team_id == team.pk:
            raise InvalidInput(_("The conversation is already with this team."))
        check_may_change(user, conversation, Change.TRANSFER)
        assign(user, conversation.pk, team_id=team.pk)
        holder_id = conversation.assignee_id
        if holder_id is not None and not team.members.filter(pk=holder_id).exists():
            unassign(user, conversation.pk)
        add_note(user, conversation.pk, text)
        conversation.refresh_from_db()
    return conversation
