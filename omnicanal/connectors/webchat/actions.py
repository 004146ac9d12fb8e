"""What a web chat visitor can do, whatever the transport (websocket or HTTP long polling).

A visitor is a random id the widget keeps in the browser's localStorage. It becomes a
verified WEBCHAT identity (`<inbox id>:<visitor id>`): it is our own token, nobody else can
assert it. A site that knows its user passes `user_id`, `email`, `name` and `user_hash`, the
HMAC-SHA256 of `user_id` under the inbox's secret, computed on the site's server: a good hash
makes the user id (EXTERNAL `<inbox id>:<user id>`) and the e-mail verified identities, so the
chat lands on the customer's contact with their e-mail history. A bad hash is refused. An
e-mail the visitor types is unverified: it never merges, at most it suggests a merge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.photos import photo_url
from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
from omnicanal.connectors.media_links import visitor_links
from omnicanal.connectors.webchat.config import WebchatSettings
from omnicanal.contacts.actions import (
    normalize_identity_value,
    update_contact_attributes,
    validate_attributes,
)
from omnicanal.contacts.models import AttributeDefinition, Contact, Identity
from omnicanal.conversations.actions import apply_delivery_update, note_on_message
from omnicanal.conversations.events import WORKSPACE_GROUP
from omnicanal.conversations.ingest import IngestResult, ingest
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    OutboxEvent,
)
from omnicanal.core.exceptions import DomainError, InvalidInput, NotFound
from omnicanal.core.text import has_poison

logger = logging.getLogger(__name__)

VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# A chat line, not a letter: longer text is refused before it reaches ingest().
MAX_TEXT_LENGTH = 5000
MAX_MESSAGES_PER_PAGE = 200
# Visitor ids of the help center's contact form; the widget's ids start with "v".
FORM_VISITOR_PREFIX = "form-"


class IdentityRefused(DomainError):
    """A `user_hash` that does not sign the `user_id`: the site's snippet is wrong, or
    someone tries to speak as another user."""

    status = 403


class OriginRefused(DomainError):
    status = 403


def find_inbox(site_token: str) -> Inbox:
    inbox = (
        Inbox.objects.filter(
            channel=ChannelKind.WEBCHAT, is_active=True, settings__site_token=site_token
        ).first()
        # No token holds a NUL (PostgreSQL could not even compare one).
        if site_token and not has_poison(site_token)
        else None
    )
    if inbox is None:
        raise NotFound(_("No web chat for this site token."))
    return inbox


def check_origin(inbox: Inbox, origin: str | None) -> WebchatSettings:
    config = WebchatSettings.parse(inbox.settings)
    if not config.allows(origin):
        raise OriginRefused(
            _("The origin %(origin)s may not use this web chat."),
            origin=origin or _("(none)"),
        )
    return config


def user_hash(secret: str, user_id: str) -> str:
    """What the site's server computes: hex HMAC-SHA256(inbox secret, user id)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Visitor:
    inbox: Inbox
    visitor_id: str
    user_id: str = ""
    # Verified, from an identified user; a typed address is never stored here.
    email: str = ""
    name: str = ""

    @property
    def identity_value(self) -> str:
        return f"{self.inbox.pk}:{self.visitor_id}"

    @property
    def group(self) -> str:
        return visitor_group(self.inbox.pk, self.visitor_id)

    def verified_identities(self) -> list[SenderIdentity]:
        identities = []
        if self.user_id:
            identities.append(
                SenderIdentity(IdentityKind.EXTERNAL, f"{self.inbox.pk}:{self.user_id}")
            )
        if self.email:
            identities.append(SenderIdentity(IdentityKind.EMAIL, self.email))
        identities.append(SenderIdentity(IdentityKind.WEBCHAT, self.identity_value))
        return identities

    def sender(self, typed_email: str = "", typed_name: str = "", typed_phone: str = "") -> Sender:
        identities = self.verified_identities()
        if typed_email:
            email = normalize_identity_value(IdentityKind.EMAIL, typed_email)
            if email != self.email:
                identities.append(SenderIdentity(IdentityKind.EMAIL, email, is_verified=False))
        if typed_phone:
            # Typed in a form: never proof of the number, at most a merge suggestion.
            phone = normalize_identity_value(IdentityKind.PHONE, typed_phone)
            identities.append(SenderIdentity(IdentityKind.PHONE, phone, is_verified=False))
        return Sender(identities, self.name or typed_name.strip()[:200])


