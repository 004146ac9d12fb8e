"""WhatsApp Cloud API (Meta) webhooks: signature, subscription handshake, parsing.

A body is `{"object": "whatsapp_business_account", "entry": [{"changes": [{"field",
"value"}]}]}`; a `messages` change holds customer messages and statuses of ours, a
`smb_message_echoes` change holds what the business sent from the WhatsApp Business app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicanal.connectors.base import (
    AttachmentType,
    DeliveryStatus,
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
from omnicanal.connectors.meta.signature import compute_signature, verify, verify_subscription
from omnicanal.connectors.webhooks import (
    Event,
    Skipped,
    UnmappedStatus,
    as_dict,
    as_list,
    as_text,
    contact_attachment,
    decode_json,
    id_str,
    join_label,
    location_attachment,
    phone_e164,
    to_parsed,
    utc_from_seconds,
)

__all__ = ["compute_signature", "events", "parse", "parse_payload", "verify", "verify_subscription"]

MEDIA_TYPES: dict[str, AttachmentType] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "document": "document",
    "sticker": "sticker",
}

# "played" is a voice message listened to, which implies it was read.
STATUSES: dict[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "read",
    "failed": "failed",
}


def parse(request: InboundRequest) -> ParsedWebhook:
    return to_parsed(events(decode_json(request.body)))


def parse_payload(payload: Any) -> ParsedWebhook:
    return to_parsed(events(payload))


def events(payload: Any) -> list[Event]:
    body = as_dict(payload)
    if not body:
        return [Event(Skipped("not a WhatsApp webhook body"))]
    if body.get("object", "whatsapp_business_account") != "whatsapp_business_account":
        return [Event(Skipped(f"object {body.get('object')!r} is not a WhatsApp account"))]
    found: list[Event] = []
    for entry in as_list(body.get("entry")):
        for change in as_list(as_dict(entry).get("changes")):
            found.extend(_change_events(as_dict(change)))
    return found or [Event(Skipped("no changes in the body"))]


def _change_events(change: Mapping[str, Any]) -> list[Event]:
    field = as_text(change.get("field")) or "messages"
    value = as_dict(change.get("value"))
    business = address(as_text(as_dict(value.get("metadata")).get("display_phone_number")))
    contacts = [as_dict(c) for c in as_list(value.get("contacts"))]
    if field == "messages":
        found = [
            _message_event(as_dict(m), business, contacts) for m in as_list(value.get("messages"))
        ]
        found += [_status_event(as_dict(s), business) for s in as_list(value.get("statuses"))]
        if not found and value.get("errors"):
            return [Event(Skipped(f"WhatsApp reported errors: {_errors(value.get('errors'))}"))]
        return found or [Event(Skipped("a messages change with no messages or statuses"))]
    if field == "smb_message_echoes":
        return [_echo_event(as_dict(m), business) for m in as_list(value.get("message_echoes"))]
    return [Event(Skipped(f"the {field!r} field carries no conversation"))]


def address(raw: str) -> str:
    """E.164 for a phone number (wa_ids have no "+"), the raw value for anything else."""
    return phone_e164(raw) or raw.strip()


def identities(raw: str) -> list[SenderIdentity]:
    number = phone_e164(raw)
    if number:
        return [
            SenderIdentity(IdentityKind.WHATSAPP, number),
            SenderIdentity(IdentityKind.PHONE, number),
        ]
    # A business-scoped user id (a customer who hides their number behind a username) is
    # no phone number: as a WHATSAPP identity it would fail E.164 normalisation and the
    # message would be lost, so it is an external id, prefixed to keep it apart.
    return [SenderIdentity(IdentityKind.EXTERNAL, f"whatsapp:{raw.strip()}")] if raw.strip() else []


def _profile_name(contacts: list[dict[str, Any]], wa_id: str) -> str:
    matching = [c for c in contacts if id_str(c.get("wa_id")) == wa_id]
    # Placeholders in Meta's own examples do not match; a single contact is the sender.
    chosen = matching or (contacts if len(contacts) == 1 else [])
    return as_text(as_dict(chosen[0].get("profile")).get("name")) if chosen else ""


def _message_event(
    message: Mapping[str, Any], business: str, contacts: list[dict[str, Any]]
) -> Event:
    # Since the 2025 usernames change a customer may come with a business-scoped user id only.
    customer = id_str(message.get("from")) or id_str(message.get("from_user_id"))
    item = _inbound(
        message,
        sender=Sender(identities(customer), _profile_name(contacts, customer)),
        is_echo=False,
    )
    if item is None:
        return Event(Skipped("a welcome request (customer opened the chat) has no content"))
    return Event(item, sender=address(customer), recipient=business)


def _echo_event(message: Mapping[str, Any], business: str) -> Event:
    customer = id_str(message.get("to"))
    # ingest() files messages by contact, so an echo's sender is the customer it went to.
    item = _inbound(message, sender=Sender(identities(customer)), is_echo=True)
    if item is None:
        return Event(Skipped("an echo with no content"))
    sender = address(id_str(message.get("from"))) or business
    return Event(item, sender=sender, recipient=address(customer))


def _inbound(message: Mapping[str, Any], *, sender: Sender, is_echo: bool) -> InboundMessage | None:
    kind: EventKind = "message"
    mtype = as_text(message.get("type"))
    context = as_dict(message.get("context"))
    reply_to = id_str(context.get("id"))
    content: tuple[str, list[InboundAttachment]] | None
    if mtype == "request_welcome":
        return None
    if mtype == "reaction":
        reaction = as_dict(message.get("reaction"))
        kind, reply_to = "reaction", id_str(reaction.get("message_id"))
        # An empty or missing emoji is the customer taking their reaction back.
        content = (as_text(reaction.get("emoji")), [])
    elif mtype == "edit":
        edit = as_dict(message.get("edit"))
        kind, reply_to = "edit", id_str(edit.get("original_message_id"))
        content = _content(as_dict(edit.get("message")))
    elif mtype == "revoke":
        kind = "delete"
        reply_to = id_str(as_dict(message.get("revoke")).get("original_message_id"))
        content = ("", [])
    else:
        content = _content(message)
    if content is None:
        kind, content = "unsupported", ("", [])
    text, attachments = content
    return InboundMessage(
        choice_id=_choice_id(message),
        external_id=id_str(message.get("id")),
        sender=sender,
        text=text,
        sent_at=utc_from_seconds(message.get("timestamp")),
        attachments=attachments,
        thread=ThreadHints(reply_to_external_id=reply_to),
        kind=kind,
        is_outgoing_echo=is_echo,
        raw=dict(message),
    )


def _content(message: Mapping[str, Any]) -> tuple[str, list[InboundAttachment]] | None:
    """Text and attachments of a message object, or None when we cannot represent it."""
    mtype = as_text(message.get("type"))
    if mtype == "text":
        body = as_text(as_dict(message.get("text")).get("body"))
        return (body, []) if body else None
    if mtype in MEDIA_TYPES:
        media = as_dict(message.get(mtype))
        # The media id is what the Graph API downloads from; `url` (newer payloads) expires.
        ref = id_str(media.get("id")) or as_text(media.get("url"))
        if not ref:
            return None
        attachment = InboundAttachment(
            type=MEDIA_TYPES[mtype],
            url_or_id=ref,
            mime_type=as_text(media.get("mime_type")),
            filename=as_text(media.get("filename")),
        )
        return as_text(media.get("caption")), [attachment]
    if mtype == "location":
        place = as_dict(message.get("location"))
        label = join_label(as_text(place.get("name")), as_text(place.get("address")))
        located = location_attachment(place.get("latitude"), place.get("longitude"), label)
        return ("", [located]) if located else None
    if mtype == "contacts":
        cards = [_contact(as_dict(c)) for c in as_list(message.get("contacts"))]
        return ("", cards) if cards else None
    if mtype == "interactive":
        interactive = as_dict(message.get("interactive"))
        itype = as_text(interactive.get("type"))
        reply = as_dict(interactive.get(itype))
        if itype in ("button_reply", "list_reply"):
            # The visible title is what the customer chose; the id is our own payload.
            chosen = as_text(reply.get("title")) or id_str(reply.get("id"))
            return (chosen, []) if chosen else None
        if itype == "nfm_reply":  # a WhatsApp Flow submitted
            answer = as_text(reply.get("body")) or as_text(reply.get("name"))
            return (answer, []) if answer else None
        return None
    if mtype == "button":  # a quick-reply button of a template
        button = as_dict(message.get("button"))
        chosen = as_text(button.get("text")) or as_text(button.get("payload"))
        return (chosen, []) if chosen else None
    if mtype == "order":
        return _order_text(as_dict(message.get("order"))), []
    if mtype == "system":  # e.g. the customer changed their number
        body = as_text(as_dict(message.get("system")).get("body"))
        return (body, []) if body else None
    return None


def _choice_id(message: Mapping[str, Any]) -> str:
    """The id we gave the list row or reply button the customer chose."""
    if as_text(message.get("type")) != "interactive":
        return ""
    interactive = as_dict(message.get("interactive"))
    itype = as_text(interactive.get("type"))
    if itype not in ("button_reply", "list_reply"):
        return ""
    return id_str(as_dict(interactive.get(itype)).get("id"))


def _contact(card: Mapping[str, Any]) -> InboundAttachment:
    name = as_dict(card.get("name"))
    first_last = (as_text(name.get("first_name")), as_text(name.get("last_name")))
    display = as_text(name.get("formatted_name")) or " ".join(p for p in first_last if p)
    phones = [as_dict(p) for p in as_list(card.get("phones"))]
    phone = (as_text(phones[0].get("phone")) or id_str(phones[0].get("wa_id"))) if phones else ""
    return contact_attachment(display, phone)


def _order_text(order: Mapping[str, Any]) -> str:
    """A readable summary, since an order has no other text an agent could see."""
    lines = [as_text(order.get("text"))] if as_text(order.get("text")) else []
    lines.append(f"Order from catalog {id_str(order.get('catalog_id'))}:")
    for product in (as_dict(p) for p in as_list(order.get("product_items"))):
        price = f" at {product.get('item_price')} {as_text(product.get('currency'))}".rstrip()
        lines.append(
            f"- {product.get('quantity')} x {id_str(product.get('product_retailer_id'))}{price}"
        )
    return "\n".join(lines)


def _errors(errors: Any) -> str:
    parts = []
    for error in (as_dict(e) for e in as_list(errors)):
        title = as_text(error.get("title")) or as_text(error.get("message"))
        details = as_text(as_dict(error.get("error_data")).get("details"))
        parts.append(f"{error.get('code')}: {title}" + (f" ({details})" if details else ""))
    return "; ".join(parts)


def _status_event(status: Mapping[str, Any], business: str) -> Event:
    external_id = id_str(status.get("id"))
    provider_status = as_text(status.get("status"))
    timestamp = utc_from_seconds(status.get("timestamp"))
    recipient = address(id_str(status.get("recipient_id")))
    mapped = STATUSES.get(provider_status)
    if mapped is None:
        return Event(
            UnmappedStatus(external_id, provider_status, timestamp),
            sender=business,
            recipient=recipient,
        )
    update = DeliveryUpdate(
        external_id=external_id,
        status=mapped,
        provider_status=provider_status,
        error=_errors(status.get("errors")),
        timestamp=timestamp,
        recipient=recipient,
    )
    return Event(update, sender=business, recipient=recipient)
