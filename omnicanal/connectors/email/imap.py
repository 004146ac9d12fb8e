"""IMAP intake: read an inbox's mailbox, store each new mail, then mark it processed.

The order is what makes it safe: a mail is stored (ingest() has committed) BEFORE it is
flagged \\Seen (or moved) and BEFORE the cursor's last UID passes it. A worker killed anywhere
in between re-reads the mail on its next run, and ingest()'s idempotency on the Message-ID
turns the re-read into a no-op: nothing lost, nothing duplicated. Mail is fetched with
BODY.PEEK[] so that reading alone never marks it \\Seen.

Between passes `fetch_mail` waits with IMAP IDLE (RFC 2177) where the server offers it
(wait_for_mail), so new mail is read within seconds instead of at the next poll.
"""

from __future__ import annotations

import base64
import logging
import selectors
import ssl
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from imapclient.imapclient import SEEN

from omnicanal.connectors.email.config import EmailSettings
from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.email.quarantine import record_failure
from omnicanal.connectors.models import MailboxCursor, QuarantinedMail
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import InvalidInput

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 30
# Mails fetched per round trip: bounds memory (attachments) while saving round trips.
BATCH_SIZE = 20
# RFC 2177: servers may log an idle client off after 30 minutes; re-issue IDLE before that.
IDLE_REFRESH_SECONDS = 29 * 60

Receiver = Callable[[Inbox, bytes], IntakeResult]


@dataclass
class FetchReport:
    inbox_id: int
    fetched: int = 0
    created: int = 0
    duplicates: int = 0
    reports: int = 0
    ignored: int = 0
    # Mails kept in quarantine (QuarantinedMail) and passed over by this run.
    quarantined: int = 0
    last_uid: int = 0
    # Set when a mail could not be stored: it and the mails after it wait for the next run.
    error: str = ""

    def __str__(self) -> str:
        text = (
            f"inbox {self.inbox_id}: fetched={self.fetched} created={self.created} "
            f"duplicates={self.duplicates} reports={self.reports} ignored={self.ignored} "
            f"quarantined={self.quarantined} last_uid={self.last_uid}"
        )
        return f"{text} error={self.error}" if self.error else text


@contextmanager
def connect(config: EmailSettings) -> Iterator[IMAPClient]:
    """A logged-in client. Errors name the server, never the credentials."""
    if not config.imap_host:
        raise InvalidInput(_("This inbox has no imap_host."))
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
        _login(client, config)
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing left to release
            logger.debug("IMAP logout failed", exc_info=True)


def _login(client: IMAPClient, config: EmailSettings) -> None:
    if config.imap_auth == "password":
        client.login(config.imap_username, config.imap_password)
        return
    token = config.imap_token()
    try:
        # AUTHENTICATE XOAUTH2 with base64("user=..\\1auth=Bearer ..\\1\\1"). imapclient's
        # own logger redacts AUTHENTICATE lines; imaplib logs only the literal's size.
        client.oauth2_login(config.imap_username, token)
    except LoginError as exc:
        # The server's answer, not ours, but never let a token through should it echo one.
        raise LoginError(_scrub(str(exc), token)) from None


def _scrub(text: str, secret: str) -> str:
    if not secret:
        return text
    for form in (secret, base64.b64encode(secret.encode()).decode()):
        text = text.replace(form, "***")
    return text


