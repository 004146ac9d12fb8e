"""Amazon SES bounce, complaint and delivery notifications delivered by e-mail through SNS.

Fixtures: fixtures/bounces/ses/ (constructed from Amazon's documented examples, see its
README.md). End to end through POST /api/v1/inboxes/{id}/email like any raw mail.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from omnicanal.accounts.models import User
from omnicanal.connectors.email.parsing import parse_email
from omnicanal.connectors.email.tests.corpus import FIXTURES
from omnicanal.connectors.email.tests.test_api import post_mail, sent_reply  # noqa: F401
from omnicanal.contacts.models import Identity
from omnicanal.conversations.models import Conversation, Inbox, Message

SES = FIXTURES / "bounces" / "ses"


def _raw(name: str) -> bytes:
    return (SES / name).read_bytes()


def test_an_sns_email_bounce_names_the_recipient_status_and_reason() -> None:
    parsed = parse_email(_raw("sns-email-bounce.eml"))

    assert parsed.is_bounce and parsed.is_auto_reply
    (recipient,) = parsed.bounce_recipients
    assert (recipient.recipient, recipient.status, recipient.reason, recipient.hard) == (
        "jane@example.com",
        "5.1.1",
        "userunknown",
        True,
    )
    assert parsed.report is not None
    assert parsed.report.message_ids == ("<custom-message-ID@example.com>",)


def test_a_suppressed_address_is_a_bounce_with_sisimai_s_suppressed_reason() -> None:
    (recipient,) = parse_email(_raw("sns-email-suppressed.eml")).bounce_recipients

    assert (recipient.recipient, recipient.status, recipient.reason) == (
        "mary@example.com",
        "5.0.903",
        "suppressed",
    )
    # On SES's list because of earlier bounces, which named their own reasons.
    assert not recipient.hard


def test_an_sns_email_json_complaint_is_a_feedback_bounce() -> None:
    parsed = parse_email(_raw("sns-email-json-complaint.eml"))

    assert parsed.is_bounce
    assert parsed.report is not None and parsed.report.kind == "complaint"
    (recipient,) = parsed.bounce_recipients
    assert (recipient.recipient, recipient.reason, recipient.action) == (
        "richard@example.com",
        "feedback",
        "abuse",
    )


def test_a_delivery_notification_is_no_bounce() -> None:
    parsed = parse_email(_raw("sns-email-delivery.eml"))

    assert not parsed.is_bounce
    assert parsed.report is not None and parsed.report.kind == "delivered"
    assert [r.recipient for r in parsed.report.recipients] == ["jane@example.com"]


def test_a_notification_folded_by_a_gateway_is_still_read() -> None:
    # Some gateways cut lines over 998 octets, marking each cut with a trailing "!".
    head, _, rest = _raw("sns-email-bounce.eml").partition(b"\r\n\r\n")
    notification, _, footer = rest.partition(b"\r\n--\r\n")
    folded = b"!\r\n ".join(notification[i : i + 200] for i in range(0, len(notification), 200))

    parsed = parse_email(head + b"\r\n\r\n" + folded + b"\r\n--\r\n" + footer)

    assert [r.recipient for r in parsed.bounce_recipients] == ["jane@example.com"]


def test_a_customer_quoting_a_notification_is_not_taken_for_a_bounce() -> None:
    notification = _raw("sns-email-bounce.eml").partition(b"\r\n\r\n")[2]
    raw = (
        b"From: Jeanne Martin <jeanne.martin@example.fr>\r\nTo: support@omnicanal.test\r\n"
        b"Subject: Why do I get this?\r\nMessage-ID: <q@example.fr>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + notification
    )

    assert not parse_email(raw).is_bounce


pytestmark_db = pytest.mark.django_db


def _as_notification_about(message_id: str, name: str, recipient: str) -> bytes:
    head, _, rest = _raw(name).partition(b"\r\n\r\n")
    body = rest.decode()
    start, end = body.index("{"), body.rindex("}") + 1
    data = json.loads(body[start:end])
    envelope = "Message" in data
    notification = json.loads(data["Message"]) if envelope else data
    for header in notification["mail"]["headers"]:
        if header["name"] == "Message-ID":
            header["value"] = message_id
    notification["mail"]["commonHeaders"]["messageId"] = message_id
    text = json.dumps(notification).replace("jane@example.com", recipient)
    text = text.replace("richard@example.com", recipient)
    if envelope:
        data["Message"] = text
        text = json.dumps(data)
    return head + b"\r\n\r\n" + (body[:start] + text + body[end:]).encode()


@pytestmark_db
def test_an_ses_bounce_fails_our_message_and_condemns_the_address(
    agent: User,
    mail_inbox: Inbox,
    sent_reply: Message,  # noqa: F811
) -> None:
    conversations = Conversation.objects.count()
    raw = _as_notification_about(
        sent_reply.provider_message_id, "sns-email-bounce.eml", "jeanne.martin@example.fr"
    )

    response = post_mail(agent, mail_inbox, raw)

    assert response.json()["action"] == "bounce"
    assert response.json()["updated_message_ids"] == [sent_reply.pk]
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "failed"
    assert sent_reply.failure_reason.startswith("5.1.1 userunknown")
    assert Identity.objects.get(value="jeanne.martin@example.fr").is_undeliverable
    assert Conversation.objects.count() == conversations


@pytestmark_db
def test_an_ses_complaint_is_noted_and_fails_nothing(
    agent: User,
    mail_inbox: Inbox,
    sent_reply: Message,  # noqa: F811
) -> None:
    raw = _as_notification_about(
        sent_reply.provider_message_id, "sns-email-json-complaint.eml", "jeanne.martin@example.fr"
    )

    response = post_mail(agent, mail_inbox, raw)

    assert response.json()["action"] == "complaint"
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "sent"
    assert not Identity.objects.get(value="jeanne.martin@example.fr").is_undeliverable


@pytestmark_db
def test_an_ses_delivery_marks_our_message_delivered(
    agent: User,
    mail_inbox: Inbox,
    sent_reply: Message,  # noqa: F811
) -> None:
    raw = _as_notification_about(
        sent_reply.provider_message_id, "sns-email-delivery.eml", "jeanne.martin@example.fr"
    )

    response = post_mail(agent, mail_inbox, raw)

    assert response.json()["action"] == "delivered"
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "delivered"


def test_email_inspect_adds_the_report_with_delivered_recipients() -> None:
    out = StringIO()
    call_command("email_inspect", str(SES / "sns-email-delivery.eml"), stdout=out)
    line = json.loads(out.getvalue())

    assert line["is_bounce"] is False and line["bounce"] == []
    assert line["report"]["kind"] == "delivered"
    (recipient,) = line["report"]["recipients"]
    assert recipient["recipient"] == "jane@example.com"
    assert recipient["reason"] == "delivered"


def test_an_ses_delivery_delay_event_is_a_delayed_recipient_not_a_failure() -> None:
    head, _, rest = _raw("sns-email-bounce.eml").partition(b"\r\n\r\n")
    notification = json.loads(rest.partition(b"\r\n--\r\n")[0])
    event = {
        "eventType": "DeliveryDelay",
        "mail": notification["mail"],
        "deliveryDelay": {
            "timestamp": "2020-06-16T00:15:40.641Z",
            "delayType": "InternalFailure",
            "expirationTime": "2020-06-16T00:25:40.914Z",
            "delayedRecipients": [
                {
                    "emailAddress": "jane@example.com",
                    "status": "4.4.1",
                    "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host",
                }
            ],
        },
    }

    parsed = parse_email(head + b"\r\n\r\n" + json.dumps(event).encode())

    (recipient,) = parsed.bounce_recipients
    assert (recipient.recipient, recipient.action, recipient.status) == (
        "jane@example.com",
        "delayed",
        "4.4.1",
    )
