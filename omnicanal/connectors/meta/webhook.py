"""Messenger and Instagram messaging webhooks (Meta Messenger Platform).

Both post `{"object": "page"|"instagram", "entry": [{"id", "time", "messaging": [...]}]}`;
each messaging item has `sender.id`, `recipient.id` (page-/Instagram-scoped ids, numbers in
some SDK fixtures, strings on the wire), a millisecond `timestamp`, and one event key:
message, postback, delivery, read, reaction, message_edit, optin, referral...
Items in `standby` (another app owns the thread under the handover protocol) parse the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from omnicanal.connectors.base import (
    AttachmentType,
    DeliveryUpdate,
    EventKind,
    IdentityKind,
    InboundAttachment,
    InboundMessage,
    InboundRequest,
    ParsedWebhook,
    Sender,
    SenderIdentity,
    ThreadHints,
)
from omnicanal.connectors.meta.signature import verify, verify_subscription
from omnicanal.connectors.webhooks import (
    Event,
    Skipped,
    as_dict,
    as_list,
    as_text,
    decode_json,
    id_str,
    location_attachment,
    to_parsed,
    utc_from_millis,
)

__all__ = [
    "events",
    "instagram_events",
    "messenger_events",
    "parse",
    "parse_instagram",
    "parse_messenger",
    "verify",
    "verify_subscription",
]

Channel = Literal["messenger", "instagram"]

OBJECTS: dict[str, Channel] = {"page": "messenger", "instagram": "instagram"}
MEDIA_TYPES: dict[str, AttachmentType] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "document",
}
IDENTITY_KINDS = {"messenger": IdentityKind.MESSENGER, "instagram": IdentityKind.INSTAGRAM}

# Events about the thread or the user's consent, not messages an agent should see.
SILENT_EVENTS = (
    "optin",
    "account_linking",
    "referral",
    "policy_enforcement",
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
    "app_roles",
    "messaging_feedback",
    "game_play",
    "response_feedback",
    "messaging_handovers",
)


def parse(request: InboundRequest, channel: Channel) -> ParsedWebhook:
    return to_parsed(events(decode_json(request.body), channel))


def parse_messenger(request: InboundRequest) -> ParsedWebhook:
    return parse(request, "messenger")


def parse_instagram(request: InboundRequest) -> ParsedWebhook:
    return parse(request, "instagram")


def messenger_events(payload: Any) -> list[Event]:
    return events(payload, "messenger")


def instagram_events(payload: Any) -> list[Event]:
    return events(payload, "instagram")


def events(payload: Any, channel: Channel) -> list[Event]:
    """Events of a body; its `object` ("page"/"instagram") wins over the inbox's channel."""
    body = as_dict(payload)
    if not body:
        return [Event(Skipped("not a Messenger/Instagram webhook body"))]
    object_name = as_text(body.get("object"))
    if object_name and object_name not in OBJECTS:
        return [Event(Skipped(f"object {object_name!r} is not Messenger or Instagram"))]
    channel = OBJECTS.get(object_name, channel)
    found: list[Event] = []
    for entry in (as_dict(e) for e in as_list(body.get("entry"))):
        items = as_list(entry.get("messaging")) + as_list(entry.get("standby"))
        for item in items:
            found.extend(_item_events(as_dict(item), channel))
        for change in (as_dict(c) for c in as_list(entry.get("changes"))):
            # Comments, mentions and feed changes come here; they are not conversations.
            found.append(Event(Skipped(f"the {change.get('field')!r} change is not a message")))
    return found or [Event(Skipped("no messaging events in the body"))]


def _item_events(item: Mapping[str, Any], channel: Channel) -> list[Event]:
    sender = id_str(as_dict(item.get("sender")).get("id"))
    recipient = id_str(as_dict(item.get("recipient")).get("id"))
    timestamp = item.get("timestamp")
    if "message" in item:
        message = as_dict(item.get("message"))
        return [_message_event(message, sender, recipient, timestamp, channel, item)]
    if "delivery" in item:
        delivery = as_dict(item.get("delivery"))
        mids = [id_str(m) for m in as_list(delivery.get("mids")) if id_str(m)]
        # Without mids, the watermark says: everything before `timestamp` was delivered.
        return [
            Event(_update(mid, "delivered", "delivery", sender, timestamp), sender, recipient)
            for mid in mids or [""]
        ]
    if "read" in item:
        # Messenger gives a watermark (all messages up to `timestamp`); Instagram a mid.
        mid = id_str(as_dict(item.get("read")).get("mid"))
        return [Event(_update(mid, "read", "read", sender, timestamp), sender, recipient)]
    customer = Sender([SenderIdentity(IDENTITY_KINDS[channel], sender)] if sender else [])
    if "postback" in item:
        postback = as_dict(item.get("postback"))
        # The button's title is what the customer saw and chose; payload is ours.
        chosen = as_text(postback.get("title")) or as_text(postback.get("payload"))
        return [
            Event(
                _inbound(id_str(postback.get("mid")), customer, chosen, timestamp, item,
                         choice_id=as_text(postback.get("payload"))),
                sender,
                recipient,
            )
        ]
    if "reaction" in item:
        reaction = as_dict(item.get("reaction"))
        emoji = as_text(reaction.get("emoji")) if reaction.get("action") != "unreact" else ""
        target = id_str(reaction.get("mid"))
        reacted = _inbound("", customer, emoji, timestamp, item, kind="reaction", reply_to=target)
        return [Event(reacted, sender, recipient)]
    if "message_edit" in item:
        edit = as_dict(item.get("message_edit"))
        target = id_str(edit.get("mid"))
        text = as_text(edit.get("text"))
        edited = _inbound("", customer, text, timestamp, item, kind="edit", reply_to=target)
        return [Event(edited, sender, recipient)]
    for key in SILENT_EVENTS:
        if key in item:
            return [Event(Skipped(f"a {channel} {key} event carries no message"))]
    unknown = _inbound("", customer, "", timestamp, item, kind="unsupported")
    return [Event(unknown, sender, recipient)]


