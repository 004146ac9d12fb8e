"""IMAP intake against a real Dovecot, replies through a real SMTP receiver (aiosmtpd)."""

from __future__ import annotations

import base64
import email
import email.policy
import itertools
import logging
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from imapclient import IMAPClient

from omnicanal.accounts.models import User
from omnicanal.connectors.email import imap as imap_module
from omnicanal.connectors.email.config import EmailSettings
from omnicanal.connectors.email.intake import IntakeResult, receive_email
from omnicanal.connectors.email.tests.conftest import (
    OAUTH2_TOKEN,
    Dovecot,
    SmtpRecorder,
    make_mail,
)
from omnicanal.connectors.management.commands import fetch_mail as fetch_mail_command
from omnicanal.connectors.models import MailboxCursor
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Conversation, Inbox, Message
from omnicanal.core.exceptions import InvalidInput

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


# --- OAuth2 (XOAUTH2) ------------------------------------------------------------------------
# The throwaway Dovecot has an oauth2 passdb that checks bearer tokens with a local RFC 7662
# introspection stub (conftest.py): only OAUTH2_TOKEN is active, for the user "support".


def _xoauth2(dovecot: Dovecot, mailbox: str, **extra: str) -> dict[str, Any]:
    settings = dovecot.settings(mailbox)
    del settings["imap_password"]
    return {**settings, "imap_auth": "xoauth2", **extra}


