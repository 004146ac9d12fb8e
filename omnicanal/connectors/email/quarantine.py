"""IMAP mail that cannot be stored: counted, then quarantined (kept whole), then retried.

One bad mail must not block a mailbox: without this, `fetch_inbox` stopped at it on every
poll and the mail behind it waited forever. A failure is counted per mail; at
IMAP_MAX_ATTEMPTS the mail is quarantined and the poll passes it like a stored one. A mail
refused for what it is (InvalidInput: no sender…) would fail the same way every time, so it
is quarantined at once. Administrators see quarantined mail in the settings (Operations →
Quarantined mail, and the admin) and can retry it once the cause is fixed (a bug fixed, a
database back): `retry_quarantined_mail`, audited.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.models import QuarantinedMail, header_text
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import DomainError, NotFound
from omnicanal.core.text import clean_text

logger = logging.getLogger(__name__)


def _subject(raw: bytes) -> str:
    return header_text(raw, "Subject")


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


class StillFailing(DomainError):
    """A retried mail failed again; its new error is kept on the row."""

    status = 409


def quarantined_mails() -> QuerySet[QuarantinedMail]:
    """The mail the poll passes over until an administrator retries it, newest first."""
    return (
        QuarantinedMail.objects.filter(quarantined_at__isnull=False, released_at__isnull=True)
        .select_related("inbox").order_by("-quarantined_at", "-pk")
    )


def retry_quarantined_mail(actor: User, mail_id: int) -> IntakeResult:
    """An administrator stores a quarantined mail now (the settings page and the admin).
    Every retry is audited, the failed ones too; a failure raises StillFailing."""
    require_administrator(actor)
    failure: Exception | None = None
    with transaction.atomic():
        mail = (
            quarantined_mails().select_for_update(of=("self",)).filter(pk=mail_id).first()
        )
        if mail is None:
            raise NotFound(_("No quarantined mail %(id)s."), id=mail_id)
        audit = {"inbox": mail.inbox.name, "mailbox": mail.mailbox, "uid": mail.uid}
        try:
            result = retry_quarantined(mail)
        except Exception as error:  # kept on the row and shown to the administrator
            failure = error
            record_audit(actor, "quarantined_mail.retry_failed", mail, **audit,
                         error=_error_text(error)[:500])
        else:
            record_audit(actor, "quarantined_mail.released", mail, **audit,
                         message_id=result.message_id)
    if failure is not None:
        raise StillFailing(
            _("UID %(uid)s still fails: %(error)s"), uid=mail.uid, error=_error_text(failure)
        ) from failure
    return result


def _error_text(error: Exception) -> str:
    return clean_text(f"{type(error).__name__}: {error}")[:10_000]


def retry_quarantined(mail: QuarantinedMail) -> IntakeResult:
    """Store a quarantined mail now. On success it is released (with the message it became);
    on failure the error is updated and the exception raised for the caller to show. The
    intake runs in a savepoint, so a caller's transaction survives its failure."""
    try:
        with transaction.atomic():
            result = receive_email(mail.inbox, bytes(mail.raw))
    except Exception as error:
        QuarantinedMail.objects.filter(pk=mail.pk).update(
            error=_error_text(error),
            attempts=mail.attempts + 1, last_failed_at=timezone.now(),
        )
        raise
    mail.released_at = timezone.now()
    mail.released_message_id = result.message_id
    mail.save(update_fields=["released_at", "released_message_id"])
    return result
