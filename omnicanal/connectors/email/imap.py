"""IMAP intake: read an inbox's mailbox, store each new mail, then mark it processed.

The order is what makes it safe: a mail is stored (ingest() has committed) BEFORE it is
flagged \\Seen (or moved) and BEFORE the cursor's last UID passes it. A worker killed anywhere
in between re-reads the mail on its next run, and ingest()'s idempotency on the Message-ID
turns the re-read into a no-op: nothing lost, nothing duplicated. Mail is fetched with
BODY.PEEK[] so that reading alone never marks it \\Seen.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.imapclient import SEEN

from omnicanal.connectors.email.config import EmailSettings
from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.models import MailboxCursor
from omnicanal.conversations.exceptions import InvalidInput
from omnicanal.conversations.models import Inbox

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 30
# Mails fetched per round trip: bounds memory (attachments) while saving round trips.
BATCH_SIZE = 20

Receiver = Callable[[Inbox, bytes], IntakeResult]


@dataclass
class FetchReport:
    inbox_id: int
    fetched: int = 0
    created: int = 0
    duplicates: int = 0
    reports: int = 0
    ignored: int = 0
    last_uid: int = 0
    # Set when a mail could not be stored: it and the mails after it wait for the next run.
    error: str = ""

    def __str__(self) -> str:
        text = (
            f"inbox {self.inbox_id}: fetched={self.fetched} created={self.created} "
            f"duplicates={self.duplicates} reports={self.reports} ignored={self.ignored} "
            f"last_uid={self.last_uid}"
        )
        return f"{text} error={self.error}" if self.error else text


@contextmanager
def connect(config: EmailSettings) -> Iterator[IMAPClient]:
    """A logged-in client. Errors name the server, never the credentials."""
    if not config.imap_host:
        raise InvalidInput("This inbox has no imap_host.")
    # Certificates are always verified; a private CA is trusted through imap_ca_file.
    context = ssl.create_default_context(cafile=config.imap_ca_file or None)
    client = IMAPClient(
        config.imap_host,
        port=config.imap_port,
        ssl=config.imap_security == "ssl",
        ssl_context=context if config.imap_security == "ssl" else None,
        timeout=IMAP_TIMEOUT_SECONDS,
    )
    try:
        if config.imap_security == "starttls":
            client.starttls(context)
        client.login(config.imap_username, config.imap_password)
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing left to release
            logger.debug("IMAP logout failed", exc_info=True)


def _cursor(inbox: Inbox, mailbox: str, uidvalidity: int) -> MailboxCursor:
    cursor, _ = MailboxCursor.objects.get_or_create(inbox=inbox, mailbox=mailbox)
    if cursor.uidvalidity != uidvalidity:
        # The server renumbered the mailbox: old UIDs mean nothing now. Start over; mail
        # already stored comes back as duplicates (same Message-ID), not as new messages.
        if cursor.uidvalidity:
            logger.warning("inbox %s: UIDVALIDITY of %s changed, re-reading", inbox.pk, mailbox)
        cursor.uidvalidity = uidvalidity
        cursor.last_uid = 0
        cursor.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
    return cursor


def _pending_uids(client: IMAPClient, last_uid: int) -> list[int]:
    if last_uid == 0:
        # First read of a mailbox: its unread mail. What was read before Omnicanal came is
        # history the team already handled elsewhere.
        return sorted(int(uid) for uid in client.search(["UNSEEN"]))
    # "n:*" always matches the highest UID, even below n (RFC 3501 §6.4.8): filter here.
    return sorted(int(uid) for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)


def _mark_processed(client: IMAPClient, config: EmailSettings, uids: list[int]) -> None:
    if not uids:
        return
    if config.imap_move_to:
        # MOVE (RFC 6851) when offered, else COPY, flag \\Deleted and expunge.
        if client.has_capability("MOVE"):
            client.move(uids, config.imap_move_to)
        else:
            client.copy(uids, config.imap_move_to)
            client.delete_messages(uids)
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:
                client.expunge()
    else:
        client.add_flags(uids, [SEEN])


def fetch_inbox(
    inbox: Inbox, *, receive: Receiver = receive_email, batch_size: int = BATCH_SIZE
) -> FetchReport:
    """Store the inbox's new mail. Stops at the first mail that cannot be stored for a
    reason a later run may not have (database down, a bug): that mail and the ones after it
    stay unprocessed for the next run. A mail refused for what it is (InvalidInput) would
    be refused forever, so it is logged and passed over."""
    config = EmailSettings.parse(inbox.settings)
    report = FetchReport(inbox_id=inbox.pk)
    with connect(config) as client:
        status = client.select_folder(config.imap_mailbox)
        cursor = _cursor(inbox, config.imap_mailbox, int(status[b"UIDVALIDITY"]))
        report.last_uid = cursor.last_uid
        uids = _pending_uids(client, cursor.last_uid)
        for start in range(0, len(uids), batch_size):
            batch = uids[start : start + batch_size]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            processed: list[int] = []
            try:
                for uid in batch:
                    data = fetched.get(uid)
                    raw = data.get(b"BODY[]") if data else None
                    if raw is None:
                        # Expunged by another client since the SEARCH: nothing to store.
                        processed.append(uid)
                        continue
                    report.fetched += 1
                    try:
                        result = receive(inbox, bytes(raw))
                    except InvalidInput as exc:
                        logger.warning(
                            "inbox %s: mail UID %s refused: %s", inbox.pk, uid, exc.message
                        )
                        report.ignored += 1
                    else:
                        _count(report, result)
                    processed.append(uid)
            except Exception as exc:
                report.error = f"UID {batch[len(processed)]}: {type(exc).__name__}: {exc}"
                logger.exception(
                    "inbox %s: stopped at mail UID %s", inbox.pk, batch[len(processed)]
                )
            finally:
                # Only what is committed: flag it, then move the cursor past it.
                _mark_processed(client, config, processed)
                if processed:
                    cursor.last_uid = max(processed)
                    cursor.save(update_fields=["last_uid", "updated_at"])
                    report.last_uid = cursor.last_uid
            if report.error:
                break
    return report


def _count(report: FetchReport, result: IntakeResult) -> None:
    if result.action == "created":
        report.created += 1
    elif result.action == "duplicate":
        report.duplicates += 1
    elif result.action == "ignored":
        report.ignored += 1
    else:
        report.reports += 1
