"""A conversation an agent starts: the business writes first (an e-mail, an SMS, a WhatsApp
template to a contact), where every other conversation begins with the customer.

Which inboxes may start one, to which of the contact's identities, and with what (a subject,
an approved template) is the channels' knowledge: `omnicanal.connectors.outreach` checks
it and calls `start_conversation` here, which writes the conversation and its first
message in one transaction; the message leaves by the normal send path (its
`message.created` event enqueues the send).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import User
from omnicanal.accounts.profile import signature_for
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations.actions import _check_text
from omnicanal.conversations.events import record_event
from omnicanal.conversations.models import (
    SIGNATURE_KEY,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Status,
)
from omnicanal.conversations.tools import IDENTITY_KEY, RECIPIENT_KEY
from omnicanal.core.exceptions import InvalidField, NotFound, PermissionDenied

SUBJECT_MAX_LENGTH = 300


def start_conversation(
    user: User,
    *,
    contact_id: int,
    inbox: Inbox,
    identity_id: int,
    subject: str,
    text: str,
    metadata: dict[str, Any] | None = None,
) -> Conversation:
    """Open a conversation with the contact in `inbox`, assigned to the agent, and queue its
    first message to the identity chosen. Nobody waits: the customer has not written."""
    if not user.is_active:
        raise PermissionDenied(_("Only an active agent can start a conversation."))
    text = _check_text(text)
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise InvalidField("subject", _("At most %(limit)s characters."),
                           limit=SUBJECT_MAX_LENGTH)
    with transaction.atomic():
        contact = Contact.objects.filter(pk=contact_id, merged_into__isnull=True).first()
        if contact is None:
            raise NotFound(_("No contact %(id)s."), id=contact_id)
        identity = Identity.objects.filter(
            pk=identity_id, contact=contact, is_undeliverable=False
        ).first()
        if identity is None:
            raise InvalidField("identity", _("Choose one of the contact's addresses."))
        if not inbox.is_active:
            raise InvalidField("inbox", _("This inbox is disabled."))
        now = timezone.now()
        conversation = Conversation.objects.create(
            inbox=inbox,
            contact=contact,
            status=Status.OPEN,
            assignee=user,
            subject=subject or text.splitlines()[0][:SUBJECT_MAX_LENGTH],
            last_activity_at=now,
        )
        metadata = {**(metadata or {}), RECIPIENT_KEY: identity.value,
                    IDENTITY_KEY: identity.pk}
        signature = signature_for(user, inbox.channel)
        if signature:
            metadata[SIGNATURE_KEY] = signature
        message = Message.objects.create(
            conversation=conversation,
            inbox=inbox,
            direction=Direction.OUTGOING,
            author=user,
            text=text,
            delivery_status=DeliveryStatus.PENDING,
            sent_at=now,
            metadata=metadata,
        )
        record_event("conversation.created", conversation, started_by_agent=True)
        record_event(
            "message.created", conversation, message_id=message.pk, direction="outgoing",
            took_assignment=True,
        )
        record_audit(user, "conversation.started", conversation, contact_id=contact.pk,
                     inbox_id=inbox.pk)
    return conversation
