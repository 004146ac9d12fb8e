from __future__ import annotations

import pytest

from omnicanal.connectors.email.bounces import classify_reason, find_status, pseudo_status
from omnicanal.connectors.email.parsing import parse_email
from omnicanal.connectors.email.tests.corpus import FLANKER, sisimai_expected, sisimai_path


def _is_expected_bounce(relative: str, spec: dict[str, object]) -> bool:
    # sisimai lists vacation replies (reason "vacation") among its results; they are not bounces.
    return bool(spec.get("is_bounce", True)) and not relative.startswith("rfc3834")


def test_it_agrees_with_sisimai_on_at_least_95_percent_of_recipients() -> None:
    # Every recipient sisimai lists counts: a vacation reply's recipient (status "") agrees
    # when no bounce is reported for it.
    agreed, total, disagreements = 0, 0, []
    for relative, spec in sisimai_expected().items():
        if relative.startswith("_"):
            continue
        parsed = parse_email(sisimai_path(relative).read_bytes())
        if not _is_expected_bounce(relative, spec):
            total += len(spec["recipients"])
            agreed += 0 if parsed.is_bounce else len(spec["recipients"])
            continue
        got = parsed.bounce_recipients
        for index, want in enumerate(spec["recipients"]):
            total += 1
            status = got[index].status if index < len(got) else None
            if parsed.is_bounce and status == want["status"]:
                agreed += 1
            else:
                disagreements.append(f"{relative}: {status} != {want['status']}")
    assert total >= 60
    assert agreed / total >= 0.95, disagreements


def test_it_agrees_with_sisimai_on_the_status_of_at_least_95_percent_of_bounces_alone() -> None:
    # The strict figure: vacation replies' recipients (status "") left out.
    agreed, total = 0, 0
    for relative, spec in sisimai_expected().items():
        if relative.startswith("_") or not _is_expected_bounce(relative, spec):
            continue
        parsed = parse_email(sisimai_path(relative).read_bytes())
        got = parsed.bounce_recipients
        for index, want in enumerate(spec["recipients"]):
            total += 1
            agreed += index < len(got) and got[index].status == want["status"]
    assert total == 59
    assert agreed / total >= 0.95


def test_a_user_unknown_without_code_or_rcpt_stage_is_filtered_not_hard() -> None:
    # Postfix said "User unknown" without "(in reply to RCPT TO command)": the stage is
    # unknown, so the address is not condemned (sisimai's Filtered rule).
    parsed = parse_email(sisimai_path("lhost-postfix-07.eml").read_bytes())

    recipient = parsed.bounce_recipients[0]
    assert (recipient.reason, recipient.status, recipient.hard) == ("filtered", "5.0.910", False)


def test_it_calls_no_vacation_reply_or_ordinary_mail_a_bounce() -> None:
    not_bounces = [
        relative
        for relative, spec in sisimai_expected().items()
        if not relative.startswith("_") and not _is_expected_bounce(relative, spec)
    ]
    assert len(not_bounces) >= 7
    for relative in not_bounces:
        assert not parse_email(sisimai_path(relative).read_bytes()).is_bounce, relative


def test_it_marks_vacation_replies_as_auto_replies() -> None:
    for relative in sisimai_expected():
        if relative.startswith("rfc3834"):
            assert parse_email(sisimai_path(relative).read_bytes()).is_auto_reply, relative


@pytest.mark.parametrize("name", ["signed.eml", "disposition-notification.eml"])
def test_it_does_not_call_a_signed_mail_or_a_read_receipt_a_bounce(name: str) -> None:
    assert not parse_email((FLANKER / name).read_bytes()).is_bounce


def test_it_treats_a_read_receipt_as_an_auto_reply() -> None:
    assert parse_email((FLANKER / "disposition-notification.eml").read_bytes()).is_auto_reply


@pytest.mark.parametrize("name", sorted(p.name for p in (FLANKER / "bounce").glob("*.eml")))
def test_it_detects_every_flanker_bounce(name: str) -> None:
    parsed = parse_email((FLANKER / "bounce" / name).read_bytes())
    assert parsed.is_bounce
    assert parsed.bounce_recipients
    assert all(r.recipient and r.status[:1] in "45" for r in parsed.bounce_recipients)


@pytest.mark.parametrize(("name", "status"), [("zed.eml", "5.1.1"), ("office365.eml", "5.1.10")])
def test_it_marks_a_hard_bounce_with_its_dsn_status(name: str, status: str) -> None:
    parsed = parse_email((FLANKER / "bounce" / name).read_bytes())
    (recipient,) = parsed.bounce_recipients
    assert recipient.status == status
    assert recipient.hard
    assert recipient.action == "failed"


@pytest.mark.parametrize("name", ["aol.eml", "yahoo.eml"])
def test_it_reports_an_arf_complaint_as_a_feedback_bounce(name: str) -> None:
    parsed = parse_email((FLANKER / "complaints" / name).read_bytes())
    assert parsed.is_bounce
    (recipient,) = parsed.bounce_recipients
    assert recipient.reason == "feedback"
    assert not recipient.hard
    assert "@" in recipient.recipient


def test_a_delivered_report_is_an_auto_reply_not_a_bounce() -> None:
    raw = (
        b"From: MAILER-DAEMON@example.com\r\nTo: ann@example.com\r\n"
        b"Subject: Successful Mail Delivery Report\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nYour message was delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n"
        b"\r\nFinal-Recipient: rfc822; bob@example.org\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
        b"\r\n--b--\r\n"
    )
    parsed = parse_email(raw)
    assert not parsed.is_bounce
    assert parsed.is_auto_reply


def test_it_infers_the_status_from_the_smtp_reply_when_the_report_has_no_code() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: ann@example.com\r\n"
        b"Subject: failure notice\r\n\r\n"
        b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n"
        b"<bob@example.org>:\r\nRemote host said: 550 Mailbox full, over quota\r\n\r\n"
        b"--- Below this line is a copy of the message.\r\n"
    )
    (recipient,) = parse_email(raw).bounce_recipients
    assert recipient.recipient == "bob@example.org"
    assert recipient.reason == "mailboxfull"
    assert recipient.status == "5.0.922"
    assert not recipient.hard


def test_it_finds_the_enhanced_status_code_in_mta_text() -> None:
    assert find_status("Remote host said: 550-5.1.1 The email account does not exist") == "5.1.1"
    assert find_status("Sorry, I couldn't connect (#4.4.1)") == "4.4.1"
    assert find_status("no code here, version 1.2.3.4") == ""


def test_it_names_reasons_with_sisimai_vocabulary() -> None:
    assert classify_reason("550 5.1.1 User unknown") == "userunknown"
    assert classify_reason("552 Mailbox full") == "mailboxfull"
    assert classify_reason("Host or domain name not found") == "hostunknown"
    assert classify_reason("", "5.2.2") == "mailboxfull"
    assert pseudo_status("userunknown", temporary=False) == "5.0.911"