def visitor_group(inbox_id: int, visitor_id: str) -> str:
    # Channel layer group names allow only ASCII letters, digits, "-", "_" and ".".
    digest = hashlib.sha256(visitor_id.encode()).hexdigest()[:32]
    return f"webchat.{inbox_id}.{digest}"


def identify(inbox: Inbox, visitor_id: str, identity: Mapping[str, Any] | None = None) -> Visitor:
    """The visitor behind a request; raises IdentityRefused for a forged `user_hash`."""
    if not isinstance(visitor_id, str) or not VISITOR_ID.match(visitor_id):
        raise InvalidInput(_("The visitor id must be 16 to 64 letters, digits, - or _."))
    identity = identity or {}
    user_id = str(identity.get("user_id") or "").strip()[:200]
    if not user_id:
        return Visitor(inbox, visitor_id)
    given = str(identity.get("user_hash") or "")
    if not hmac.compare_digest(given.lower(), user_hash(inbox.secret, user_id)):
        raise IdentityRefused(
            _("The user_hash does not match the user_id: compute it on your server as "
              "HMAC-SHA256(inbox secret, user_id) in hex.")
        )
    email = str(identity.get("email") or "").strip()
    return Visitor(
        inbox,
        visitor_id,
        user_id=user_id,
        email=normalize_identity_value(IdentityKind.EMAIL, email) if email else "",
        name=str(identity.get("name") or "").strip()[:200],
    )


def _check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(_("The message is empty."))
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(
            _("A message is at most %(limit)s characters long."), limit=MAX_TEXT_LENGTH
        )
    return text.strip()


def post_message(
    visitor: Visitor, client_id: Any, text: Any, *, email: str = "", name: str = "",
    phone: str = "", attributes: Any = None,
) -> IngestResult:
    """A visitor's message, stored once: the widget's own id is the external id, so a
    message re-sent after a lost connection (or by two transports) is stored one time.
    The pre-chat form's answers come with the first message: `name`, `email` and `phone`
    (unverified identities of the contact) and `attributes` (only the custom attributes the
    inbox's form asks for; checked before anything is stored)."""
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidInput(_("The message id must be 8 to 64 letters, digits, - or _."))
    answers = _prechat_attributes(visitor, attributes)
    inbound = InboundMessage(
        external_id=f"{visitor.visitor_id}:{client_id}",
        sender=visitor.sender(email, name, phone),
        text=_check_text(text),
        sent_at=timezone.now(),
    )
    result = ingest(visitor.inbox, inbound)
    if not result.is_duplicate:
        if answers:
            _record_prechat_attributes(result.conversation_id, answers)
        # The visitor's other tabs show it too; the sending tab knows it by its client id.
        message = Message.objects.select_related("author").get(pk=result.message_id)
        payload = serialize_message(message)
        transaction.on_commit(lambda: push_to_visitor_groups([visitor.group], payload))
    return result


def _prechat_attributes(visitor: Visitor, attributes: Any) -> dict[str, Any]:
    if not attributes:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidInput(_("attributes must be an object."))
    allowed = WebchatSettings.parse(visitor.inbox.settings).prechat_attribute_keys()
    refused = sorted(set(attributes) - allowed)
    if refused:
        # A visitor must not write what the team set (a segment, a value tier…).
        raise InvalidInput(
            _("The chat form does not ask for %(keys)s."), keys=", ".join(map(str, refused))
        )
    values = {key: value for key, value in attributes.items() if value not in (None, "")}
    return validate_attributes(values, partial=True)


def _record_prechat_attributes(conversation_id: int, answers: dict[str, Any]) -> None:
    contact = Conversation.objects.select_related("contact").get(pk=conversation_id).contact
    try:
        update_contact_attributes(contact, answers, actor=None)
    except InvalidInput:
        # Another attribute the schema requires is missing on this contact: the answers are
        # kept on the contact anyway rather than lost (an agent completes the rest).
        Contact.objects.filter(pk=contact.pk).update(
            attributes={**contact.attributes, **answers}
        )


