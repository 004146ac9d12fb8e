"""IMAP intake against a real Dovecot, replies through a real SMTP receiver (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import itertools
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from imapclient import IMAPClient

from omnicanal.accounts.models import User
from omnicanal.connectors.email import imap as imap_module
from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.email.tests.conftest import Dovecot, SmtpRecorder, make_mail
from omnicanal.connectors.models import MailboxCursor
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Conversation, Inbox, Message

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("dovecot")]

_mailbox_numbers = itertools.count(1)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Iterator[str]:
    """A fresh folder per test on the shared server, so tests never see each other's mail."""
    name = f"T{next(_mailbox_numbers)}"
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
    """Put mail in the box with APPEND, as an MTA's local delivery would."""
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        for raw in raws:
            client.append(mailbox, raw)


def flags(dovecot: Dovecot, mailbox: str) -> list[tuple[bytes, ...]]:
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.select_folder(mailbox, readonly=True)
        fetched = client.fetch(client.search(["ALL"]), ["FLAGS"])
        return [fetched[uid][b"FLAGS"] for uid in sorted(fetched)]


def test_mail_is_fetched_threaded_answered_and_the_answer_threads_back(
    agent: User, imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, smtp_server: SmtpRecorder
) -> None:
    deliver(dovecot, mailbox, make_mail(message_id="<first@example.fr>"))

    call_command("fetch_mail", "--once", "--inbox", str(imap_inbox.pk))

    conversation = Conversation.objects.get()
    assert conversation.messages.get().external_id == "<first@example.fr>"
    assert flags(dovecot, mailbox) == [(b"\\Seen",)]

    answer = reply(agent, conversation.pk, "Votre colis part demain.")
    assert send_message.call(answer.pk) == "sent"
    sent = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
    answer.refresh_from_db()
    assert sent["Message-ID"] == answer.provider_message_id
    assert sent["In-Reply-To"] == "<first@example.fr>"
    assert sent["References"] == "<first@example.fr>"
    assert sent["Subject"] == f"Re: Ma commande 4471 [#{conversation.pk}]"

    # The customer's client answers our mail: its headers point at our Message-ID.
    deliver(dovecot, mailbox, make_mail(
        message_id="<second@example.fr>",
        subject=f"Re: {sent['Subject']}",
        in_reply_to=sent["Message-ID"],
        references=f"{sent['References']} {sent['Message-ID']}",
        body="Merci, et pour la facture ?",
    ))
    call_command("fetch_mail", "--once", "--inbox", str(imap_inbox.pk))

    assert Conversation.objects.count() == 1
    assert list(conversation.messages.values_list("direction", flat=True)) == [
        "incoming", "outgoing", "incoming"
    ]
    assert flags(dovecot, mailbox) == [(b"\\Seen",), (b"\\Seen",)]


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(dovecot, mailbox, *[
        make_mail(message_id=f"<m{n}@example.fr>", sender=f"client{n}@example.fr")
        for n in range(1, 5)
    ])

    def dies_on_the_third(inbox: Inbox, raw: bytes) -> IntakeResult:
        if b"<m3@example.fr>" in raw:
            raise RuntimeError("worker killed before commit")
        return receive_email(inbox, raw)

    monkeypatch.setattr(imap_module, "receive_email", dies_on_the_third)
    first = imap_module.fetch_inbox(imap_inbox, receive=dies_on_the_third)

    assert first.created == 2 and "worker killed" in first.error
    # Only what was committed is flagged and behind the cursor.
    assert flags(dovecot, mailbox) == [(b"\\Seen",), (b"\\Seen",), (), ()]
    cursor = MailboxCursor.objects.get()
    assert cursor.last_uid == 2

    second = imap_module.fetch_inbox(imap_inbox)

    assert second.created == 2 and not second.error
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "<m1@example.fr>", "<m2@example.fr>", "<m3@example.fr>", "<m4@example.fr>"
    ]
    assert flags(dovecot, mailbox) == [(b"\\Seen",)] * 4


def test_a_crash_after_commit_but_before_flagging_re_reads_as_duplicates(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(dovecot, mailbox, make_mail(message_id="<a@example.fr>"),
            make_mail(message_id="<b@example.fr>"))

    def killed(*args: Any) -> None:
        raise ConnectionResetError("killed between commit and \\Seen")

    monkeypatch.setattr(imap_module, "_mark_processed", killed)
    with pytest.raises(ConnectionResetError):
        imap_module.fetch_inbox(imap_inbox)
    monkeypatch.undo()

    assert Message.objects.count() == 2
    assert MailboxCursor.objects.get().last_uid == 0

    again = imap_module.fetch_inbox(imap_inbox)

    assert (again.created, again.duplicates) == (0, 2)
    assert Message.objects.count() == 2
    assert flags(dovecot, mailbox) == [(b"\\Seen",)] * 2


def test_mail_read_by_a_person_after_the_first_sync_is_still_fetched(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    deliver(dovecot, mailbox, make_mail(message_id="<a@example.fr>"))
    imap_module.fetch_inbox(imap_inbox)
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.append(mailbox, make_mail(message_id="<b@example.fr>"), flags=[b"\\Seen"])

    report = imap_module.fetch_inbox(imap_inbox)

    # After the first sync the cursor, not the \Seen flag, decides what is new.
    assert report.created == 1


def test_a_changed_uidvalidity_restarts_the_cursor_without_duplicates(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    deliver(dovecot, mailbox, make_mail(message_id="<a@example.fr>"))
    imap_module.fetch_inbox(imap_inbox)
    MailboxCursor.objects.update(uidvalidity=1)
    deliver(dovecot, mailbox, make_mail(message_id="<b@example.fr>"))

    report = imap_module.fetch_inbox(imap_inbox)

    assert report.created == 1
    assert Message.objects.count() == 2
    assert MailboxCursor.objects.get().uidvalidity != 1


def test_processed_mail_can_be_moved_to_a_folder(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    done = f"{mailbox}-done"
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.create_folder(done)
    imap_inbox.settings["imap_move_to"] = done
    imap_inbox.save()
    deliver(dovecot, mailbox, make_mail(message_id="<a@example.fr>"))

    imap_module.fetch_inbox(imap_inbox)

    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        assert client.select_folder(mailbox)[b"EXISTS"] == 0
        assert client.select_folder(done)[b"EXISTS"] == 1


def test_a_wrong_password_fails_the_command_without_printing_it(
    imap_inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    imap_inbox.settings["imap_password"] = "not-the-password-9"
    imap_inbox.save()

    with pytest.raises(CommandError):
        call_command("fetch_mail", "--once")

    output = capsys.readouterr()
    assert "not-the-password-9" not in output.out + output.err
    assert f"inbox {imap_inbox.pk}" in output.err


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_mail_is_fetched_over_tls(
    mail_inbox: Inbox, dovecot: Dovecot, mailbox: str, security: str
) -> None:
    mail_inbox.settings.update(dovecot.settings(mailbox, security=security))
    mail_inbox.save()
    deliver(dovecot, mailbox, make_mail(message_id="<tls@example.fr>"))

    report = imap_module.fetch_inbox(mail_inbox)

    assert report.created == 1


def test_an_untrusted_certificate_is_refused(
    mail_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    mail_inbox.settings.update(dovecot.settings(mailbox, security="ssl"), imap_ca_file="")
    mail_inbox.save()
    deliver(dovecot, mailbox, make_mail(message_id="<tls@example.fr>"))

    with pytest.raises(ssl.SSLCertVerificationError):
        imap_module.fetch_inbox(mail_inbox)

    assert not Message.objects.exists()
