"""What the messaging adapters (SMS, WhatsApp, Messenger, Instagram, Telegram) share when
sending: the customer's last message time, the customer-service windows Meta imposes, and
`MessagingAdapter`, their common base.

The workspace calls `reply_restriction(conversation)` to warn an agent before they type a
reply the channel will refuse; the adapters refuse the same replies with a permanent
SendError, reading the time of the customer's last message from `OutboundMessage.extra`.
Which channel has which window is the adapter's (`reply_window_error`), never a name test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from omnicanal.connectors.base import BaseAdapter, OutboundMessage, SendError
from omnicanal.conversations.models import Conversation, Direction, Inbox, Message

# WhatsApp: free-form messages only within 24 h of the customer's last message; after that
# only approved templates (Cloud API error 131047, Twilio error 63016).
WHATSAPP_WINDOW = dt.timedelta(hours=24)
# Messenger/Instagram: 24 h of standard messaging, then 7 days with the HUMAN_AGENT tag.
META_STANDARD_WINDOW = dt.timedelta(hours=24)
META_HUMAN_AGENT_WINDOW = dt.timedelta(days=7)

LAST_CUSTOMER_MESSAGE_KEY = "customer_last_message_at"


def last_customer_message_at(
    conversation: Conversation, *, inbox: Inbox | None = None
) -> dt.datetime | None:
    """When the customer last wrote to this inbox (or `inbox`, a reply sent through another
    of ours), in any of their conversations there.

    The window belongs to the pair (customer, business number), not to one conversation: a
    customer who wrote yesterday in a resolved conversation may be answered in a new one.
    """
    latest = (
        Message.objects.filter(
            conversation__contact_id=conversation.contact_id, direction=Direction.INCOMING
        )
        # `inbox_id + 0`: the same test, but one SQLite cannot answer from the inbox index,
        # which it would otherwise pick and then scan every message of a busy inbox (80 ms
        # at a million messages instead of 1 ms through the contact's conversations).
        .alias(inbox_to_match=F("inbox_id") + 0)
        .filter(inbox_to_match=inbox.pk if inbox is not None else conversation.inbox_id)
        .order_by("-created_at", "-id")
        .values_list("sent_at", "created_at")
        .first()
    )
    if latest is None:
        return None
    sent_at, created_at = latest
    # The provider's timestamp when it gave one (Meta counts from it), never in the future.
    return min(sent_at or created_at, created_at)


def whatsapp_window_open(conversation: Conversation, *, now: dt.datetime | None = None) -> bool:
    """Whether a free-form WhatsApp reply may be sent now (else only a template)."""
    last = last_customer_message_at(conversation)
    return last is not None and (now or timezone.now()) - last < WHATSAPP_WINDOW


def reply_restriction(
    conversation: Conversation, *, now: dt.datetime | None = None, inbox: Inbox | None = None
) -> str | None:
    """Why the channel (of the conversation, or `inbox` when the reply goes through another
    of ours) would refuse a free-form reply in this conversation now, or None.

    Translated into the active language, for the agent about to type."""
    from omnicanal.connectors.registry import adapter_for

    target = inbox or conversation.inbox
    adapter = adapter_for(target.channel)
    if not adapter.has_reply_window:
        return None
    last = last_customer_message_at(conversation, inbox=inbox)
    error = adapter.reply_window_error(last, now or timezone.now())
    return gettext(error.message) if error else None


# Marked for translation but stored in English: a failure reason is written by a worker,
# whose language is not the agent's; the workspace can translate it when it shows it.
WHATSAPP_WINDOW_CLOSED = gettext_noop(
    "WhatsApp only allows free-form replies within 24 hours of the customer's "
    "last message; after that, only an approved template can be sent."
)
META_WINDOW_CLOSED = gettext_noop(
    "Messenger and Instagram only allow replies within 7 days of the customer's last message."
)


def whatsapp_window_error(
    last_customer_message: dt.datetime | None, now: dt.datetime
) -> SendError | None:
    if last_customer_message is None or now - last_customer_message >= WHATSAPP_WINDOW:
        return SendError(WHATSAPP_WINDOW_CLOSED, is_permanent=True)
    return None


def meta_window_error(
    last_customer_message: dt.datetime | None, now: dt.datetime
) -> SendError | None:
    if last_customer_message is None or now - last_customer_message >= META_HUMAN_AGENT_WINDOW:
        return SendError(META_WINDOW_CLOSED, is_permanent=True)
    return None


def window_error(
    channel: str, last_customer_message: dt.datetime | None, now: dt.datetime
) -> SendError | None:
    """The permanent error a free-form message on the channel outside its window deserves
    (asked of the channel's adapter)."""
    from omnicanal.connectors.registry import adapter_for

    try:
        adapter = adapter_for(channel)
    except LookupError:
        return None
    return adapter.reply_window_error(last_customer_message, now)


def last_message_from_extra(outbound: OutboundMessage) -> dt.datetime | None:
    value = outbound.extra.get(LAST_CUSTOMER_MESSAGE_KEY)
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def with_last_customer_message(message: Message, outbound: OutboundMessage) -> OutboundMessage:
    """The outbound with the time of the customer's last message to the message's inbox,
    which decides the reply windows, in `extra`."""
    last = last_customer_message_at(message.conversation, inbox=message.inbox)
    extra = {**outbound.extra, LAST_CUSTOMER_MESSAGE_KEY: last.isoformat() if last else ""}
    return replace(outbound, extra=extra)


class MessagingAdapter(BaseAdapter):
    """A channel of short messages to one address: replies go to the channel's own identity
    of the contact (a phone for SMS, a PSID for Messenger...) and carry the customer's last
    message time for the windows."""

    fetches_media = True

    def prepare_outbound(self, message: Message, outbound: OutboundMessage) -> OutboundMessage:
        outbound = with_last_customer_message(message, outbound)
        recipient = self.recipient_for(message)
        return replace(outbound, recipient=recipient) if recipient else outbound