def visitor_contact_ids(visitor: Visitor) -> list[int]:
    values = [i.value for i in visitor.verified_identities() if i.kind != IdentityKind.EMAIL]
    contact_ids = set(
        Identity.objects.filter(is_verified=True, value__in=values).values_list(
            "contact_id", flat=True
        )
    )
    # A merged contact's identities moved, but an id read mid-merge may still point at it.
    merged = Contact.objects.filter(pk__in=contact_ids, merged_into__isnull=False)
    contact_ids |= {c.merged_into_id for c in merged if c.merged_into_id}
    return sorted(contact_ids)


def _visible_messages(visitor: Visitor) -> Any:
    return Message.objects.filter(
        inbox=visitor.inbox,
        conversation__contact_id__in=visitor_contact_ids(visitor),
        direction__in=[Direction.INCOMING, Direction.OUTGOING],
    )


def serialize_message(message: Message) -> dict[str, Any]:
    """What the widget shows. Plain text only: the widget renders it with textContent."""
    is_visitor = message.direction == Direction.INCOMING
    client_id = ""
    if is_visitor and message.external_id and ":" in message.external_id:
        client_id = message.external_id.split(":", 1)[1]
    author = photo = ""
    if not is_visitor and message.author is not None:
        author = message.author.display_name
        photo = photo_url(message.author)
    metadata = message.metadata or {}
    if message.is_bot:
        # The assistant's bot speaks under its own name, never a person's.
        author = str(metadata.get("bot_name") or "")
    return {
        "id": message.pk,
        "client_id": client_id,
        "from": "visitor" if is_visitor else "agent",
        "author": author,
        # A path on this server (the widget prefixes its origin); "" without a photo.
        "author_photo": photo,
        "text": message.sent_text,  # with the agent's signature, if any
        "at": (message.sent_at or message.created_at).isoformat(),
        "status": message.delivery_status,
        # [{name, size, content_type, url}]: signed links that expire (media_links).
        "attachments": visitor_links(message),
        "bot": message.is_bot,
        # [{label, value}]: buttons the widget shows under the bot's message; a click sends
        # the value as the visitor's next message.
        "quick_replies": [
            {"label": str(reply.get("label", "")), "value": str(reply.get("value", ""))}
            for reply in metadata.get("quick_replies", []) if isinstance(reply, dict)
        ] if message.is_bot else [],
        # A survey's scale (the surveys app's metadata): buttons that answer it by its token.
        "survey": _survey_choices(metadata) if not is_visitor else None,
    }


def _survey_choices(metadata: Mapping[str, Any]) -> dict[str, Any] | None:
    survey = metadata.get("survey")
    if not isinstance(survey, dict) or not survey.get("token"):
        return None
    return {
        "token": str(survey["token"]),
        "low_label": str(survey.get("low_label", "")),
        "high_label": str(survey.get("high_label", "")),
        "choices": [
            {"id": str(choice.get("id", "")), "title": str(choice.get("title", ""))}
            for choice in survey.get("choices", []) if isinstance(choice, dict)
        ],
    }


def messages_since(visitor: Visitor, since: int = 0) -> list[dict[str, Any]]:
    rows = (
        _visible_messages(visitor)
        .filter(pk__gt=since)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("id")[:MAX_MESSAGES_PER_PAGE]
    )
    return [serialize_message(m) for m in rows]


def acknowledge(visitor: Visitor, up_to: Any, *, is_read: bool) -> list[int]:
    """The widget shows the agent's messages up to `up_to` (read when the panel is open and
    the page visible, delivered otherwise). Cumulative, so a repeated ack is harmless and a
    lost one is made good by the next. Returns the ids whose status moved."""
    try:
        up_to = int(up_to)
    except (TypeError, ValueError):
        raise InvalidInput(_("up_to must be a message id.")) from None
    status = DeliveryStatus.READ if is_read else DeliveryStatus.DELIVERED
    behind = [DeliveryStatus.SENT] + ([DeliveryStatus.DELIVERED] if is_read else [])
    # A message still "pending" has no provider id yet (the send task has not recorded it):
    # the widget's next ack (every ping) catches it.
    provider_ids = (
        _visible_messages(visitor)
        .filter(pk__lte=up_to, direction=Direction.OUTGOING, delivery_status__in=behind)
        .exclude(provider_message_id="")
        .order_by("-id")
        .values_list("provider_message_id", flat=True)[:50]
    )
    moved = []
    for provider_id in list(provider_ids):
        updated = apply_delivery_update(visitor.inbox.pk, provider_id, status)
        if updated is not None:
            moved.append(updated.pk)
    return moved


