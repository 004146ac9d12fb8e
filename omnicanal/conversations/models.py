from __future__ import annotations

import re
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnicanal.contacts.models import Contact


class ChannelKind(models.TextChoices):
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    WEBCHAT = "webchat", _("Web chat")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    TELEGRAM = "telegram", _("Telegram")
    VOICE = "voice", _("Voice")


def new_inbox_secret() -> str:
    return secrets.token_urlsafe(32)


class Inbox(models.Model):
    """A channel the team receives on: its kind plus the provider settings its adapter reads."""

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    # Provider settings (addresses, account ids, webhook URL); each adapter parses its own.
    settings = models.JSONField(default=dict, blank=True)
    # Signs what we send to the inbox's webhook and checks what providers send us.
    secret = models.CharField(max_length=100, default=new_inbox_secret)
    is_active = models.BooleanField(default=True)
    # The assistant answers new conversations of this inbox first and hands over to a human
    # (off by default; the assistant app's settings page turns it on where it can answer).
    bot_enabled = models.BooleanField(_("bot answers first"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return self.name


# A title fits one line of the list beside the contact's name (about 60 characters).
TITLE_LENGTH = 60


def summarize(text: str, limit: int = TITLE_LENGTH) -> str:
    """The text on one line, cut at a word boundary to at most `limit` characters with "…"
    (a single word longer than that is cut where it must be)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Label(models.Model):
    """A tag agents put on conversations ("refund", "bug") to find and count them later."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    # A CSS colour name or #rrggbb; only used to tell labels apart at a glance.
    color = models.CharField(_("colour"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name

    @property
    def css_color(self) -> str:
        """The colour if it is #rrggbb (older labels may hold a CSS name), for a style attribute."""
        return self.color if re.fullmatch(r"#[0-9a-fA-F]{6}", self.color) else ""


class Conversation(models.Model):
    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # A reply after the reopen window starts a new conversation that points to the old one.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField()
    # When the customer started waiting for us; null while the last word is ours.
    waiting_since = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    # Set when an agent merged this conversation into another: its messages live there now,
    # and a customer writing to it again is led to that one (ingest follows the link).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    # When the next running SLA target falls due (a past moment: breached); null when none
    # runs. The SLA clocks are the routing app's, which alone writes this copy (routing.sla),
    # so that the list's "SLA due" order reads an indexed column instead of every clock.
    sla_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # While true the bot holds the conversation and routing leaves it alone; the bot's
    # handover clears it (and the customer's "agent" always does).
    with_bot = models.BooleanField(default=False)
    # Triage of the customer's latest message (written by the assistant through
    # `conversations.actions.record_triage`): what routing and automation rules read.
    intent = models.CharField(_("intent"), max_length=100, blank=True)
    intent_confidence = models.FloatField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    is_urgent = models.BooleanField(_("urgent"), default=False)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            # Keyset pagination of every list: newest activity first, id breaks ties.
            models.Index(fields=["-last_activity_at", "-id"], name="conv_activity"),
            models.Index(
                fields=["status", "-last_activity_at", "-id"], name="conv_status_activity"
            ),
            models.Index(fields=["assignee", "status", "-last_activity_at"], name="conv_assignee"),
            # The list's other orders (queries.ListSort): waiting longest, then priority.
            models.Index(fields=["status", "waiting_since", "id"], name="conv_status_waiting"),
            models.Index(fields=["status", "sla_due_at", "id"], name="conv_status_sla_due"),
            models.Index(
                fields=["status", "priority", "-last_activity_at", "-id"],
                name="conv_status_priority",
            ),
            models.Index(fields=["contact", "inbox", "status"], name="conv_contact_inbox"),
            models.Index(fields=["team", "status", "-last_activity_at"], name="conv_team"),
            # Covers the view counts of every list page (queries.view_counts): counted from
            # the index without reading the rows.
            models.Index(fields=["status", "assignee", "team"], name="conv_counts"),
            # What the wake-up command scans: only snoozed rows carry a time.
            models.Index(
                fields=["snoozed_until"],
                condition=models.Q(status="snoozed", snoozed_until__isnull=False),
                name="conv_snoozed_until",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}".strip()

    @property
    def title(self) -> str:
        """What every screen calls the conversation: its subject (an e-mail's, or the first
        line of its first message as ingest() stored it) on one line, cut at a word."""
        return summarize(self.subject) or gettext("(no subject)")


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
    NOTE = "note", _("Internal note")
    ACTIVITY = "activity", _("Activity")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    # Sent, then refused on the way (a carrier, a handset): not delivered, with the reason.
    UNDELIVERED = "undelivered", _("Not delivered")


# Where a reply keeps its author's signature (`Message.signature`).
SIGNATURE_KEY = "signature"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Denormalised from the conversation so that the unique constraint below can name it.
    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    # Sanitised with nh3 before it is stored; never rendered from the raw input.
    html = models.TextField(blank=True)
    # The customer's message id at the provider: what makes ingest() idempotent.
    # NULL, not "", for our own messages: the unique constraint ignores NULLs.
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    # The provider's id for a message we sent, to match delivery statuses.
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    failure_reason = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    is_unsupported = models.BooleanField(default=False)
    is_auto_reply = models.BooleanField(default=False)
    # Written by the assistant's bot, never by a person: the timeline says so.
    is_bot = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A send task holds the message until then while it calls the provider; another task
    # may take the send over only after it (see `actions.claim_send`).
    send_claimed_until = models.DateTimeField(null=True, blank=True)
    # When the next attempt of a pending send is due (a retry after a failure); none: at
    # creation. The sweep re-enqueues sends still pending well past it.
    send_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="unique_external_message",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="msg_timeline"),
            # The sweep and /health/ look for sends still pending every minute: a few rows
            # among millions of messages.
            models.Index(
                fields=["id"],
                condition=models.Q(direction="outgoing", delivery_status="pending"),
                name="msg_send_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} #{self.pk}"

    @property
    def signature(self) -> str:
        """The author's signature as it was when they sent this reply (kept on the message:
        a signature changed later does not rewrite what the customer already got)."""
        value = (self.metadata or {}).get(SIGNATURE_KEY, "")
        return value if isinstance(value, str) else ""

    @property
    def sent_text(self) -> str:
        """The text the customer receives: the agent's words, then their signature. The
        words alone stay in `text` (search, export, edits); the timeline shows both."""
        return f"{self.text}\n\n{self.signature}" if self.signature else self.text

    @property
    def sent_html(self) -> str:
        """`sent_text`'s counterpart for a reply written in HTML; empty for a plain one."""
        if not self.html or not self.signature:
            return self.html
        signature = escape(self.signature).replace("\n", "<br>")
        return f'{self.html}<p class="signature">{signature}</p>'

    @property
    def is_not_delivered(self) -> bool:
        """Failed to leave, or refused on the way: the agent must see it, and why."""
        return self.delivery_status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.conversation_id}/{secrets.token_hex(8)}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, blank=True)
    # Provider media not fetched yet (url or media id).
    remote_ref = models.CharField(max_length=1000, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    content_id = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename or self.remote_ref


class OutboxEvent(models.Model):
    """A domain event, written in the transaction that caused it (the outbox).

    Consumers (realtime push, routing, automations, webhooks, analytics) read from here, so an
    event survives a crash between commit and delivery.
    """

    kind = models.CharField(max_length=60)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(processed_at__isnull=True),
                name="outbox_unprocessed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.payload}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "kind": self.kind, **self.payload}


class HandlerRunStatus(models.TextChoices):
    RETRYING = "retrying", _("retrying")
    FAILED = "failed", _("failed")
    SUCCEEDED = "succeeded", _("succeeded")


class HandlerRun(models.Model):
    """One subscriber's handling of one event, recorded only once it has raised: the other
    subscribers of that event ran and are done, this one is retried with back-off, then
    kept as failed for an administrator. The event itself counts as processed."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+")
    # The handler's stable name (module.qualname), how the retry finds it again.
    subscriber = models.CharField(max_length=255)
    status = models.CharField(
        max_length=10, choices=HandlerRunStatus.choices, default=HandlerRunStatus.RETRYING
    )
    attempts = models.PositiveIntegerField(default=1)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event handler run")
        verbose_name_plural = _("event handler runs")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="unique_handler_run")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="handler_run_due")]

    def __str__(self) -> str:
        return f"{self.subscriber} on event {self.event_id} ({self.status})"


class IdempotencyKey(models.Model):
    """A client's key for one reply or note request: the same key again by the same author
    returns the message it created instead of posting a second one. Written in the
    message's transaction, so a key exists exactly when its message does."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # A digest of what was asked (kind, conversation, text, channel): the same key with
    # another request is the client's mistake, refused rather than answered with the wrong
    # message.
    request_digest = models.CharField(max_length=64)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["author", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} → message {self.message_id}"


class DraftMode(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")


class Draft(models.Model):
    """What an agent has written in a conversation's composer and not sent yet: kept on the
    server so that it survives a reload and follows the agent to another device. One per
    agent and conversation, never shown to anyone else; deleted when they send."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=5, choices=DraftMode.choices, default=DraftMode.REPLY)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["author", "conversation"], name="unique_draft")
        ]

    def __str__(self) -> str:
        return f"draft of {self.author_id} in {self.conversation_id}"
