"""POST /api/v1/inboxes/{id}/email: raw MIME intake, bounces and reports end to end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer
from omnicanal.connectors.email.tests.conftest import SUPPORT_ADDRESS, SmtpRecorder, make_mail
from omnicanal.connectors.tasks import send_message
from omnicanal.contacts.models import Identity
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Conversation, Inbox, Message, Status

pytestmark = pytest.mark.django_db


def post_mail(user: User, inbox: Inbox, raw: bytes, content_type: str = "message/rfc822") -> Any:
    return Client().post(
        f"/api/v1/inboxes/{inbox.pk}/email", raw, content_type=content_type, **bearer(user)
    )


def dsn(original_message_id: str, *, status: str = "5.1.1", recipient: str,
        diagnostic: str = "550 5.1.1 <{r}>: Recipient address rejected: User unknown",
        action: str = "failed") -> bytes:
    diagnostic = diagnostic.format(r=recipient)
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.omnicanal.test>
To: {SUPPORT_ADDRESS}
Subject: Undelivered Mail Returned to Sender
Date: Mon, 17 Jun 2024 10:00:00 +0200
Message-ID: <bounce-{status}-{recipient}@mx.omnicanal.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"

--BOUND
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.omnicanal.test.
I'm sorry to have to inform you that your message could not be delivered.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.omnicanal.test

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--BOUND
Content-Type: text/rfc822-headers

From: Support Omnicanal <{SUPPORT_ADDRESS}>
To: {recipient}
Subject: Re: Ma commande 4471
Message-ID: {original_message_id}

--BOUND--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def sent_reply(agent: User, mail_inbox: Inbox, smtp_server: SmtpRecorder) -> Message:
    """A customer's mail, answered by an agent, the answer sent over SMTP."""
    response = post_mail(agent, mail_inbox, make_mail(message_id="<first@example.fr>"))
    message = reply(agent, response.json()["conversation_id"], "Votre colis part demain.")
    assert send_message.call(message.pk) == "sent"
    message.refresh_from_db()
    return message


def test_a_customer_mail_is_stored_and_a_repeat_is_a_duplicate(
    agent: User, mail_inbox: Inbox
) -> None:
    raw = make_mail(message_id="<first@example.fr>")

    first = post_mail(agent, mail_inbox, raw)
    again = post_mail(agent, mail_inbox, raw)

    assert first.status_code == 201
    assert first.json()["action"] == "created" and first.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["message_id"] == first.json()["message_id"]
    message = Message.objects.get()
    assert message.external_id == "<first@example.fr>"
    assert message.conversation.subject == "Ma commande 4471"


