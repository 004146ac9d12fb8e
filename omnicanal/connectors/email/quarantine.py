"""IMAP mail that cannot be stored: counted, then quarantined (kept whole), then retried.

One bad mail must not block a mailbox: without this, `fetch_inbox` stopped at it on every
poll and the mail behind it waited forever. A failure is counted per mail; at
IMAP_MAX_ATTEMPTS the mail is quarantined and the poll passes it like a stored one. A mail
refused for what it is (InvalidInput: no sender…) would fail the same way every time, so it
is quarantined at once. Administrators see quarantined mail in the admin and can retry it
once the cause is fixed (a bug fixed, a database back).
"""

from __future__ import annotations

import logging
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.models import QuarantinedMail
from omnicanal.conversations.models import Inbox
from omnicanal.core.text import clean_text

logger = logging.getLogger(__name__)


def _subject(raw: bytes) -> str:
    try:
        subject = str(BytesHeaderParser(policy=compat32).parsebytes(raw).get("Subject") or "")
    except Exception:  # a subject is only a label for the admin list
        return ""
    return clean_text(subject)[:300]


def record_failure(
    inbox: Inbox, mailbox: str, uidvalidity: int, uid: int, raw: bytes, error: str,
    *, is_permanent: bool = False,
) -> QuarantinedMail:
    """Count one failed attempt to store a mail; quarantine it at the limit (or at once when
    `is_permanent`). Returns the row: `quarantined_at` says whether the poll may pass it."""
    with transaction.atomic():
        mail, _ = QuarantinedMail.objects.select_for_update().get_or_create(
            inbox=inbox, mailbox=mailbox, uidvalidity=uidvalidity, uid=uid,
            defaults={"raw": raw, "subject": _subject(raw), "error": ""},
        )
        mail.attempts += 1
        mail.error = clean_text(error)[:10_000]
        mail.raw = raw
        if mail.quarantined_at is None and (
            is_permanent or mail.attempts >= settings.IMAP_MAX_ATTEMPTS
        ):
            mail.quarantined_at = timezone.now()
            logger.warning(
                "inbox %s: mail UID %s of %s quarantined after %s attempts: %s",
                inbox.pk, uid, mailbox, mail.attempts, mail.error,
            )
        mail.save()
    return mail


def retry_quarantined(mail: QuarantinedMail) -> IntakeResult:
    """Store a quarantined mail now. On success it is released (with the message it became);
    on failure the error is updated and the exception raised for the caller to show."""
    try:
        result = receive_email(mail.inbox, bytes(mail.raw))
    except Exception as error:
        QuarantinedMail.objects.filter(pk=mail.pk).update(
            error=clean_text(f"{type(error).__name__}: {error}")[:10_000],
            attempts=mail.attempts + 1, last_failed_at=timezone.now(),
        )
        raise
    mail.released_at = timezone.now()
    mail.released_message_id = result.message_id
    mail.save(update_fields=["released_at", "released_message_id"])
    return result
