"""E-mail threading: which conversation a mail belongs to, and the Message-IDs we send.

The rule, in order (ARCHITECTURE "Threading"):
1. In-Reply-To, then References from the newest, against every Message-ID stored in the inbox:
   customers' mails (`Message.external_id`) and ours (`Message.provider_message_id`, plus the
   message pk signed into our own ids, for a reply that beats our "sent" bookkeeping);
2. a stored mail that names this one (the original arriving after a reply to it);
3. a `[#1234]` conversation token in the subject.
Every match is scoped to the sender's contact: a stranger quoting a thread starts their own.
A match on a conversation resolved longer ago than the reopen window starts a new conversation
linked to it (`previous`); no match starts a new conversation, as a new mail is a new request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.conf import settings
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from omnicanal.connectors.base import InboundMessage, OutboundMessage, OutgoingAttachment
from omnicanal.connectors.email.parsing import ParsedEmail
from omnicanal.connectors.models import EmailReference
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import (
    Conversation,
    Direction,
    Inbox,
    Message,
    Status,
)

MAX_KEY_LENGTH = 255
# References can grow without bound in long threads; RFC 5322 §3.6.4 lets a writer trim the
# middle. The first (the thread's root) and the most recent ones are what clients thread on.
MAX_REFERENCES = 20

SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
_OUR_ID = re.compile(r"^<oc\.(\d{1,18})\.([0-9a-f]{16})@[^<>\s]+>$")
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|odp|ynt|fw|fwd|tr|wg|rv|enc|doorst)(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
_MESSAGE_ID_SALT = "omnicanal.connectors.email.message-id"


# --- keys ----------------------------------------------------------------------------------


def message_key(message_id: str) -> str:
    """The external id a Message-ID is stored under: itself, or a digest when it is longer
    than the column (some list servers produce such ids)."""
    message_id = message_id.strip()
    if len(message_id) <= MAX_KEY_LENGTH:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()


def content_key(parsed: ParsedEmail) -> str:
    """An id for a mail without Message-ID: a digest of what stays the same when the same
    mail arrives twice (IMAP re-read, raw-MIME retry), not of the transport headers
    (Received, Delivered-To) that differ between routes."""
    digest = hashlib.sha256()
    sender = parsed.sender.address if parsed.sender else ""
    date = parsed.date.isoformat() if parsed.date else ""
    for value in (sender, date, parsed.subject, parsed.text, parsed.html):
        digest.update(value.encode("utf-8", "replace"))
        digest.update(b"\0")
    for attachment in parsed.attachments:
        digest.update(hashlib.sha256(attachment.content).digest())
    return "sha256:" + digest.hexdigest()


def external_id_for(parsed: ParsedEmail) -> str:
    return message_key(parsed.message_id) if parsed.message_id else content_key(parsed)


def _token(message_pk: int) -> str:
    return salted_hmac(_MESSAGE_ID_SALT, str(message_pk)).hexdigest()[:16]


def our_message_id(message_pk: int, domain: str) -> str:
    """Our Message-ID for an outgoing message: derived from its pk, so that a retried send
    reuses it (the recipient's server can drop the duplicate), and signed, so that a crafted
    reference cannot claim to be one of ours."""
    return f"<oc.{message_pk}.{_token(message_pk)}@{domain or 'localhost'}>"


def our_message_pk(message_id: str) -> int | None:
    match = _OUR_ID.match(message_id.strip())
    if match is None:
        return None
    pk = int(match[1])
    return pk if constant_time_compare(match[2], _token(pk)) else None


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and conversation tokens."""
    subject = SUBJECT_TOKEN.sub("", subject)
    subject = _SUBJECT_PREFIX.sub("", subject)
    return " ".join(subject.split())


def reply_subject(subject: str, conversation_id: int, *, is_reply: bool) -> str:
    """`Re: <subject> [#id]`: the token lets a reply from a client that drops the threading
    headers (webmail forms, some mobile apps) still find its conversation."""
    clean = clean_subject(subject)
    token = f"[#{conversation_id}]"
    text = f"{clean} {token}" if clean else token
    return f"Re: {text}" if is_reply and clean else text


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def referenced_ids(in_reply_to: str, references: Sequence[str]) -> list[str]:
    """Most specific first: In-Reply-To names the parent, References ends with it."""
    return _unique([in_reply_to, *reversed(references)])


# --- the threading rule --------------------------------------------------------------------


def find_conversation(inbox: Inbox, contact: Contact, inbound: InboundMessage) -> Conversation:
    """ingest()'s `threading=` rule for e-mail. Runs inside ingest()'s transaction.

    It also writes the mail's reference rows (`EmailReference`): they must commit or roll
    back with the message, and this is the one hook that runs inside that transaction.
    Returns an unsaved Conversation when the mail starts a new one.
    """
    now = timezone.now()
    # Serialise one contact's concurrent mails (PostgreSQL; SQLite's IMMEDIATE transactions
    # already do): a reply and its original stored side by side would otherwise not see each
    # other and start two conversations.
    Contact.objects.select_for_update().filter(pk=contact.pk).first()
    ids = referenced_ids(inbound.thread.in_reply_to, inbound.thread.references)
    _remember_references(inbox, inbound.external_id, ids)
    conversation_id = (
        _by_references(inbox, contact, ids)
        or _by_later_replies(inbox, contact, inbound.external_id)
        or _by_subject_token(inbox, contact, inbound.thread.subject)
    )
    if conversation_id is None and inbound.is_auto_reply:
        # A vacation notice that dropped the headers answers the last thing we sent.
        conversation_id = (
            Conversation.objects.filter(inbox=inbox, contact=contact)
            .order_by("-last_activity_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
    if conversation_id is None:
        return Conversation(inbox=inbox, contact=contact, last_activity_at=now)
    return _continue(conversation_id, inbound, now)


def _remember_references(inbox: Inbox, key: str, ids: Sequence[str]) -> None:
    rows = [
        EmailReference(inbox=inbox, message_key=key, referenced_key=message_key(i))
        for i in ids
        if message_key(i) != key
    ]
    if rows:
        EmailReference.objects.bulk_create(rows, ignore_conflicts=True)


def _by_references(inbox: Inbox, contact: Contact, ids: Sequence[str]) -> int | None:
    if not ids:
        return None
    keys = [message_key(i) for i in ids]
    ours = {pk: i for i in ids if (pk := our_message_pk(i)) is not None}
    rows = (
        Message.objects.filter(inbox=inbox, conversation__contact=contact)
        .filter(
            Q(external_id__in=keys)
            | Q(provider_message_id__in=ids)
            | Q(pk__in=list(ours), direction=Direction.OUTGOING)
        )
        .values_list("conversation_id", "external_id", "provider_message_id", "pk")
    )
    rank = {key: position for position, key in enumerate(keys)}
    rank.update({i: position for position, i in enumerate(ids)})
    best: tuple[int, int] | None = None
    for conversation_id, external_id, provider_id, pk in rows:
        position = min(
            rank.get(external_id or "", len(ids)),
            rank.get(provider_id, len(ids)),
            rank.get(ours.get(pk, ""), len(ids)),
        )
        if best is None or position < best[0]:
            best = (position, conversation_id)
    return best[1] if best else None


def _by_later_replies(inbox: Inbox, contact: Contact, key: str) -> int | None:
    referring = EmailReference.objects.filter(inbox=inbox, referenced_key=key).values("message_key")
    return (
        Message.objects.filter(
            inbox=inbox, external_id__in=referring, conversation__contact=contact
        )
        .order_by("created_at", "id")
        .values_list("conversation_id", flat=True)
        .first()
    )


def _by_subject_token(inbox: Inbox, contact: Contact, subject: str) -> int | None:
    tokens = [int(t) for t in SUBJECT_TOKEN.findall(subject)]
    if not tokens:
        return None
    return (
        Conversation.objects.filter(pk__in=tokens, inbox=inbox, contact=contact)
        .order_by("-last_activity_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )


def _continue(conversation_id: int, inbound: InboundMessage, now: dt.datetime) -> Conversation:
    # Locked like ingest's default rule, so concurrent replies serialise on the conversation.
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    # A late reply to an old thread may already have started a linked conversation: follow
    # the links, or every further reply to the old thread would start yet another one.
    for _ in range(50):
        newer = (
            Conversation.objects.select_for_update()
            .filter(
                previous=conversation,
                inbox_id=conversation.inbox_id,
                contact_id=conversation.contact_id,
            )
            .order_by("-id")
            .first()
        )
        if newer is None:
            break
        conversation = newer
    if conversation.status != Status.RESOLVED or inbound.is_auto_reply:
        return conversation
    window = dt.timedelta(seconds=settings.REOPEN_WINDOW_SECONDS)
    if conversation.resolved_at is not None and now - conversation.resolved_at <= window:
        return conversation
    return Conversation(
        inbox_id=conversation.inbox_id,
        contact_id=conversation.contact_id,
        previous=conversation,
        subject=conversation.subject,
        last_activity_at=now,
    )


# --- outgoing headers ----------------------------------------------------------------------


def _stored_id(message: Message) -> str:
    """The Message-ID a stored message went by, or "" (content-hash keys are not ids)."""
    if message.direction == Direction.OUTGOING:
        return message.provider_message_id
    external_id = message.external_id or ""
    return external_id if external_id.startswith("<") else ""


def _read(file: FieldFile) -> bytes:
    with file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def with_thread_headers(message: Message, outbound: OutboundMessage) -> OutboundMessage:
    """Fill In-Reply-To, References, the e-mail recipient and the files of an outgoing mail.

    The parent is the latest earlier mail of the conversation with a Message-ID; References
    carry the parent's own References (the customer's side of the thread), then every id of
    the conversation up to the parent, so that any client threads the answer.
    """
    from omnicanal.contacts.models import Identity

    earlier = list(
        message.conversation.messages.filter(
            direction__in=[Direction.INCOMING, Direction.OUTGOING], pk__lt=message.pk,
            # A conversation may mix channels (a merge, a reply by SMS): only mails thread.
            inbox__channel="email",
        ).order_by("created_at", "id")
    )
    with_ids = [(m, _stored_id(m)) for m in earlier if _stored_id(m)]
    parent, parent_id = with_ids[-1] if with_ids else (None, "")
    references: list[str] = []
    if parent is not None:
        stored = parent.metadata.get("references") or []
        references = _unique([*(str(r) for r in stored), *(i for _, i in with_ids)])
        if len(references) > MAX_REFERENCES:
            references = [references[0], *references[-(MAX_REFERENCES - 1) :]]
    recipient = (
        Identity.objects.filter(
            contact_id=message.conversation.contact_id,
            kind="email",
            is_undeliverable=False,
        )
        .order_by("-is_verified", "id")
        .values_list("value", flat=True)
        .first()
    )
    attachments = tuple(
        OutgoingAttachment(
            filename=a.filename or "attachment",
            content_type=a.content_type or "application/octet-stream",
            content=_read(a.file),
        )
        for a in message.attachments.all()
        if a.file
    )
    return replace(
        outbound,
        recipient=recipient or "",
        in_reply_to=parent_id,
        references=tuple(references),
        attachments=attachments,
    )
