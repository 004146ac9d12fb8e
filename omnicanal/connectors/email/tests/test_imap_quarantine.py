"""A mail that cannot be stored never blocks an IMAP mailbox: it is retried on the next
polls, then quarantined (kept whole, shown to administrators) and passed over. Against a
real Dovecot (conftest.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from imapclient import IMAPClient

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.connectors.email import imap as imap_module
from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.email.tests.conftest import Dovecot, make_mail
from omnicanal.connectors.models import MailboxCursor, QuarantinedMail
from omnicanal.conversations.models import Inbox, Message
from omnicanal.core.exceptions import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("dovecot")]

_mailbox_numbers = itertools.count(1)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Iterator[str]:
    name = f"Q{next(_mailbox_numbers)}"
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.create_folder(name)
    yield name


@pytest.fixture
def imap_inbox(mail_inbox: Inbox, dovecot: Dovecot, mailbox: str) -> Inbox:
    mail_inbox.settings.update(dovecot.settings(mailbox))
    mail_inbox.save()
    return mail_inbox


def deliver(dovecot: Dovecot, mailbox: str, *raws: bytes) -> None:
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        for raw in raws:
            client.append(mailbox, raw)


def seen_flags(dovecot: Dovecot, mailbox: str) -> list[bool]:
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.select_folder(mailbox, readonly=True)
        fetched = client.fetch(client.search(["ALL"]), ["FLAGS"])
        return [b"\\Seen" in fetched[uid][b"FLAGS"] for uid in sorted(fetched)]


def fails_on_poison(inbox: Inbox, raw: bytes) -> IntakeResult:
    """A mail that trips a bug in intake, every time it is read."""
    if b"<poison@example.fr>" in raw:
        raise RuntimeError("a bug in intake")
    return receive_email(inbox, raw)


def test_a_mail_failing_on_every_poll_is_quarantined_and_the_poll_moves_on(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, settings: Any
) -> None:
    settings.IMAP_MAX_ATTEMPTS = 3
    poison = make_mail(message_id="<poison@example.fr>", subject="Facture")
    deliver(dovecot, mailbox, make_mail(message_id="<m1@example.fr>"), poison,
            make_mail(message_id="<m3@example.fr>", sender="paul@example.fr"))

    first = imap_module.fetch_inbox(imap_inbox, receive=fails_on_poison)
    second = imap_module.fetch_inbox(imap_inbox, receive=fails_on_poison)

    # Before the limit the mail is retried, and the mail behind it waits.
    assert first.created == 1 and "a bug in intake" in first.error
    assert second.created == 0 and second.error
    assert not QuarantinedMail.objects.get().is_quarantined
    assert Message.objects.count() == 1

    third = imap_module.fetch_inbox(imap_inbox, receive=fails_on_poison)

    assert third.quarantined == 1 and third.created == 1 and not third.error
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "<m1@example.fr>", "<m3@example.fr>"
    ]
    quarantined = QuarantinedMail.objects.get()
    assert quarantined.is_quarantined and quarantined.attempts == 3
    assert quarantined.subject == "Facture"
    assert "a bug in intake" in quarantined.error
    # Kept exactly as the server held it, so a retry can store it.
    assert bytes(quarantined.raw).replace(b"\r\n", b"\n") == poison.replace(b"\r\n", b"\n")
    assert seen_flags(dovecot, mailbox) == [True, True, True]
    assert MailboxCursor.objects.get().last_uid == 3
    # A later poll does not read it again.
    fourth = imap_module.fetch_inbox(imap_inbox, receive=fails_on_poison)
    assert fourth.fetched == 0 and QuarantinedMail.objects.get().attempts == 3


def test_a_mail_that_fails_once_then_succeeds_leaves_no_quarantine_row(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    deliver(dovecot, mailbox, make_mail(message_id="<poison@example.fr>"))
    imap_module.fetch_inbox(imap_inbox, receive=fails_on_poison)

    again = imap_module.fetch_inbox(imap_inbox)

    assert again.created == 1
    assert not QuarantinedMail.objects.exists()


def test_a_mail_refused_for_what_it_is_is_quarantined_at_once(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    raw = make_mail(message_id="<nobody@example.fr>")

    def refuses(inbox: Inbox, raw: bytes) -> IntakeResult:
        raise InvalidInput("The message has no external id.")

    deliver(dovecot, mailbox, raw)

    report = imap_module.fetch_inbox(imap_inbox, receive=refuses)

    assert report.ignored == 1 and not report.error
    quarantined = QuarantinedMail.objects.get()
    assert quarantined.is_quarantined and quarantined.attempts == 1
    assert seen_flags(dovecot, mailbox) == [True]


def test_an_administrator_retries_a_quarantined_mail_from_the_admin(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, admin: User, agent: User,
    settings: Any,
) -> None:
    settings.IMAP_MAX_ATTEMPTS = 1
    deliver(dovecot, mailbox, make_mail(message_id="<poison@example.fr>"))
    imap_module.fetch_inbox(imap_inbox, receive=fails_on_poison)
    quarantined = QuarantinedMail.objects.get()
    browser = Client()
    url = "/admin/connectors/quarantinedmail/"

    browser.force_login(agent)
    assert browser.get(url).status_code == 302  # agents are sent to the admin's login
    browser.force_login(admin)
    assert browser.get(url).status_code == 302  # so are administrators: superusers only
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    listing = browser.get(url)
    assert listing.status_code == 200
    assert "a bug in intake" in listing.content.decode()

    # The bug is fixed: the retry stores it with the real intake.
    response = browser.post(url, {"action": "retry", "_selected_action": [quarantined.pk]})

    assert response.status_code == 302
    message = Message.objects.get()
    assert message.external_id == "<poison@example.fr>"
    quarantined.refresh_from_db()
    assert quarantined.released_message_id == message.pk and not quarantined.is_quarantined
    # The same action as the settings page's retry: audited.
    assert AuditLogEntry.objects.filter(
        action="quarantined_mail.released", actor=admin, target_id=str(quarantined.pk)
    ).exists()


def test_a_mail_dated_year_9999_over_imap_is_stored_at_its_arrival(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    raw = make_mail(message_id="<future@example.fr>").replace(
        b"Date: ", b"Date: Fri, 31 Dec 9999 23:59:59 -0500\r\nX-Sent-Date: ", 1
    )
    deliver(dovecot, mailbox, raw)
    before = timezone.now()

    report = imap_module.fetch_inbox(imap_inbox)

    assert report.created == 1 and not report.error
    message = Message.objects.get()
    assert before <= message.sent_at <= timezone.now()
    assert message.metadata["claimed_sent_at"] == "9999-12-31T23:59:59-05:00"
    # Read back from the database: the row holds nothing a driver cannot decode.
    assert Message.objects.values_list("sent_at", flat=True).get() == message.sent_at
