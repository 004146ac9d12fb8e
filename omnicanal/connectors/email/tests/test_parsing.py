from __future__ import annotations

from pathlib import Path

import pytest

from omnicanal.connectors.base import IdentityKind
from omnicanal.connectors.email.inspection import KEYS, inspect_file
from omnicanal.connectors.email.parsing import parse_email, to_inbound_message
from omnicanal.connectors.email.tests.corpus import FIXTURES, SHARED_CORPORA, mail_files

REPLY = (
    b"From: =?utf-8?q?Ren=C3=A9e?= <Renee@Example.COM>\r\n"
    b"To: Support <help@example.com>, other@example.com\r\n"
    b"Subject: =?iso-8859-1?q?R=E9ponse?=\r\n"
    b"Message-ID: <reply-1@example.com>\r\n"
    b"In-Reply-To: <orig-1@example.com>\r\n"
    b"References: <root@example.com> <orig-1@example.com>\r\n"
    b"Date: Mon, 4 Mar 2024 10:00:00 +0100\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/related; boundary="r"\r\n\r\n'
    b'--r\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n'
    b"--a\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"C'est r=E9gl=E9.\r\n\r\nOn Mon, Mar 4, 2024 at 9:00 AM Help <help@example.com> wrote:\r\n"
    b"> Bonjour\r\n"
    b"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>C\'est r\xc3\xa9gl\xc3\xa9.</p><img src="cid:logo@x">\r\n'
    b"--a--\r\n"
    b"--r\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
    b"Content-Transfer-Encoding: base64\r\nContent-Disposition: inline\r\n\r\n"
    b"iVBORw0KGgo=\r\n"
    b"--r--\r\n"
)


def test_it_reads_addresses_ids_and_encoded_headers() -> None:
    parsed = parse_email(REPLY)
    assert parsed.sender is not None
    assert parsed.sender.address == "renee@example.com"
    assert parsed.sender.name == "Renée"
    assert [a.address for a in parsed.to] == ["help@example.com", "other@example.com"]
    assert parsed.subject == "Réponse"
    assert parsed.message_id == "<reply-1@example.com>"
    assert parsed.in_reply_to == "<orig-1@example.com>"
    assert parsed.references == ("<root@example.com>", "<orig-1@example.com>")
    assert parsed.date is not None and parsed.date.year == 2024


def test_it_decodes_the_body_charset_and_trims_the_quote() -> None:
    parsed = parse_email(REPLY)
    assert parsed.reply_text == "C'est réglé."
    assert "Bonjour" in parsed.text
    assert "réglé" in parsed.html


def test_it_keeps_inline_parts_with_their_content_id() -> None:
    (logo,) = parse_email(REPLY).attachments
    assert logo.content_type == "image/png"
    assert logo.content_id == "logo@x"
    assert logo.is_inline
    assert logo.content.startswith(b"\x89PNG")


def test_it_builds_an_inbound_message_for_ingest() -> None:
    message = to_inbound_message(parse_email(REPLY))
    (identity,) = message.sender.identities
    assert identity.kind == IdentityKind.EMAIL
    assert identity.value == "renee@example.com"
    assert message.external_id == "<reply-1@example.com>"
    assert message.text == "C'est réglé."
    assert message.thread.in_reply_to == "<orig-1@example.com>"
    assert tuple(message.thread.references) == ("<root@example.com>", "<orig-1@example.com>")
    assert message.thread.subject == "Réponse"
    assert message.attachments[0].content_id == "logo@x"
    assert message.attachments[0].type == "image"
    assert not message.is_auto_reply


@pytest.mark.parametrize(
    "header",
    [
        b"Auto-Submitted: auto-replied",
        b"X-Autoreply: yes",
        b"X-Autorespond: Out of office",
        b"X-Auto-Response-Suppress: All",
        b"Precedence: auto_reply",
    ],
)
def test_it_recognises_auto_reply_headers(header: bytes) -> None:
    raw = b"From: a@example.com\r\nSubject: Re: hello\r\n" + header + b"\r\n\r\nAway.\r\n"
    assert parse_email(raw).is_auto_reply


@pytest.mark.parametrize(
    "subject", [b"Automatic reply: hello", b"Out of Office: hello", b"Abwesenheitsnotiz"]
)
def test_it_recognises_vacation_subjects(subject: bytes) -> None:
    raw = b"From: a@example.com\r\nSubject: " + subject + b"\r\n\r\nAway.\r\n"
    assert parse_email(raw).is_auto_reply


def test_auto_submitted_no_is_not_an_auto_reply() -> None:
    raw = b"From: a@example.com\r\nSubject: Hello\r\nAuto-Submitted: no\r\n\r\nHi\r\n"
    assert not parse_email(raw).is_auto_reply


@pytest.mark.parametrize(
    "header", [b"List-Id: <news.example.com>", b"Precedence: bulk", b"Precedence: list"]
)
def test_it_marks_list_mail_as_bulk_without_calling_it_an_auto_reply(header: bytes) -> None:
    parsed = parse_email(b"From: a@example.com\r\nSubject: News\r\n" + header + b"\r\n\r\nHi\r\n")
    assert parsed.is_bulk
    assert not parsed.is_auto_reply


def test_it_records_an_unknown_charset_as_a_defect_and_still_decodes() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n"
        b"\r\nCaf\xc3\xa9\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text == "Café"
    assert any("x-klingon" in defect for defect in parsed.defects)


def test_it_records_mime_defects_instead_of_raising() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never"\r\n\r\nno parts at all\r\n'
    )
    parsed = parse_email(raw)
    assert parsed.defects
    assert "no parts at all" in parsed.text


def test_it_survives_a_malformed_address_header() -> None:
    raw = b'From: "unterminated <a@@example..com\r\nTo: ,,;<>\r\nSubject: \xff\xfe\r\n\r\nbody\r\n'
    parsed = parse_email(raw)
    assert parsed.text == "body"


def test_it_inspects_every_copied_mime_file_without_an_error() -> None:
    files = mail_files(FIXTURES / "mime")
    assert len(files) >= 100
    for path in files:
        result = inspect_file(str(path))
        assert result["error"] is None, path
        assert tuple(result) == KEYS


def test_it_inspects_every_file_of_the_shared_mime_corpus_without_an_error() -> None:
    root = SHARED_CORPORA / "mime_parsing"
    if not root.is_dir():
        pytest.skip(f"{root} is absent: only the copied MIME files (under 100 KB) were inspected")
    files = mail_files(root)
    assert len(files) >= 110
    failures = [p for p in files if inspect_file(str(p))["error"] is not None]
    assert failures == []


def test_an_attached_message_is_one_attachment() -> None:
    path = FIXTURES / "mime" / "flanker" / "tests" / "fixtures" / "messages" / "enclosed.eml"
    parsed = parse_email(Path(path).read_bytes())
    assert any(a.content_type == "message/rfc822" and a.size > 0 for a in parsed.attachments)
