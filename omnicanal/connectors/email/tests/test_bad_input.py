"""Hostile or broken e-mail through the raw-MIME endpoint: stored (with what fits, flagged),
never a 500, never a row that breaks the pages that show it. Runs on the database of the
run: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer
from omnicanal.conversations.models import Attachment, Inbox, Message

pytestmark = pytest.mark.django_db

HEADERS = (
    b"From: Jeanne Martin <jeanne.martin@example.fr>\r\n"
    b"To: support@omnicanal.test\r\n"
    b"Subject: Ma commande\r\n"
    b"Message-ID: <hostile@example.fr>\r\n"
    b"MIME-Version: 1.0\r\n"
)


def post_mail(user: User, inbox: Inbox, raw: bytes) -> Any:
    return Client().post(
        f"/api/v1/inboxes/{inbox.pk}/email", raw, content_type="message/rfc822", **bearer(user)
    )


def assert_pages_load(admin: User, message: Message) -> None:
    """What an agent opens for this customer: the API's view and the workspace page."""
    api = Client().get(f"/api/v1/conversations/{message.conversation_id}", **bearer(admin))
    assert api.status_code == 200
    browser = Client()
    browser.force_login(admin)
    page = browser.get(reverse("web:conversation", args=[message.conversation_id]))
    assert page.status_code == 200


def test_a_mail_dated_year_9999_is_stored_at_its_arrival(
    admin: User, mail_inbox: Inbox
) -> None:
    before = timezone.now()
    # 23:59 at UTC-5 is year 10000 in UTC: PostgreSQL stores it, no driver reads it back.
    raw = HEADERS + b"Date: Fri, 31 Dec 9999 23:59:59 -0500\r\n\r\nBonjour\r\n"

    response = post_mail(admin, mail_inbox, raw)

    assert response.status_code == 201
    message = Message.objects.get()
    assert before <= message.sent_at <= timezone.now()
    # What the sender claimed is kept for whoever looks into it.
    assert message.metadata["claimed_sent_at"] == "9999-12-31T23:59:59-05:00"
    assert_pages_load(admin, message)


def test_a_mail_dated_before_1990_is_stored_at_its_arrival(
    admin: User, mail_inbox: Inbox
) -> None:
    before = timezone.now()
    raw = HEADERS + b"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n\r\nBonjour\r\n"

    post_mail(admin, mail_inbox, raw)

    message = Message.objects.get()
    assert message.sent_at >= before
    assert message.metadata["claimed_sent_at"].startswith("1970-01-01")


def test_nul_bytes_in_a_mail_are_removed_from_what_is_stored(
    admin: User, mail_inbox: Inbox
) -> None:
    raw = (
        b"From: =?utf-8?q?Jea=00nne?= <jeanne.martin@example.fr>\r\n"
        b"To: support@omnicanal.test\r\n"
        b"Subject: =?utf-8?q?Ma_com=00mande?=\r\n"
        b"Message-ID: <nul@example.fr>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Bon\x00jour, ma commande\r\n"
        b"--B\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''fac%00ture%ED%A0%80.pdf\r\n\r\n"
        b"%PDF-1.4\r\n"
        b"--B--\r\n"
    )

    response = post_mail(admin, mail_inbox, raw)

    assert response.status_code == 201
    message = Message.objects.select_related("conversation__contact").get()
    assert "\x00" not in message.text and "Bonjour" in message.text
    assert "\x00" not in message.conversation.subject
    assert "\x00" not in message.conversation.contact.name
    [attachment] = Attachment.objects.filter(message=message)
    assert "\x00" not in attachment.filename
    assert attachment.filename.startswith("fac")
    assert_pages_load(admin, message)


def nested_mail(depth: int) -> bytes:
    """A customer's text, then a multipart nested `depth` levels deep."""
    inner = b"Content-Type: text/plain\r\n\r\ndeepest\r\n"
    for level in range(depth):
        boundary = f"L{level}".encode()
        inner = (
            b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n--'
            + boundary + b"\r\n" + inner + b"\r\n--" + boundary + b"--\r\n"
        )
    return (
        HEADERS + b'Content-Type: multipart/mixed; boundary="TOP"\r\n\r\n'
        b"--TOP\r\nContent-Type: text/plain\r\n\r\nBonjour, voici ma commande.\r\n"
        b"--TOP\r\n" + inner + b"--TOP--\r\n"
    )


def test_a_mail_nested_2000_levels_deep_is_stored_with_what_fits_and_flagged(
    admin: User, mail_inbox: Inbox
) -> None:
    response = post_mail(admin, mail_inbox, nested_mail(2000))

    assert response.status_code == 201
    message = Message.objects.get()
    assert "Bonjour, voici ma commande." in message.text
    [reason] = message.metadata["incomplete"]
    assert "nested more than 20 levels" in reason
    assert_pages_load(admin, message)


def test_a_mail_nested_within_the_limit_is_read_whole(
    admin: User, mail_inbox: Inbox
) -> None:
    post_mail(admin, mail_inbox, nested_mail(5))

    message = Message.objects.get()
    assert "deepest" in message.text
    assert "incomplete" not in message.metadata


def many_parts_mail(count: int) -> bytes:
    parts = [b"--P\r\nContent-Type: text/plain\r\n\r\nBonjour, les factures.\r\n"]
    for number in range(count):
        parts.append(
            b"--P\r\nContent-Type: application/octet-stream\r\n"
            b'Content-Disposition: attachment; filename="f%d.bin"\r\n\r\nxx\r\n' % number
        )
    return HEADERS + b'Content-Type: multipart/mixed; boundary="P"\r\n\r\n' + b"".join(
        parts) + b"--P--\r\n"


def test_a_mail_with_50000_parts_is_stored_with_the_first_ones_and_flagged(
    admin: User, mail_inbox: Inbox
) -> None:
    response = post_mail(admin, mail_inbox, many_parts_mail(50_000))

    assert response.status_code == 201
    message = Message.objects.get()
    assert "Bonjour, les factures." in message.text
    # Files written for this one mail: bounded by EMAIL_MAX_ATTACHMENTS, not by the sender.
    stored = Attachment.objects.filter(message=message)
    assert stored.count() == 100
    assert sorted(stored.values_list("filename", flat=True))[:2] == ["f0.bin", "f1.bin"]
    reasons = " ".join(message.metadata["incomplete"])
    assert "more than 500 MIME parts" in reasons
    assert "attachments over the limits" in reasons


def test_attachments_over_the_total_size_are_named_not_stored(
    admin: User, mail_inbox: Inbox, settings: Any
) -> None:
    settings.EMAIL_MAX_ATTACHMENTS_BYTES = 5
    raw = many_parts_mail(3)  # three files of 2 bytes: the third is over 5 bytes

    post_mail(admin, mail_inbox, raw)

    message = Message.objects.get()
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["f0.bin", "f1.bin"]
    [reason] = message.metadata["incomplete"]
    assert "1 attachments over the limits" in reason and "f2.bin" in reason