def _cursor(inbox: Inbox, mailbox: str, uidvalidity: int) -> MailboxCursor:
    cursor, _created = MailboxCursor.objects.get_or_create(inbox=inbox, mailbox=mailbox)
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
    stay unprocessed for the next run. After IMAP_MAX_ATTEMPTS such runs the mail is
    quarantined (quarantine.py: kept whole, shown to administrators) and passed over, so
    one mail never blocks the mailbox. A mail refused for what it is (InvalidInput) would
    be refused forever, so it is quarantined at once and passed over."""
    config = EmailSettings.parse(inbox.settings)
    report = FetchReport(inbox_id=inbox.pk)
    with connect(config) as client:
        status = client.select_folder(config.imap_mailbox)
        cursor = _cursor(inbox, config.imap_mailbox, int(status[b"UIDVALIDITY"]))
        report.last_uid = cursor.last_uid
        uids = _pending_uids(client, cursor.last_uid)
        failing = set(
            QuarantinedMail.objects.filter(
                inbox=inbox, mailbox=config.imap_mailbox, uidvalidity=cursor.uidvalidity,
                quarantined_at__isnull=True,
            ).values_list("uid", flat=True)
        )
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
                        record_failure(inbox, config.imap_mailbox, cursor.uidvalidity, uid,
                                       bytes(raw), exc.message, is_permanent=True)
                        report.ignored += 1
                    except Exception as exc:
                        failure = record_failure(
                            inbox, config.imap_mailbox, cursor.uidvalidity, uid, bytes(raw),
                            f"{type(exc).__name__}: {exc}",
                        )
                        if failure.quarantined_at is None:
                            raise
                        report.quarantined += 1
                    else:
                        _count(report, result)
                        if uid in failing:
                            # It failed on an earlier run and is stored now.
                            QuarantinedMail.objects.filter(
                                inbox=inbox, mailbox=config.imap_mailbox,
                                uidvalidity=cursor.uidvalidity, uid=uid,
                                quarantined_at__isnull=True,
                            ).delete()
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


# --- Waiting for new mail between passes ----------------------------------------------------


@dataclass
class WaitResult:
    # Inboxes whose IDLE reported new mail (or that already had mail waiting).
    woken: list[int] = field(default_factory=list)
    # Inboxes that were idling, and those left to polling (no IDLE, an error, a bad config).
    idled: list[int] = field(default_factory=list)
    polled: list[int] = field(default_factory=list)
    seconds: float = 0.0


def _has_new_mail(client: IMAPClient, inbox: Inbox, config: EmailSettings) -> bool:
    """Mail the last pass did not see: delivered between its SEARCH and this IDLE."""
    status = client.select_folder(config.imap_mailbox, readonly=True)
    cursor = MailboxCursor.objects.filter(inbox=inbox, mailbox=config.imap_mailbox).first()
    if cursor is None or cursor.uidvalidity != int(status[b"UIDVALIDITY"]):
        return True
    return bool(_pending_uids(client, cursor.last_uid))


def wait_for_mail(
    inboxes: Sequence[Inbox],
    *,
    interval: float,
    refresh: float = IDLE_REFRESH_SECONDS,
    poll_only: Collection[int] = (),
) -> WaitResult:
    """Wait until one inbox has new mail or it is time for the next pass.

    Every inbox whose server offers IDLE gets a connection idling on its mailbox; the wait
    ends as soon as one of them reports new mail (EXISTS/RECENT), else after `refresh`
    seconds (at most 29 minutes, RFC 2177: the next pass re-issues IDLE on a fresh
    connection). Inboxes without IDLE, and those in `poll_only` (their last pass failed:
    a mail that keeps failing must not wake us in a loop), are polled: while there is one,
    the wait lasts at most `interval` seconds. Every wait is bounded by one of the two."""
    started = time.monotonic()
    result = WaitResult()
    with ExitStack() as stack, selectors.DefaultSelector() as selector:
        for inbox in inboxes:
            if inbox.pk in poll_only:
                result.polled.append(inbox.pk)
                continue
            try:
                config = EmailSettings.parse(inbox.settings)
                client = stack.enter_context(connect(config))
                if not client.has_capability("IDLE"):
                    result.polled.append(inbox.pk)
                    continue
                if _has_new_mail(client, inbox, config):
                    result.woken.append(inbox.pk)
                    break
                client.idle()
                stack.callback(_end_idle, client)
            except Exception as exc:
                logger.warning(
                    "inbox %s: cannot IDLE, polling: %s: %s", inbox.pk, type(exc).__name__, exc
                )
                result.polled.append(inbox.pk)
                continue
            result.idled.append(inbox.pk)
            selector.register(client.socket(), selectors.EVENT_READ, (inbox.pk, client))
        if result.woken:
            result.seconds = time.monotonic() - started
            return result
        limit = min(refresh, IDLE_REFRESH_SECONDS)
        if result.polled or not result.idled:
            limit = min(limit, interval)
        deadline = started + limit
        while selector.get_map() and not result.woken:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _events in selector.select(timeout=remaining):
                inbox_id, client = key.data
                try:
                    responses = client.idle_check(timeout=0)
                except Exception as exc:
                    responses = []
                    logger.warning("inbox %s: IDLE failed: %s", inbox_id, type(exc).__name__)
                if not responses:
                    # Readable but nothing to read: the server closed the connection. Stop
                    # watching it (no busy loop); the next pass reconnects.
                    selector.unregister(key.fileobj)
                    result.polled.append(inbox_id)
                elif any(_is_new_mail(response) for response in responses):
                    result.woken.append(inbox_id)
        if not result.woken:
            remaining = deadline - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
    result.seconds = time.monotonic() - started
    return result


def _is_new_mail(response: tuple[object, ...]) -> bool:
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def _end_idle(client: IMAPClient) -> None:
    try:
        client.idle_done()
    except Exception:  # the connection may be gone; logout (next) releases what is left
        logger.debug("IMAP IDLE DONE failed", exc_info=True)
