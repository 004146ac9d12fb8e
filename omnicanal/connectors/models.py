"""State the connectors keep for themselves: e-mail reference index, IMAP cursors.

Conversations and messages stay in `conversations`; these tables only help an adapter find
them again (threading) or resume where it stopped (IMAP).
"""

from __future__ import annotations

from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnicanal.core.text import clean_text


class EmailReference(models.Model):
    """A stored message (`message_key`) named `referenced_key` in In-Reply-To or References.

    The forward lookup (a new mail's references → stored messages) already rides on indexes
    of `Message` (the unique (inbox, external_id) and `provider_message_id`). This table is
    the reverse one: when an original arrives after a reply to it, it finds the reply's
    conversation by an indexed query instead of a scan of every message's JSON metadata.
    Keys are stored as rows, not a FK to Message, so the threading rule can write them in
    ingest()'s transaction before the message row exists; they roll back with it.
    """

    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    message_key = models.CharField(max_length=255)
    referenced_key = models.CharField(max_length=255)

    class Meta:
        verbose_name = _("e-mail reference")
        verbose_name_plural = _("e-mail references")
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "referenced_key", "message_key"], name="unique_email_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_key} → {self.referenced_key}"


class MailboxCursor(models.Model):
    """How far an inbox's IMAP mailbox has been read: the last UID stored and committed.

    UIDs are only meaningful under one UIDVALIDITY (RFC 3501 §2.3.1.1); when the server
    changes it the cursor restarts, and ingest()'s Message-ID idempotency absorbs re-reads.
    """

    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    mailbox = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mailbox cursor")
        verbose_name_plural = _("mailbox cursors")
        constraints = [
            models.UniqueConstraint(fields=["inbox", "mailbox"], name="unique_mailbox_cursor")
        ]

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.mailbox} uid>{self.last_uid}"


def header_text(raw: bytes, name: str) -> str:
    """Header `name` of a raw mail, its encoded words decoded, or "" when it cannot be read:
    a label for a list, never parsed further."""
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(raw).get(name)
        return clean_text(str(make_header(decode_header(str(value or "")))))[:300]
    except Exception:  # a broken header must not break the page listing it
        return ""


class QuarantinedMail(models.Model):
    """An IMAP mail that could not be stored, kept whole so that nothing is lost.

    A row counts the failed attempts on one mail (mailbox, UIDVALIDITY, UID); at
    IMAP_MAX_ATTEMPTS (or at once, for a mail refused for what it is) it is quarantined:
    the poll marks it processed and moves on, instead of stopping on it at every poll, and
    administrators find it in the settings (Operations → Quarantined mail) with its error,
    a "retry" action and the mail to download.
    """

    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    mailbox = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    # The mail exactly as the server holds it, for a retry once the cause is fixed.
    raw = models.BinaryField()
    subject = models.CharField(max_length=300, blank=True)
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField(auto_now_add=True)
    last_failed_at = models.DateTimeField(auto_now=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)
    # Set when a retry stored it: the message it became (no FK: conversations stays below).
    released_at = models.DateTimeField(null=True, blank=True)
    released_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "mailbox", "uidvalidity", "uid"], name="unique_quarantined_mail"
            )
        ]
        verbose_name = _("quarantined mail")
        verbose_name_plural = _("quarantined mails")

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.mailbox} UID {self.uid}"

    @property
    def is_quarantined(self) -> bool:
        return self.quarantined_at is not None and self.released_at is None

    @property
    def sender(self) -> str:
        """Who sent it, as the From header says (decoded), or "" when unreadable."""
        return header_text(bytes(self.raw), "From")
