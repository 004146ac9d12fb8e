"""Settings → Quarantined mail: an administrator sees the IMAP mail that could not be stored,
downloads it, and retries it (audited), without Django's admin."""

from __future__ import annotations

import pytest
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, Language, User
from omnicanal.connectors.email import quarantine as quarantine_module
from omnicanal.connectors.email.intake import IntakeResult
from omnicanal.connectors.email.quarantine import record_failure
from omnicanal.connectors.models import QuarantinedMail
from omnicanal.conversations.models import Inbox, Message

pytestmark = pytest.mark.django_db

URL = "/settings/quarantine/"

ORDER = (
    b"From: =?utf-8?q?Z=C3=A9lie_Martin?= <zelie@example.fr>\r\n"
    b"To: support@omnicanal.example\r\n"
    b"Subject: Commande 4417\r\n"
    b"Message-ID: <order-4417@example.fr>\r\n"
    b"Date: Mon, 07 Dec 2026 09:00:00 +0100\r\n"
    b"\r\n"
    b"Bonjour, o\xc3\xb9 en est ma commande ?\r\n"
)
NO_SENDER = b"To: support@omnicanal.example\r\nSubject: Sans exp\xc3\xa9diteur\r\n\r\nTexte\r\n"


@pytest.fixture(autouse=True)
def in_english(admin: User) -> None:
    User.objects.filter(pk=admin.pk).update(language=Language.ENGLISH)


def quarantine(inbox: Inbox, uid: int, raw: bytes, error: str) -> QuarantinedMail:
    return record_failure(inbox, "INBOX", 7, uid, raw, error, is_permanent=True)


def test_an_administrator_sees_each_quarantined_mail_with_its_error(
    client: Client, admin: User, email_inbox: Inbox
) -> None:
    quarantine(email_inbox, 41, ORDER, "OperationalError: database is locked")
    released = quarantine(email_inbox, 42, NO_SENDER, "InvalidInput: no sender")
    QuarantinedMail.objects.filter(pk=released.pk).update(released_at=released.quarantined_at)
    client.force_login(admin)

    page = client.get(URL).content.decode()

    assert "Commande 4417" in page and "Zélie Martin &lt;zelie@example.fr&gt;" in page
    assert "Support mail" in page and "Folder INBOX" in page and ">UID 41<" in page
    assert "database is locked" in page
    assert ">UID 42<" not in page  # stored by a retry: no longer in quarantine
    assert 'href="/settings/quarantine/' in page and "Download the .eml" in page


def test_the_page_says_when_nothing_is_in_quarantine(client: Client, admin: User) -> None:
    client.force_login(admin)
    assert "No mail is in quarantine." in client.get(URL).content.decode()


def test_the_raw_mail_downloads_as_it_was_read(
    client: Client, admin: User, email_inbox: Inbox
) -> None:
    mail = quarantine(email_inbox, 41, ORDER, "OperationalError: database is locked")
    client.force_login(admin)

    response = client.get(f"{URL}{mail.pk}/eml/")

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == (
        f'attachment; filename="quarantined-{email_inbox.pk}-41.eml"'
    )
    assert response.content == ORDER


def test_a_retry_stores_the_mail_and_is_audited(
    client: Client, admin: User, email_inbox: Inbox
) -> None:
    mail = quarantine(email_inbox, 41, ORDER, "OperationalError: database is locked")
    client.force_login(admin)

    response = client.post(f"{URL}{mail.pk}/retry/", follow=True)

    message = Message.objects.get()
    assert message.external_id == "<order-4417@example.fr>"
    mail.refresh_from_db()
    assert mail.released_message_id == message.pk and not mail.is_quarantined
    entry = AuditLogEntry.objects.get(action="quarantined_mail.released")
    assert entry.actor == admin and entry.target_id == str(mail.pk)
    assert entry.data == {"inbox": "Support mail", "mailbox": "INBOX", "uid": 41,
                          "message_id": message.pk}
    page = response.content.decode()
    assert f"The mail was stored in conversation {message.conversation_id}." in page
    assert "No mail is in quarantine." in page


def test_a_retry_that_fails_again_keeps_the_mail_with_its_new_error_and_is_audited(
    client: Client, admin: User, email_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = quarantine(email_inbox, 42, ORDER, "an old error")
    client.force_login(admin)

    def still_broken(inbox: Inbox, raw: bytes) -> IntakeResult:
        Message.objects.all().delete()  # a write, rolled back with the failed intake
        raise RuntimeError("a bug in intake")

    monkeypatch.setattr(quarantine_module, "receive_email", still_broken)

    response = client.post(f"{URL}{mail.pk}/retry/", follow=True)

    assert not Message.objects.exists()
    mail.refresh_from_db()
    assert mail.is_quarantined and mail.attempts == 2
    assert mail.error == "RuntimeError: a bug in intake"
    entry = AuditLogEntry.objects.get(action="quarantined_mail.retry_failed")
    assert entry.actor == admin and entry.data["uid"] == 42
    assert entry.data["error"] == "RuntimeError: a bug in intake"
    assert "UID 42 still fails: RuntimeError: a bug in intake" in response.content.decode()


def test_a_mail_with_nothing_to_store_is_released_and_the_page_says_so(
    client: Client, admin: User, email_inbox: Inbox
) -> None:
    mail = quarantine(email_inbox, 42, NO_SENDER, "an old error")
    client.force_login(admin)

    response = client.post(f"{URL}{mail.pk}/retry/", follow=True)

    assert not Message.objects.exists()
    mail.refresh_from_db()
    assert not mail.is_quarantined
    assert AuditLogEntry.objects.filter(action="quarantined_mail.released").exists()
    assert "The mail was read again; there was nothing in it to store" in (
        response.content.decode())


def test_a_mail_already_stored_is_not_retried_twice(
    client: Client, admin: User, email_inbox: Inbox
) -> None:
    mail = quarantine(email_inbox, 41, ORDER, "OperationalError: database is locked")
    client.force_login(admin)
    client.post(f"{URL}{mail.pk}/retry/")

    response = client.post(f"{URL}{mail.pk}/retry/", follow=True)

    assert Message.objects.count() == 1
    assert AuditLogEntry.objects.filter(action__startswith="quarantined_mail.").count() == 1
    assert f"No quarantined mail {mail.pk}." in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_agents_and_supervisors_can_neither_see_nor_retry_nor_download(
    client: Client, request: pytest.FixtureRequest, email_inbox: Inbox, role: str
) -> None:
    mail = quarantine(email_inbox, 41, ORDER, "OperationalError: database is locked")
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{mail.pk}/eml/").status_code == 403
    assert client.post(f"{URL}{mail.pk}/retry/").status_code == 403
    mail.refresh_from_db()
    assert mail.is_quarantined and not Message.objects.exists()


def test_the_settings_navigation_lists_the_page_for_administrators_only(
    client: Client, admin: User, supervisor: User
) -> None:
    client.force_login(admin)
    assert f'href="{URL}"' in client.get("/settings/audit/").content.decode()
    client.force_login(supervisor)
    assert f'href="{URL}"' not in client.get("/settings/labels/").content.decode()
