"""Telegram Bot API webhooks: the secret-token check and Update parsing.

Telegram signs nothing: `setWebhook(secret_token=...)` makes it send that token back in
`X-Telegram-Bot-Api-Secret-Token`. One Update holds exactly one of message, edited_message,
channel_post, callback_query, ... next to `update_id`. Message ids are only unique within a
chat, so a message's external id is `<chat id>:<message id>`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from omnicanal.connectors.base import (
    AttachmentType,
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
from omnicanal.connectors.survey_choices import title_from_choice_id
from omnicanal.connectors.webhooks import (
    Event,
    Skipped,
    as_dict,
    as_list,
    as_text,
    contact_attachment,
    decode_json,
    header,
    id_str,
    join_label,
    location_attachment,
    to_parsed,
    utc_from_seconds,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name

MEDIA_FIELDS: dict[str, AttachmentType] = {
    "audio": "audio",
    "voice": "audio",
    "video": "video",
    "video_note": "video",
    "sticker": "sticker",
}
MESSAGE_UPDATES = ("message", "channel_post", "business_message")
EDIT_UPDATES = ("edited_message", "edited_channel_post", "edited_business_message")
# Updates about the bot, its inline mode, payments, polls or chat membership: no message.
SILENT_UPDATES = (
    "inline_query",
    "chosen_inline_result",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "message_reaction_count",
    "business_connection",
)
# Service messages: someone joined, the title changed, a message was pinned...
SERVICE_FIELDS = (
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
    "channel_chat_created",
    "message_auto_delete_timer_changed",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "pinned_message",
    "users_shared",
    "chat_shared",
    "connected_website",
    "write_access_allowed",
    "proximity_alert_triggered",
    "boost_added",
    "chat_background_set",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "general_forum_topic_hidden",
    "general_forum_topic_unhidden",
    "giveaway_created",
    "giveaway_completed",
    "video_chat_scheduled",
    "video_chat_started",
    "video_chat_ended",
    "video_chat_participants_invited",
)


def verify(request: InboundRequest, secret: str) -> bool:
    """Whether the request carries the secret token given to setWebhook.

    An inbox without a secret cannot tell Telegram from anyone else, so it verifies nothing.
    """
    received = header(request, SECRET_HEADER)
    if not secret or received is None:
        return False
    return hmac.compare_digest(received.encode(), secret.encode())


def parse(request: InboundRequest) -> ParsedWebhook:
    return to_parsed(events(decode_json(request.body)))


def parse_payload(update: Any) -> ParsedWebhook:
    return to_parsed(events(update))


def events(payload: Any) -> list[Event]:
    update = as_dict(payload)
    if not update:
        return [Event(Skipped("not a Telegram Update"))]
    for key in MESSAGE_UPDATES:
        if key in update:
            return [_message_event(as_dict(update[key]), "message", update)]
    for key in EDIT_UPDATES:
        if key in update:
            return [_message_event(as_dict(update[key]), "edit", update)]
    if "callback_query" in update:
        return [_callback_event(as_dict(update["callback_query"]), update)]
    if "message_reaction" in update:
        return [_reaction_event(as_dict(update["message_reaction"]), update)]
    if "deleted_business_messages" in update:
        return _deleted_events(as_dict(update["deleted_business_messages"]), update)
    for key in SILENT_UPDATES:
        if key in update:
            return [Event(Skipped(f"a {key} update carries no conversation message"))]
    if set(update) <= {"update_id"}:
        return [Event(Skipped("an Update with no content"))]
    return [_unknown_event(update)]


def _name(party: Mapping[str, Any]) -> str:
    full = " ".join(
        p for p in (as_text(party.get("first_name")), as_text(party.get("last_name"))) if p
    )
    return full or as_text(party.get("title")) or as_text(party.get("username"))


def _sender(party: Mapping[str, Any]) -> Sender:
    party_id = id_str(party.get("id"))
    identities = [SenderIdentity(IdentityKind.TELEGRAM, party_id)] if party_id else []
    return Sender(identities, _name(party))


def _author(message: Mapping[str, Any]) -> Mapping[str, Any]:
    """Who wrote it: the user, else the chat posting (channels, anonymous admins)."""
    for key in ("from", "sender_chat", "chat"):
        party = as_dict(message.get(key))
        if id_str(party.get("id")):
            return party
    return {}


def _message_ref(message: Mapping[str, Any], chat_id: str) -> str:
    message_id = id_str(message.get("message_id"))
    own_chat = id_str(as_dict(message.get("chat")).get("id")) or chat_id
    return f"{own_chat}:{message_id}" if own_chat and message_id else ""


def _message_event(message: Mapping[str, Any], kind: EventKind, update: Mapping[str, Any]) -> Event:
    chat_id = id_str(as_dict(message.get("chat")).get("id"))
    author = _author(message)
    sender = id_str(author.get("id")) or chat_id
    if kind == "message" and any(field in message for field in SERVICE_FIELDS):
        return Event(Skipped("a service message (members, title, pins...)"))
    content = _content(message)
    text, attachments = content if content else ("", [])
    reference = _message_ref(message, chat_id)
    reply = as_dict(message.get("reply_to_message"))
    external_reply = as_dict(message.get("external_reply"))
    reply_to = _message_ref(reply, chat_id) if reply else _message_ref(external_reply, "")
    if kind == "edit":
        # An edit has no id of its own: it refers to the message it changes, as edits do.
        reply_to = reference
    # The moment of the edit, for an edit; Telegram keeps `date` as the original's.
    moment = message.get("edit_date") if kind == "edit" else None
    inbound = InboundMessage(
        external_id=reference,
        sender=_sender(author),
        text=text,
        sent_at=utc_from_seconds(moment or message.get("date")),
        attachments=attachments,
        thread=ThreadHints(reply_to_external_id=reply_to),
        kind="unsupported" if content is None else kind,
        raw=dict(update),
    )
    # The bot's own id is not in the Update: `to` is the chat the message was posted in.
    return Event(inbound, sender=sender, recipient=chat_id)


def _pixels(size: Mapping[str, Any]) -> int:
    width, height = size.get("width"), size.get("height")
    return width * height if isinstance(width, int) and isinstance(height, int) else 0


def _largest_photo(sizes: list[Any]) -> Mapping[str, Any]:
    """Telegram sends every thumbnail size of a photo; the agent wants the full one."""
    candidates = [as_dict(s) for s in sizes if as_text(as_dict(s).get("file_id"))]
    return max(candidates, key=_pixels, default={})


def _content(message: Mapping[str, Any]) -> tuple[str, list[InboundAttachment]] | None:
    """Text and attachments, or None for content we cannot show (polls, dice, games...)."""
    text = as_text(message.get("text")) or as_text(message.get("caption"))
    found: list[InboundAttachment] = []

    def add(kind: AttachmentType, media: Mapping[str, Any]) -> None:
        file_id = as_text(media.get("file_id"))
        if file_id:
            found.append(
                InboundAttachment(
                    type=kind,
                    url_or_id=file_id,
                    mime_type=as_text(media.get("mime_type")),
                    filename=as_text(media.get("file_name")),
                )
            )

    if "photo" in message:
        add("image", _largest_photo(as_list(message.get("photo"))))
    if "animation" in message:
        add("video", as_dict(message.get("animation")))
    elif "document" in message:
        # An animation also comes as `document` for old clients: keep only one of the two.
        add("document", as_dict(message.get("document")))
    for key, kind in MEDIA_FIELDS.items():
        if key in message:
            add(kind, as_dict(message.get(key)))
    if "location" in message:
        place = as_dict(message.get("location"))
        venue = as_dict(message.get("venue"))
        label = join_label(as_text(venue.get("title")), as_text(venue.get("address")))
        located = location_attachment(place.get("latitude"), place.get("longitude"), label)
        if located:
            found.append(located)
    if "contact" in message:
        card = as_dict(message.get("contact"))
        found.append(
            contact_attachment(
                _name(card), as_text(card.get("phone_number")), as_text(card.get("vcard"))
            )
        )
    return (text, found) if text or found else None


def _button_text(message: Mapping[str, Any], data: str) -> str:
    """The label of the inline keyboard button whose callback_data was `data`."""
    keyboard = as_list(as_dict(message.get("reply_markup")).get("inline_keyboard"))
    for row in keyboard:
        for button in (as_dict(b) for b in as_list(row)):
            if data and button.get("callback_data") == data:
                return as_text(button.get("text"))
    return ""


def _callback_event(query: Mapping[str, Any], update: Mapping[str, Any]) -> Event:
    user = as_dict(query.get("from"))
    message = as_dict(query.get("message"))
    chat_id = id_str(as_dict(message.get("chat")).get("id"))
    data = as_text(query.get("data"))
    # Only the button's data comes back; its visible text is in the message's keyboard when
    # the bot can still see that message (not for inline-mode messages).
    chosen = (
        _button_text(message, data) or title_from_choice_id(data) or data
        or as_text(query.get("game_short_name"))
    )
    reply_to = (
        _message_ref(message, chat_id) if message else as_text(query.get("inline_message_id"))
    )
    inbound = InboundMessage(
        # Several taps on one message's buttons are several answers: the query id is unique.
        external_id=id_str(query.get("id")),
        sender=_sender(user),
        text=chosen,
        thread=ThreadHints(reply_to_external_id=reply_to),
        kind="message" if chosen else "unsupported",
        raw=dict(update),
        choice_id=data,
    )
    return Event(inbound, sender=id_str(user.get("id")), recipient=chat_id)


def _reaction_event(reaction: Mapping[str, Any], update: Mapping[str, Any]) -> Event:
    chat_id = id_str(as_dict(reaction.get("chat")).get("id"))
    actor = as_dict(reaction.get("user")) or as_dict(reaction.get("actor_chat"))
    emoji = "".join(
        as_text(r.get("emoji"))
        for r in (as_dict(x) for x in as_list(reaction.get("new_reaction")))
        if r.get("type") == "emoji"
    )
    message_id = id_str(reaction.get("message_id"))
    inbound = InboundMessage(
        external_id="",  # a reaction has no id of its own
        sender=_sender(actor),
        text=emoji,  # empty: the reaction was taken back
        sent_at=utc_from_seconds(reaction.get("date")),
        thread=ThreadHints(reply_to_external_id=f"{chat_id}:{message_id}"),
        kind="reaction",
        raw=dict(update),
    )
    return Event(inbound, sender=id_str(actor.get("id")) or chat_id, recipient=chat_id)


def _deleted_events(deleted: Mapping[str, Any], update: Mapping[str, Any]) -> list[Event]:
    chat = as_dict(deleted.get("chat"))
    chat_id = id_str(chat.get("id"))
    found = []
    for message_id in (id_str(m) for m in as_list(deleted.get("message_ids"))):
        inbound = InboundMessage(
            external_id="",
            sender=_sender(chat),
            thread=ThreadHints(reply_to_external_id=f"{chat_id}:{message_id}"),
            kind="delete",
            raw=dict(update),
        )
        found.append(Event(inbound, sender=chat_id, recipient=chat_id))
    return found or [Event(Skipped("a deletion naming no messages"))]


def _unknown_event(update: Mapping[str, Any]) -> Event:
    """An Update type newer than this parser: kept as unsupported, never dropped."""
    body = next((as_dict(v) for k, v in update.items() if k != "update_id" and as_dict(v)), {})
    chat_id = id_str(as_dict(body.get("chat")).get("id"))
    author = as_dict(body.get("from")) or as_dict(body.get("user")) or as_dict(body.get("chat"))
    inbound = InboundMessage(
        external_id=f"update:{id_str(update.get('update_id'))}",
        sender=_sender(author),
        sent_at=utc_from_seconds(body.get("date")),
        kind="unsupported",
        raw=dict(update),
    )
    return Event(inbound, sender=id_str(author.get("id")) or chat_id, recipient=chat_id)