def _update(
    mid: str, status: Literal["delivered", "read"], provider: str, customer: str, timestamp: Any
) -> DeliveryUpdate:
    return DeliveryUpdate(
        external_id=mid,
        status=status,
        provider_status=provider,
        timestamp=utc_from_millis(timestamp),
        recipient=customer,
    )


def _inbound(
    external_id: str,
    sender: Sender,
    text: str,
    timestamp: Any,
    raw: Mapping[str, Any],
    *,
    kind: EventKind = "message",
    reply_to: str = "",
    attachments: list[InboundAttachment] | None = None,
    is_echo: bool = False,
    choice_id: str = "",
) -> InboundMessage:
    return InboundMessage(
        choice_id=choice_id,
        external_id=external_id,
        sender=sender,
        text=text,
        sent_at=utc_from_millis(timestamp),
        attachments=attachments or [],
        thread=ThreadHints(reply_to_external_id=reply_to),
        kind=kind,
        is_outgoing_echo=is_echo,
        raw=dict(raw),
    )


def _message_event(
    message: Mapping[str, Any],
    sender: str,
    recipient: str,
    timestamp: Any,
    channel: Channel,
    item: Mapping[str, Any],
) -> Event:
    is_echo = message.get("is_echo") is True
    # An echo goes from the page to the customer; ingest() files it under the customer.
    customer_id = recipient if is_echo else sender
    customer = Sender([SenderIdentity(IDENTITY_KINDS[channel], customer_id)] if customer_id else [])
    mid = id_str(message.get("mid"))
    reply_to = id_str(as_dict(message.get("reply_to")).get("mid"))
    if message.get("is_deleted") is True:  # Instagram: the customer unsent the message
        deleted = _inbound("", customer, "", timestamp, item, kind="delete", reply_to=mid)
        return Event(deleted, sender, recipient)
    text = as_text(message.get("text"))
    attachments, links = _attachments(message)
    if not text and links:
        text = "\n".join(links)
    if message.get("is_unsupported") is True or not (text or attachments):
        kind: EventKind = "unsupported"
    else:
        kind = "message"
    inbound = _inbound(
        mid,
        customer,
        text,
        timestamp,
        item,
        kind=kind,
        reply_to=reply_to,
        attachments=attachments,
        is_echo=is_echo,
        # A quick reply's text is its title; the payload is the id we gave it.
        choice_id=as_text(as_dict(message.get("quick_reply")).get("payload")),
    )
    return Event(inbound, sender, recipient)


def _attachments(message: Mapping[str, Any]) -> tuple[list[InboundAttachment], list[str]]:
    """Attachments we can represent, and links to shared content we can only point at."""
    found: list[InboundAttachment] = []
    links: list[str] = []
    for attachment in (as_dict(a) for a in as_list(message.get("attachments"))):
        kind = as_text(attachment.get("type"))
        payload = as_dict(attachment.get("payload"))
        url = as_text(payload.get("url"))
        if kind == "image" and payload.get("sticker_id"):
            # The thumbs-up "like" and stickers come as images carrying a sticker_id.
            found.append(InboundAttachment(type="sticker", url_or_id=url))
        elif kind in MEDIA_TYPES:
            found.append(InboundAttachment(type=MEDIA_TYPES[kind], url_or_id=url))
        elif kind == "location":
            coordinates = as_dict(payload.get("coordinates"))
            located = location_attachment(
                coordinates.get("lat"), coordinates.get("long"), as_text(attachment.get("title"))
            )
            if located:
                found.append(located)
        elif url:  # fallback (shared link), share, reel, story_mention...
            links.append(url)
    return found, links
