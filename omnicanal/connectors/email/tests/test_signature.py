"""The agent's e-mail signature under an e-mail reply, as the SMTP server receives it."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.email.intake import receive_email
from omnicanal.connectors.email.tests.conftest import SmtpRecorder, make_mail
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox

pytestmark = pytest.mark.django_db

SIGNATURE = "Bob Agent\nService client <Omnicanal>"


@pytest.fixture
def conversation_id(mail_inbox: Inbox) -> int:
    result = receive_email(mail_inbox, make_mail(message_id="<first@example.fr>"))
    assert result.conversation_id is not None
    return result.conversation_id


def sent_mail(smtp_server: SmtpRecorder) -> EmailMessage:
    message = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_email_signature_is_appended_to_an_email_reply(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    User.objects.filter(pk=agent.pk).update(signatures={"email": SIGNATURE})
    agent.refresh_from_db()

    message = reply(agent, conversation_id, "Votre colis part demain.")
    assert send_message.call(message.pk) == "sent"

    sent = sent_mail(smtp_server)
    plain = sent.get_body(("plain",))
    html = sent.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n").startswith(
        "Votre colis part demain.\n\nBob Agent\nService client <Omnicanal>"
    )
    # Escaped in the HTML part, like the reply itself.
    assert "Service client &lt;Omnicanal&gt;" in html.get_content()
    # The agent's words stay the message's text (search, export, edits); the signature is
    # kept beside them as it was when sent, so a later change does not rewrite history.
    message.refresh_from_db()
    assert message.text == "Votre colis part demain."
    assert message.signature == SIGNATURE
    assert message.sent_text == f"Votre colis part demain.\n\n{SIGNATURE}"


def test_a_signature_changed_later_does_not_change_what_was_sent(
    agent: User, conversation_id: int
) -> None:
    User.objects.filter(pk=agent.pk).update(signatures={"email": "Bob"})
    agent.refresh_from_db()
    message = reply(agent, conversation_id, "Bonjour.")
    User.objects.filter(pk=agent.pk).update(signatures={"email": "Robert"})
    message.refresh_from_db()
    assert message.signature == "Bob"


def test_without_a_signature_the_reply_is_sent_as_written(
    agent: User, conversation_id: int, smtp_server: SmtpRecorder
) -> None:
    message = reply(agent, conversation_id, "Votre colis part demain.")
    send_message.call(message.pk)
    plain = sent_mail(smtp_server).get_body(("plain",))
    assert plain is not None
    assert plain.get_content().strip() == "Votre colis part demain."


def test_the_signature_of_another_channel_is_not_used_for_email(
    agent: User, conversation_id: int
) -> None:
    User.objects.filter(pk=agent.pk).update(signatures={"sms": "Bob, SAV"})
    agent.refresh_from_db()
    assert reply(agent, conversation_id, "Bonjour.").signature == ""


def test_an_automatic_reply_carries_no_agents_signature(
    agent: User, conversation_id: int
) -> None:
    User.objects.filter(pk=agent.pk).update(signatures={"email": "Bob"})
    agent.refresh_from_db()
    message = reply(agent, conversation_id, "Nous avons bien reçu votre message.",
                    automatic=True)
    assert message.signature == ""
