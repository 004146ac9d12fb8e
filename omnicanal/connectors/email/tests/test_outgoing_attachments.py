"""A reply's files reach the customer's mailbox as MIME attachments (a real SMTP receiver)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.email.intake import receive_email
from omnicanal.connectors.email.tests.conftest import SmtpRecorder, make_mail
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox
from omnicanal.testing.files import PDF, PNG, upload

pytestmark = pytest.mark.django_db


def test_the_files_of_a_reply_arrive_as_attachments_with_their_names_and_types(
    agent: User, mail_inbox: Inbox, smtp_server: SmtpRecorder, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    conversation_id = receive_email(mail_inbox, make_mail()).conversation_id
    assert conversation_id is not None
    message = reply(agent, conversation_id, "Voici votre facture et la photo du colis.",
                    attachments=[upload("Facture n°4471.pdf", PDF, "text/plain"),
                                 upload("colis.png", PNG)])

    assert send_message.call(message.pk) == "sent"

    sent = email.message_from_bytes(smtp_server.messages[-1], policy=email.policy.default)
    assert isinstance(sent, EmailMessage)
    files = [(part.get_filename(), part.get_content_type(), part.get_content())
             for part in sent.iter_attachments()]
    assert files == [("Facture n°4471.pdf", "application/pdf", PDF),
                     ("colis.png", "image/png", PNG)]
    body = sent.get_body(("plain",))
    assert body is not None and "Voici votre facture" in body.get_content()