def test_xoauth2_login_reads_mail_and_keeps_the_token_out_of_logs(
    mail_inbox: Inbox, dovecot: Dovecot, mailbox: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mail_inbox.settings.update(_xoauth2(dovecot, mailbox, imap_access_token=OAUTH2_TOKEN))
    mail_inbox.save()
    deliver(dovecot, mailbox, make_mail(message_id="<oauth@example.fr>"))

    report = imap_module.fetch_inbox(mail_inbox)

    assert report.created == 1
    assert "AUTHENTICATE" in caplog.text  # imapclient logged the command, redacted
    _assert_token_absent(OAUTH2_TOKEN, caplog.text)
    assert OAUTH2_TOKEN not in repr(EmailSettings.parse(mail_inbox.settings))


def test_xoauth2_token_is_read_from_a_file_at_each_login(
    mail_inbox: Inbox, dovecot: Dovecot, mailbox: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{OAUTH2_TOKEN}\n")
    mail_inbox.settings.update(_xoauth2(dovecot, mailbox, imap_access_token_file=str(token_file)))
    mail_inbox.save()
    deliver(dovecot, mailbox, make_mail(message_id="<oauth-file-1@example.fr>"))
    assert imap_module.fetch_inbox(mail_inbox).created == 1

    # Read again at the next login: gone (an outside refresher is rewriting it), then back.
    token_file.unlink()
    deliver(dovecot, mailbox, make_mail(message_id="<oauth-file-2@example.fr>"))
    with pytest.raises(InvalidInput, match="token cannot be read"):
        imap_module.fetch_inbox(mail_inbox)
    token_file.write_text(OAUTH2_TOKEN)

    assert imap_module.fetch_inbox(mail_inbox).created == 1


def _assert_token_absent(token: str, text: str) -> None:
    auth_string = f"user=support\1auth=Bearer {token}\1\1".encode()
    assert token not in text
    assert base64.b64encode(auth_string).decode() not in text
    assert base64.b64encode(token.encode()).decode() not in text


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"imap_auth": "xoauth2"}, "needs imap_access_token"),
        ({"imap_auth": "kerberos"}, "Unknown imap_auth"),
    ],
)
def test_imap_auth_settings_are_checked(settings: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        EmailSettings.parse({"imap_host": "imap.example.com", **settings})


def test_an_unreadable_token_file_is_named_but_nothing_else(tmp_path: Path) -> None:
    config = EmailSettings.parse(
        {"imap_auth": "xoauth2", "imap_access_token_file": str(tmp_path / "missing")}
    )
    with pytest.raises(InvalidInput, match="missing cannot be read: No such file"):
        config.imap_token()


# --- IDLE ----------------------------------------------------------------------------------


def _record_waits(monkeypatch: pytest.MonkeyPatch) -> list[imap_module.WaitResult]:
    """Keep the loop's wait results. Also keeps the test's database connection: the loop's
    close_old_connections() would close it, as it is inside the test's transaction."""
    monkeypatch.setattr(fetch_mail_command, "close_old_connections", lambda: None)
    waits: list[imap_module.WaitResult] = []

    def recording(*args: Any, **kwargs: Any) -> imap_module.WaitResult:
        result = imap_module.wait_for_mail(*args, **kwargs)
        waits.append(result)
        return result

    monkeypatch.setattr(fetch_mail_command, "wait_for_mail", recording)
    return waits


def test_loop_mode_idles_and_ingests_mail_appended_while_idling(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = _record_waits(monkeypatch)
    idling = threading.Event()
    original_idle = IMAPClient.idle

    def idle(client: IMAPClient) -> None:
        original_idle(client)
        idling.set()

    monkeypatch.setattr(IMAPClient, "idle", idle)
    delivered_at: list[float] = []

    def deliver_once_idling() -> None:
        if idling.wait(timeout=15):
            deliver(dovecot, mailbox, make_mail(message_id="<while-idle@example.fr>"))
            delivered_at.append(time.monotonic())

    deliverer = threading.Thread(target=deliver_once_idling, daemon=True)
    deliverer.start()
    # A 60 s poll interval and a 20 s IDLE bound: only IDLE can make this quick.
    call_command(
        "fetch_mail", "--inbox", str(imap_inbox.pk), "--max-cycles", "2",
        "--interval", "60", "--idle-refresh", "20",
    )
    finished = time.monotonic()
    deliverer.join(timeout=5)

    assert delivered_at, "the IDLE never started"
    assert Message.objects.get().external_id == "<while-idle@example.fr>"
    assert finished - delivered_at[0] < 5
    assert [(w.idled, w.woken, w.polled) for w in waits] == [
        ([imap_inbox.pk], [imap_inbox.pk], [])
    ]


def test_mail_delivered_just_before_the_idle_is_not_left_waiting(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str
) -> None:
    imap_module.fetch_inbox(imap_inbox)
    deliver(dovecot, mailbox, make_mail(message_id="<between@example.fr>"))

    result = imap_module.wait_for_mail([imap_inbox], interval=60, refresh=20)

    assert result.woken == [imap_inbox.pk] and result.seconds < 2


def test_an_idle_without_mail_ends_at_the_refresh_bound(
    imap_inbox: Inbox, dovecot: Dovecot
) -> None:
    imap_module.fetch_inbox(imap_inbox)

    result = imap_module.wait_for_mail([imap_inbox], interval=60, refresh=1)

    assert (result.idled, result.woken) == ([imap_inbox.pk], [])
    assert 0.9 < result.seconds < 3


def test_without_idle_the_loop_polls_at_the_interval(
    imap_inbox: Inbox, dovecot: Dovecot, mailbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = _record_waits(monkeypatch)
    original = IMAPClient.has_capability

    def no_idle(client: IMAPClient, capability: str) -> bool:
        return capability.upper() != "IDLE" and original(client, capability)

    monkeypatch.setattr(IMAPClient, "has_capability", no_idle)
    # Delivered after the first pass has run (it sees an empty mailbox), before the second.
    timer = threading.Timer(0.3, deliver, (dovecot, mailbox, make_mail(message_id="<p@x.fr>")))
    timer.start()
    started = time.monotonic()
    call_command(
        "fetch_mail", "--inbox", str(imap_inbox.pk), "--max-cycles", "3", "--interval", "0.5"
    )
    timer.join(timeout=5)

    assert Message.objects.get().external_id == "<p@x.fr>"
    assert [w.polled for w in waits] == [[imap_inbox.pk]] * 2
    assert all(0.45 < w.seconds < 2 for w in waits)
    assert time.monotonic() - started < 10


def test_a_failing_inbox_is_polled_not_idled_on(
    imap_inbox: Inbox, dovecot: Dovecot
) -> None:
    result = imap_module.wait_for_mail(
        [imap_inbox], interval=0.2, refresh=20, poll_only={imap_inbox.pk}
    )

    assert (result.polled, result.idled) == ([imap_inbox.pk], [])
    assert result.seconds < 2


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


# These two come last on purpose: after a refused login Dovecot delays the next logins from
# 127.0.0.1 by a few seconds (its per-IP auth penalty), which would slow every later test.
def test_a_refused_token_fails_the_command_without_printing_it(
    mail_inbox: Inbox,
    dovecot: Dovecot,
    mailbox: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "ya29.revoked-token-0d1e"
    mail_inbox.settings.update(_xoauth2(dovecot, mailbox, imap_access_token=wrong))
    mail_inbox.save()

    with pytest.raises(CommandError):
        call_command("fetch_mail", "--once")

    output = capsys.readouterr()
    assert f"inbox {mail_inbox.pk}: LoginError" in output.err
    _assert_token_absent(wrong, output.out + output.err + caplog.text)