def current_conversation(visitor: Visitor) -> Conversation | None:
    return (
        Conversation.objects.filter(
            inbox=visitor.inbox, contact_id__in=visitor_contact_ids(visitor)
        )
        .order_by("-last_activity_at", "-id")
        .first()
    )


class QueueStatus(Protocol):
    @property
    def position(self) -> int: ...

    @property
    def estimated_wait_seconds(self) -> int | None: ...


# The place in line is routing's to compute. Routing sits above the connectors, so it hands
# its lookup over when it starts (`RoutingConfig.ready`) instead of being imported here.
_queue_status: Callable[[int], QueueStatus | None] | None = None


def provide_queue_status(lookup: Callable[[int], QueueStatus | None]) -> None:
    global _queue_status
    _queue_status = lookup


def queue_status(conversation_id: int) -> QueueStatus | None:
    return _queue_status(conversation_id) if _queue_status is not None else None


def conversation_queue(conversation_id: int) -> dict[str, Any] | None:
    """What the widget shows while the conversation waits for an agent ("You are number 3
    in line, about 6 minutes"); None when it does not wait. The caller must know the
    conversation is the visitor's own."""
    status = queue_status(conversation_id)
    if status is None:
        return None
    return {"position": status.position,
            "estimated_wait_seconds": status.estimated_wait_seconds}


def visitor_queue(visitor: Visitor) -> dict[str, Any] | None:
    """The place in line of the visitor's current conversation, never another's."""
    conversation = current_conversation(visitor)
    return conversation_queue(conversation.pk) if conversation is not None else None


def push_queue_on_assignment(event: OutboxEvent) -> None:
    """An agent took a web chat conversation, or it went back to the queue: the visitor's
    widgets change their line at once instead of at their next ping (every 10 s). Only an
    assignment can remove the line; the places of the others in line are left to their
    pings, so that one assignment costs one push, not one per waiting visitor."""
    if event.conversation_id is None:
        return
    conversation = (
        Conversation.objects.filter(pk=event.conversation_id, inbox__channel=ChannelKind.WEBCHAT)
        .only("pk", "inbox_id", "contact_id", "assignee_id")
        .first()
    )
    if conversation is None:
        return
    groups = contact_groups(conversation.inbox_id, conversation.contact_id)

    def push() -> None:
        # Read once the event's handlers committed: routing, which puts an unassigned
        # conversation back in line, handles the same event.
        queue = conversation_queue(conversation.pk) if conversation.assignee_id is None else None
        for group in groups:
            _group_send(group, {"type": "webchat.queue", "queue": queue})

    transaction.on_commit(push)


def push_reply_on_creation(event: OutboxEvent) -> None:
    """`message.created` subscriber: an agent's (or a rule's) reply in a web chat reaches the
    visitor's open widgets as soon as it is stored, not when the send task runs.

    Why here and not in `WebchatAdapter.send`: the send task runs in the worker, and with the
    embedded runtime's in-memory channel layer a push from the worker's process never reaches
    the sockets, which live in the web process; the visitor then waited for the widget's next
    ping (up to 10 s). This handler runs right after the reply's transaction commits, in the
    process that wrote it: for a reply from the workspace that is the web process, which
    holds the sockets. With Redis any process reaches them. Should the push be lost (a
    catch-up dispatch in the worker, a layer error), the widget's ping reads the stored
    reply: the push is a convenience on top of the database, never the only way."""
    if event.payload.get("direction") != Direction.OUTGOING:
        return
    message = (
        Message.objects.select_related("author", "conversation")
        .filter(
            pk=event.payload.get("message_id"), direction=Direction.OUTGOING,
            inbox__channel=ChannelKind.WEBCHAT, inbox__is_active=True,
        )
        .first()
    )
    if message is None:
        return
    groups = contact_groups(message.inbox_id, message.conversation.contact_id)
    if not groups:
        return
    payload = serialize_message(message)

    def push() -> None:
        try:
            push_to_visitor_groups(groups, payload)
        except Exception:
            # Logged, not raised: the handler's work (nothing) is done; the ping catches up.
            logger.exception("web chat push failed for message %s", message.pk)

    transaction.on_commit(push)


