"""A customer's mail answer to a web chat reply we mailed goes back on the chat conversation.

The answer arrives in the e-mail inbox that sent it, whose own threading rule only looks at
its own messages. `receive_email` asks here first: a mail that references one of our signed
Message-IDs (`threading.our_message_pk`) given to a web chat reply, and that comes from the
address that reply was mailed to, is the customer answering on that conversation. The
signed id was only ever sent to that address, so it vouches for the sender as the chat's
customer: the message is stored in the web chat inbox under the contact's own verified
identity, with the address kept unverified.
"""

from __future__ import annotations

from dataclasses import replace

from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
from omnicanal.connectors.email.parsing import ParsedEmail
from omnicanal.connectors.email.threading import our_message_pk, referenced_ids
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations.ingest import IngestResult, ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Direction, Inbox, Message


def _mailed_reply(parsed: ParsedEmail) -> Message | None:
    if parsed.sender is None:
        return None
    address = parsed.sender.address.lower()
    pks = [
        pk
        for i in referenced_ids(parsed.in_reply_to, parsed.references)
        if (pk := our_message_pk(i)) is not None
    ]
    if not pks:
        return None
    candidates = Message.objects.filter(
        pk__in=pks, direction=Direction.OUTGOING, inbox__channel=ChannelKind.WEBCHAT
    ).select_related("conversation__inbox")
    for message in sorted(candidates, key=lambda m: pks.index(m.pk)):
        if str((message.metadata.get("email") or {}).get("to", "")).lower() == address:
            return message
    return None


def receive_webchat_reply(parsed: ParsedEmail, inbound: InboundMessage) -> IngestResult | None:
    """Ingest the mail on its web chat conversation, or None when it is not such an answer."""
    reply = _mailed_reply(parsed)
    if reply is None:
        return None
    conversation = reply.conversation
    inbox: Inbox = conversation.inbox
    anchor = (
        Identity.objects.filter(
            contact_id=conversation.contact_id,
            is_verified=True,
            kind__in=[IdentityKind.WEBCHAT, IdentityKind.EXTERNAL],
            value__startswith=f"{inbox.pk}:",
        )
        .order_by("id")
        .first()
    )
    if anchor is None:
        return None
    address = parsed.sender.address if parsed.sender else ""
    sender = Sender(
        [
            SenderIdentity(IdentityKind(anchor.kind), anchor.value),
            SenderIdentity(IdentityKind.EMAIL, address, is_verified=False),
        ],
        inbound.sender.name,
    )

    def same_conversation(
        inbox: Inbox, contact: Contact, inbound: InboundMessage
    ) -> Conversation | None:
        found = Conversation.objects.select_for_update().filter(
            pk=conversation.pk, contact=contact
        ).first()
        # A merge moved the conversation elsewhere: the default rule decides.
        return found

    return ingest(inbox, replace(inbound, sender=sender), threading=same_conversation)
