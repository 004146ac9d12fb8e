"""Sending an agent's reply by e-mail: headers, parts, files, and which failures are retried."""

from __future__ import annotations

import email
import email.policy
import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from omnicanal.accounts.models import User
from omnicanal.connectors.base import OutboundMessage, SendError
from omnicanal.connectors.email.adapter import EmailAdapter, classify_smtp_error
from omnicanal.connectors.email.intake import receive_email
from omnicanal.connectors.email.tests.conftest import (
    SUPPORT_ADDRESS,
    SmtpRecorder,
    free_port,
    make_mail,
)
from omnicanal.connectors.email.threading import our_message_id, our_message_pk
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Attachment, Inbox, Message

pytestmark = pytest.mark.django_db


def received(smtp_server: SmtpRecorder, index: int = -1) -> EmailMessage:
    message = email.message_from_bytes(smtp_server.messages[index], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def conversation_id(mail_inbox: Inbox) -> int:
    result = receive_email(mail_inbox, make_mail(message_id="<first@example.fr>"))
    assert result.conversation_id is not None
    return result.conversation_id


def test_a_reply_goes_out_threaded_with_our_message_id_and_the_subject_token(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    message = reply(agent, conversation_id, "Votre colis part demain.")

    assert send_message.call(message.pk) == "sent"

    sent = received(smtp_server)
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert message.provider_message_id == sent["Message-ID"]
    assert our_message_pk(sent["Message-ID"]) == message.pk
    assert sent["Message-ID"].endswith("@omnicanal.test>")
    assert sent["In-Reply-To"] == "<first@example.fr>"
    assert sent["References"] == "<first@example.fr>"
    assert sent["Subject"] == f"Re: Ma commande 4471 [#{conversation_id}]"
    assert sent["To"] == "jeanne.martin@example.fr"
    assert SUPPORT_ADDRESS in sent["From"] and "Bob Agent" in sent["From"]
    assert smtp_server.envelopes[-1] == (SUPPORT_ADDRESS, ["jeanne.martin@example.fr"])
    plain = sent.get_body(("plain",))
    html = sent.get_body(("html",))
    assert plain is not None and "Votre colis part demain." in plain.get_content()
    assert html is not None and "<p>Votre colis part demain.</p>" in html.get_content()


def test_a_second_reply_references_the_whole_thread(
    agent: User, mail_inbox: Inbox, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    first = reply(agent, conversation_id, "Première réponse.")
    send_message.call(first.pk)
    first.refresh_from_db()
    customer = make_mail(
        message_id="<second@example.fr>",
        in_reply_to=first.provider_message_id,
        references=f"<first@example.fr> {first.provider_message_id}",
        subject=f"Re: Ma commande 4471 [#{conversation_id}]",
    )
    assert receive_email(mail_inbox, customer).conversation_id == conversation_id

    second = reply(agent, conversation_id, "Deuxième réponse.")
    send_message.call(second.pk)

    sent = received(smtp_server)
    assert sent["In-Reply-To"] == "<second@example.fr>"
    assert sent["References"].split() == [
        "<first@example.fr>",
        first.provider_message_id,
        "<second@example.fr>",
    ]
    # One token, however many times the subject went back and forth.
    assert sent["Subject"] == f"Re: Ma commande 4471 [#{conversation_id}]"


def test_agent_html_is_sanitised_and_files_are_attached(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    message = reply(agent, conversation_id, "Voir la facture jointe.")
    Message.objects.filter(pk=message.pk).update(
        html='<p onclick="steal()">Voir la <b>facture</b></p><script>alert(1)</script>'
    )
    attachment = Attachment(message=message, filename="facture.pdf",
                            content_type="application/pdf", size=8)
    attachment.file.save("facture.pdf", ContentFile(b"%PDF-1.4"), save=True)

    assert send_message.call(message.pk) == "sent"

    sent = received(smtp_server)
    html = sent.get_body(("html",))
    assert html is not None
    assert "<b>facture</b>" in html.get_content()
    assert "script" not in html.get_content() and "onclick" not in html.get_content()
    files = list(sent.iter_attachments())
    assert [(f.get_filename(), f.get_content_type(), f.get_content()) for f in files] == [
        ("facture.pdf", "application/pdf", b"%PDF-1.4")
    ]


def test_a_retried_send_reuses_the_same_message_id(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    message = reply(agent, conversation_id, "Bonjour")
    smtp_server.rcpt_replies = ["451 4.7.1 Greylisted, try again later"]

    assert send_message.call(message.pk) == "retrying"
    assert send_message.call(message.pk) == "sent"

    message.refresh_from_db()
    assert message.provider_message_id == our_message_id(message.pk, "omnicanal.test")


def test_a_greylisting_4xx_is_retried(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    message = reply(agent, conversation_id, "Bonjour")
    smtp_server.rcpt_replies = ["450 4.2.0 Mailbox busy"]

    assert send_message.call(message.pk) == "retrying"

    message.refresh_from_db()
    assert message.delivery_status == "pending"
    assert "450" in message.failure_reason


def test_a_5xx_refusal_fails_the_message_for_good(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    message = reply(agent, conversation_id, "Bonjour")
    smtp_server.rcpt_replies = ["550 5.1.1 No such user"]

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "550 5.1.1 No such user" in message.failure_reason


def test_an_unreachable_server_is_retried_and_the_password_is_not_in_the_reason(
    agent: User, mail_inbox: Inbox, conversation_id: int
) -> None:
    mail_inbox.settings.update(
        smtp_port=free_port(), smtp_username="support", smtp_password="s3cret-pw"
    )
    mail_inbox.save()
    message = reply(agent, conversation_id, "Bonjour")

    assert send_message.call(message.pk) == "retrying"

    message.refresh_from_db()
    assert "Could not reach the SMTP server" in message.failure_reason
    assert "s3cret-pw" not in message.failure_reason


def test_without_an_smtp_host_django_s_email_backend_sends(
    agent: User, mail_inbox: Inbox, conversation_id: int
) -> None:
    mail_inbox.settings = {"from_address": SUPPORT_ADDRESS}
    mail_inbox.save()
    message = reply(agent, conversation_id, "Bonjour")

    assert send_message.call(message.pk) == "sent"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["In-Reply-To"] == "<first@example.fr>"


def test_a_contact_without_deliverable_address_fails_permanently() -> None:
    outbound = OutboundMessage(message_id=1, conversation_id=1, recipient="", text="x")

    with pytest.raises(SendError) as error:
        EmailAdapter().send(outbound, {"from_address": SUPPORT_ADDRESS})

    assert error.value.is_permanent


@pytest.mark.parametrize(
    ("exception", "is_permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"no"), "b@x.test": (451, b"later")}),
         False),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "s@x.test"), True),
        (smtplib.SMTPDataError(452, b"insufficient storage"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), True),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "refused"), False),
        (TimeoutError("timed out"), False),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported"), True),
    ],
)
def test_smtp_errors_are_classified_by_reply_code(exception: Exception, is_permanent: Any) -> None:
    assert classify_smtp_error(exception).is_permanent is is_permanent


def test_parse_turns_a_raw_mail_into_one_inbound_message_keyed_by_message_id() -> None:
    from omnicanal.connectors.base import InboundRequest

    parsed = EmailAdapter().parse(
        InboundRequest(body=make_mail(message_id="<a@example.fr>"), headers={}, url="/"), {}
    )

    assert [m.external_id for m in parsed.messages] == ["<a@example.fr>"]
    assert parsed.messages[0].sender.identities[0].value == "jeanne.martin@example.fr"