def notify_visitor_typing(visitor: Visitor, is_typing: bool) -> dict[str, Any] | None:
    """Tell the agents' workspaces the visitor is typing. Ephemeral: no outbox row, a lost
    indicator is of no consequence. Returns the event pushed (None before any message)."""
    conversation = current_conversation(visitor)
    if conversation is None:
        return None
    event = {
        "kind": "conversation.typing",
        "conversation_id": conversation.pk,
        "inbox_id": conversation.inbox_id,
        "contact_id": conversation.contact_id,
        "assignee_id": conversation.assignee_id,
        "by": "customer",
        "is_typing": bool(is_typing),
    }
    _group_send(WORKSPACE_GROUP, {"type": "omnicanal.event", "event": event})
    return event


def contact_groups(inbox_id: int, contact_id: int) -> list[str]:
    """Every visitor group (one per browser the customer chatted from) of a contact."""
    prefix = f"{inbox_id}:"
    values = (
        Identity.objects.filter(
            contact_id=contact_id, kind=IdentityKind.WEBCHAT, is_verified=True,
            value__startswith=prefix,
        )
        # The help center's contact form (knowledge.actions) has no widget to push to.
        .exclude(value__startswith=f"{prefix}{FORM_VISITOR_PREFIX}")
        .values_list("value", flat=True)
    )
    return [visitor_group(inbox_id, v.removeprefix(prefix)) for v in values]


def notify_agent_typing(conversation: Conversation, agent_name: str, is_typing: bool) -> int:
    """Show "<agent> is typing…" in the visitor's widget; returns the groups reached."""
    groups = contact_groups(conversation.inbox_id, conversation.contact_id)
    for group in groups:
        _group_send(
            group, {"type": "webchat.typing", "name": agent_name, "is_typing": bool(is_typing)}
        )
    return len(groups)


def push_to_visitor_groups(groups: list[str], payload: dict[str, Any]) -> None:
    for group in groups:
        _group_send(group, {"type": "webchat.message", "message": payload})


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, message)


def record_email_copy(message_id: int, email_message_id: str, recipient: str) -> Message:
    """Note on the agent's reply that it went by e-mail (the visitor had left): the
    Message-ID threads the customer's mail answer back here (see `mail.py`)."""
    return note_on_message(
        message_id, "email",
        {"message_id": email_message_id, "to": recipient, "sent_at": timezone.now().isoformat()},
        change="webchat_emailed",
    )


def is_seen(message: Message) -> bool:
    return message.delivery_status in (DeliveryStatus.DELIVERED, DeliveryStatus.READ)


Opening = tuple[bool, dt.datetime | None]
# Routing's business calendars, handed over when routing starts (it sits above connectors):
# (moment, calendar id or None for the default one) -> (is open, next opening) or None.
_opening: Callable[[dt.datetime, int | None], Opening | None] | None = None


def provide_opening(lookup: Callable[[dt.datetime, int | None], Opening | None]) -> None:
    global _opening
    _opening = lookup


def opening_status(config: WebchatSettings, now: dt.datetime | None = None) -> dict[str, Any]:
    """Whether the team is in: by the business calendar the inbox names, else its own
    `business_hours`, else the default business calendar (holidays and special days
    included), else always open."""
    now = now or timezone.now()
    use_calendar = config.business_calendar_id is not None or not config.has_own_hours
    if use_calendar and _opening is not None:
        found = _opening(now, config.business_calendar_id)
        if found is not None:
            is_open, next_opening = found
            return {"is_open": is_open,
                    "next_opening": next_opening.isoformat() if next_opening else None}
    next_opening = config.business_hours.next_opening(now)
    return {
        "is_open": config.business_hours.is_open(now),
        "next_opening": next_opening.isoformat() if next_opening else None,
    }


def prechat_form(config: WebchatSettings) -> list[dict[str, Any]]:
    """The pre-chat form's fields as the widget draws them. The widget has its own texts for
    name, e-mail and phone; a custom attribute brings its label, type and choices."""
    definitions = {
        d.key: d for d in AttributeDefinition.objects.filter(
            key__in=[f.key for f in config.prechat if f.is_attribute]
        )
    }
    fields: list[dict[str, Any]] = []
    for item in config.prechat:
        if not item.is_attribute:
            fields.append({"key": item.key, "type": item.key, "required": item.is_required})
            continue
        definition = definitions.get(item.key)
        if definition is None:
            continue  # deleted since the inbox was saved
        fields.append({
            "key": item.key, "attribute": True, "label": definition.label,
            "type": definition.type, "choices": list(definition.choices or []),
            "required": item.is_required,
        })
    return fields