def test_a_reply_threads_on_the_conversation_through_the_endpoint(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    customer = make_mail(message_id="<second@example.fr>",
                         in_reply_to=sent_reply.provider_message_id)

    response = post_mail(agent, mail_inbox, customer)

    assert response.status_code == 201
    assert response.json()["conversation_id"] == sent_reply.conversation_id


def test_the_endpoint_needs_a_token(mail_inbox: Inbox) -> None:
    response = Client().post(
        f"/api/v1/inboxes/{mail_inbox.pk}/email", make_mail(), content_type="message/rfc822"
    )

    assert response.status_code == 401
    assert not Message.objects.exists()


def test_the_endpoint_wants_message_rfc822(agent: User, mail_inbox: Inbox) -> None:
    response = post_mail(agent, mail_inbox, make_mail(), content_type="application/json")

    assert response.status_code == 415


def test_the_endpoint_only_serves_email_inboxes(agent: User, api_inbox: Inbox) -> None:
    response = post_mail(agent, api_inbox, make_mail())

    # The inbox exists: the client is told it is the wrong kind, not that it is missing.
    assert response.status_code == 409
    assert "email" in response.json()["detail"]
    assert not Message.objects.exists()


def test_a_hard_bounce_fails_our_message_and_makes_the_address_undeliverable(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    conversations_before = Conversation.objects.count()

    response = post_mail(
        agent, mail_inbox,
        dsn(sent_reply.provider_message_id, recipient="jeanne.martin@example.fr"),
    )

    assert response.status_code == 200
    assert response.json()["action"] == "bounce"
    assert response.json()["updated_message_ids"] == [sent_reply.pk]
    assert response.json()["undeliverable"] == ["jeanne.martin@example.fr"]
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "failed"
    assert sent_reply.failure_reason.startswith("5.1.1 userunknown")
    assert Identity.objects.get(value="jeanne.martin@example.fr").is_undeliverable
    # A bounce is about our mail, not a customer's request: no conversation, no message.
    assert Conversation.objects.count() == conversations_before
    assert not Message.objects.filter(direction="incoming", is_auto_reply=True).exists()


def test_a_soft_bounce_fails_the_message_but_keeps_the_address(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    response = post_mail(
        agent, mail_inbox,
        dsn(sent_reply.provider_message_id, recipient="jeanne.martin@example.fr",
            status="4.2.2", diagnostic="452 4.2.2 Mailbox full"),
    )

    assert response.json()["updated_message_ids"] == [sent_reply.pk]
    assert response.json()["undeliverable"] == []
    assert not Identity.objects.get(value="jeanne.martin@example.fr").is_undeliverable


def test_a_bounce_naming_someone_else_s_address_does_not_silence_them(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    post_mail(agent, mail_inbox, make_mail(sender="paul@example.org", message_id="<p@x>"))

    response = post_mail(agent, mail_inbox,
                         dsn(sent_reply.provider_message_id, recipient="paul@example.org"))

    assert response.json()["undeliverable"] == []
    assert not Identity.objects.get(value="paul@example.org").is_undeliverable


def test_a_bounce_for_a_message_we_do_not_know_changes_nothing(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    response = post_mail(agent, mail_inbox,
                         dsn("<unknown@elsewhere>", recipient="jeanne.martin@example.fr"))

    assert response.status_code == 200
    assert response.json()["updated_message_ids"] == []
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "sent"
    assert not Identity.objects.get(value="jeanne.martin@example.fr").is_undeliverable


def test_a_delay_notice_is_not_a_failure(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    response = post_mail(
        agent, mail_inbox,
        dsn(sent_reply.provider_message_id, recipient="jeanne.martin@example.fr",
            status="4.4.7", action="delayed", diagnostic="Connection timed out"),
    )

    assert response.status_code == 200
    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == "sent"


def test_an_auto_reply_is_stored_without_reopening_the_conversation(
    agent: User, mail_inbox: Inbox, sent_reply: Message
) -> None:
    Conversation.objects.filter(pk=sent_reply.conversation_id).update(
        status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(hours=1)
    )
    vacation = make_mail(
        message_id="<ooo@example.fr>",
        subject="Réponse automatique : Re: Ma commande 4471",
        in_reply_to=sent_reply.provider_message_id,
        body="Je suis absente jusqu'au 24 juin.",
        headers={"Auto-Submitted": "auto-replied"},
    )

    response = post_mail(agent, mail_inbox, vacation)

    assert response.status_code == 201
    assert response.json()["conversation_id"] == sent_reply.conversation_id
    conversation = Conversation.objects.get(pk=sent_reply.conversation_id)
    assert conversation.status == Status.RESOLVED
    assert Message.objects.get(external_id="<ooo@example.fr>").is_auto_reply


def test_mail_from_our_own_address_is_ignored(agent: User, mail_inbox: Inbox) -> None:
    response = post_mail(agent, mail_inbox, make_mail(sender=SUPPORT_ADDRESS))

    assert response.status_code == 200
    assert response.json()["action"] == "ignored"
    assert not Message.objects.exists()


def test_the_route_is_documented_as_taking_message_rfc822(admin_api: Any) -> None:
    schema = admin_api("get", "/api/v1/openapi.json").json()

    body = schema["paths"]["/api/v1/inboxes/{inbox_id}/email"]["post"]["requestBody"]
    assert "message/rfc822" in body["content"]
