"""One raw e-mail into Omnicanal, whatever brought it (the raw-MIME endpoint, IMAP).

A customer's mail goes through ingest() with the e-mail threading rule. A delivery report
never opens a conversation: a bounce marks the message we sent failed (and, when hard, the
address undeliverable), a "delivered" report marks it delivered, a complaint is only noted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Literal

from django.db import transaction
from django.db.models import Q

from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.email.bounces import BounceRecipient
from omnicanal.connectors.email.parsing import ParsedEmail
from omnicanal.connectors.email.threading import find_conversation, our_message_pk
from omnicanal.contacts.actions import mark_identity_undeliverable
from omnicanal.contacts.models import Identity
from omnicanal.conversations.actions import apply_delivery_update, record_send_failure
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import DeliveryStatus, Direction, Inbox, Message
from omnicanal.core.text import clean_text

logger = logging.getLogger(__name__)

IntakeAction = Literal["created", "duplicate", "bounce", "complaint", "delivered", "ignored"]

# The parts of a delivery report that carry the original message or its headers (RFC 3462,
# RFC 6533 for the internationalised ones).
_ORIGINAL_TYPES = frozenset(
    {
        "message/rfc822",
        "text/rfc822-headers",
        "message/rfc822-headers",
        "message/global",
        "message/global-headers",
    }
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Daemons without a report part (qmail, old Exim) quote the original headers in the prose.
_QUOTED_MESSAGE_ID = re.compile(r"^[ \t>]*Message-ID:[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.M)


@dataclass(frozen=True)
class IntakeResult:
    action: IntakeAction
    message_id: int | None = None
    conversation_id: int | None = None
    contact_id: int | None = None
    # Our outgoing messages a report was about, and the addresses a hard bounce condemned.
    updated_message_ids: tuple[int, ...] = ()
    undeliverable: tuple[str, ...] = ()
    detail: str = ""


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def bounced_message_ids(parsed: ParsedEmail) -> list[str]:
    """Message-IDs of the mail a report is about: from the returned original's headers,
    the prose, then the report's own In-Reply-To/References (some MTAs set them)."""
    found: list[str] = list(parsed.report.message_ids) if parsed.report else []
    for attachment in parsed.attachments:
        if attachment.content_type.lower() not in _ORIGINAL_TYPES:
            continue
        headers = BytesHeaderParser(policy=compat32).parsebytes(attachment.content)
        found.extend(_MESSAGE_ID.findall(str(headers.get("Message-ID") or "")))
    found.extend(_QUOTED_MESSAGE_ID.findall(parsed.text))
    found.extend([parsed.in_reply_to, *parsed.references])
    return [i for i in _unique(found) if i != parsed.message_id]


def _our_messages(inbox: Inbox, ids: list[str]) -> list[Message]:
    # Ids come from the report's text: no NUL may reach the query (PostgreSQL refuses it).
    ids = [clean_text(i) for i in ids]
    if not ids:
        return []
    pks = [pk for i in ids if (pk := our_message_pk(i)) is not None]
    return list(
        Message.objects.filter(inbox=inbox, direction=Direction.OUTGOING)
        .filter(Q(provider_message_id__in=ids) | Q(pk__in=pks))
        .select_related("conversation")
        .order_by("id")
    )


def _recipient_for(message: Message, recipients: tuple[BounceRecipient, ...]) -> BounceRecipient:
    addresses = set(
        Identity.objects.filter(
            contact_id=message.conversation.contact_id, kind="email"
        ).values_list("value", flat=True)
    )
    for recipient in recipients:
        if recipient.recipient.lower() in addresses:
            return recipient
    return recipients[0]


def _handle_bounce(inbox: Inbox, parsed: ParsedEmail) -> IntakeResult:
    assert parsed.report is not None
    messages = _our_messages(inbox, bounced_message_ids(parsed))
    if parsed.report.kind == "complaint":
        # A spam complaint says the mail arrived; the agent may want to know, but nothing
        # about the message or the address is wrong. Noted, never a conversation.
        logger.info("complaint about messages %s in inbox %s", [m.pk for m in messages], inbox.pk)
        return IntakeResult("complaint", updated_message_ids=tuple(m.pk for m in messages))
    failures = tuple(r for r in parsed.report.recipients if r.action.lower() != "delayed")
    if not messages or not failures:
        detail = "a delay notice" if not failures else "names none of our messages"
        return IntakeResult("bounce", detail=detail)
    updated: list[int] = []
    undeliverable: list[str] = []
    with transaction.atomic():
        for message in messages:
            recipient = _recipient_for(message, failures)
            reason = f"{recipient.status} {recipient.reason}: {recipient.diagnostic}".strip()
            if message.delivery_status != DeliveryStatus.FAILED:
                if message.provider_message_id:
                    apply_delivery_update(
                        inbox.pk, message.provider_message_id, DeliveryStatus.FAILED, reason
                    )
                else:
                    # Sent, but the bounce beat our "sent" bookkeeping: our signed id found it.
                    record_send_failure(message.pk, reason, is_final=True)
                updated.append(message.pk)
            # Only an address of the contact we wrote to: a forged report naming anyone
            # else's address must not silence them.
            if recipient.hard and mark_identity_undeliverable(
                message.conversation.contact_id, "email", recipient.recipient.lower()
            ):
                undeliverable.append(recipient.recipient.lower())
    return IntakeResult(
        "bounce", updated_message_ids=tuple(updated), undeliverable=tuple(undeliverable)
    )


def _handle_delivered(inbox: Inbox, parsed: ParsedEmail) -> IntakeResult:
    updated = []
    for message in _our_messages(inbox, bounced_message_ids(parsed)):
        if message.provider_message_id and apply_delivery_update(
            inbox.pk, message.provider_message_id, DeliveryStatus.DELIVERED
        ):
            updated.append(message.pk)
    return IntakeResult("delivered", updated_message_ids=tuple(updated))


def receive_email(inbox: Inbox, raw: bytes) -> IntakeResult:
    """Store or act on one raw RFC 822 message. Idempotent: the same mail twice (an IMAP
    re-read after a crash, a retried POST) stores one message and changes nothing again.
    May raise InvalidInput (nothing to store, e.g. no sender) and database errors.

    Parsing is the adapter's (`EmailAdapter.parse`), as for every channel; what is done
    here is the storing: ingest() for a customer's mail, our messages' delivery state for a
    report."""
    from omnicanal.connectors.email.adapter import EmailAdapter

    request = InboundRequest(body=raw, headers={}, url="", method="")
    outcome = EmailAdapter().parse(request, inbox.settings)
    parsed = outcome.email
    assert parsed is not None
    if parsed.report is not None and parsed.report.kind == "delivered":
        return _handle_delivered(inbox, parsed)
    if parsed.is_bounce:
        return _handle_bounce(inbox, parsed)
    if not outcome.messages:
        return IntakeResult("ignored", detail=outcome.ignored_reason)
    inbound = outcome.messages[0]
    # An answer to a web chat reply we mailed belongs to that chat, not to this inbox.
    from omnicanal.connectors.webchat.mail import receive_webchat_reply

    result = receive_webchat_reply(parsed, inbound) or ingest(
        inbox, inbound, threading=find_conversation
    )
    return IntakeResult(
        "duplicate" if result.is_duplicate else "created",
        message_id=result.message_id,
        conversation_id=result.conversation_id,
        contact_id=result.contact_id,
    )
