"""Sending through Twilio's Messages resource (a local stub of it) and fetching media."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.connectors.media import fetch_attachment
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.twilio.tests.conftest import OUR_NUMBER, fields, post_signed
from omnicanal.connectors.twilio.tests.stub import ACCOUNT_SID, MEDIA, TwilioStub, error
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Attachment, Inbox, Message

pytestmark = pytest.mark.django_db


def _conversation(inbox: Inbox, fixture: str = "sms_inbound.json") -> int:
    post_signed(inbox, fields(fixture))
    return Message.objects.get().conversation_id


def test_an_sms_reply_is_posted_as_a_form_with_basic_auth(
    agent: User, sms_inbox: Inbox, twilio: TwilioStub
) -> None:
    message = reply(agent, _conversation(sms_inbox), "Votre colis part demain.")

    assert send_message.call(message.pk) == "sent"

    request = twilio.requests[-1]
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form() == {"To": "+33612345678", "From": OUR_NUMBER,
                              "Body": "Votre colis part demain."}
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert message.provider_message_id.startswith("SM")


def test_a_whatsapp_reply_uses_whatsapp_addresses(
    agent: User, whatsapp_inbox: Inbox, twilio: TwilioStub
) -> None:
    message = reply(agent, _conversation(whatsapp_inbox, "whatsapp_text.json"), "Hola")

    assert send_message.call(message.pk) == "sent"

    form = twilio.requests[-1].form()
    assert (form["To"], form["From"]) == ("whatsapp:+34612345678", f"whatsapp:{OUR_NUMBER}")


def test_a_status_callback_url_is_sent_when_configured(
    agent: User, sms_inbox: Inbox, twilio: TwilioStub
) -> None:
    callback = f"https://helpdesk.example.com/webhooks/twilio/{sms_inbox.pk}/"
    sms_inbox.settings = {**sms_inbox.settings, "status_callback": callback}
    sms_inbox.save()
    message = reply(agent, _conversation(sms_inbox), "Bonjour")

    send_message.call(message.pk)

    assert twilio.requests[-1].form()["StatusCallback"] == callback


def test_a_permanent_twilio_error_fails_the_message_with_its_code(
    agent: User, sms_inbox: Inbox, twilio: TwilioStub
) -> None:
    twilio.queue(error(400, 21610, "Attempt to send to unsubscribed recipient"))
    message = reply(agent, _conversation(sms_inbox), "Bonjour")

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert message.failure_reason == "Twilio error 21610: Attempt to send to unsubscribed recipient"


def test_wrong_credentials_fail_at_once(agent: User, sms_inbox: Inbox) -> None:
    message = reply(agent, _conversation(sms_inbox), "Bonjour")
    sms_inbox.settings = {**sms_inbox.settings, "auth_token": "stale"}
    sms_inbox.save()

    assert send_message.call(message.pk) == "failed"
    message.refresh_from_db()
    assert "20003" in message.failure_reason


def test_rate_limiting_and_server_errors_are_retried(
    agent: User, sms_inbox: Inbox, twilio: TwilioStub
) -> None:
    twilio.queue(error(429, 20429, "Too Many Requests"))
    twilio.queue(error(503, 20500, "Service unavailable"))
    message = reply(agent, _conversation(sms_inbox), "Bonjour")

    assert send_message.call(message.pk) == "retrying"
    assert send_message.call(message.pk) == "retrying"
    assert send_message.call(message.pk) == "sent"


def test_a_whatsapp_reply_after_24_hours_is_refused_before_calling_twilio(
    agent: User, whatsapp_inbox: Inbox, twilio: TwilioStub
) -> None:
    conversation_id = _conversation(whatsapp_inbox, "whatsapp_text.json")
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(hours=25))
    calls = len(twilio.requests)
    message = reply(agent, conversation_id, "Hola")

    assert send_message.call(message.pk) == "failed"

    message.refresh_from_db()
    assert "24 hours" in message.failure_reason
    assert len(twilio.requests) == calls


def test_media_are_fetched_with_credentials_that_do_not_follow_the_redirect(
    sms_inbox: Inbox, twilio: TwilioStub
) -> None:
    media_url = f"{twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"
    post_signed(sms_inbox, fields("mms_inbound.json", MediaUrl0=media_url,
                                  MediaUrl1=media_url.replace("ME1", "ME2")))
    attachment = Attachment.objects.order_by("id").first()
    assert attachment is not None

    assert fetch_attachment.call(attachment.pk) == "fetched"

    attachment.refresh_from_db()
    assert attachment.file.read() == MEDIA
    assert attachment.size == len(MEDIA)
    assert attachment.content_type == "image/jpeg"
    # Twilio got the credentials; the pre-signed storage URL did not (it would refuse them).
    first, second = twilio.requests[-2:]
    assert "authorization" in first.headers
    assert second.path.startswith("/storage/") and "authorization" not in second.headers


def test_media_over_the_size_limit_are_not_stored_and_the_reason_is_kept(
    sms_inbox: Inbox, twilio: TwilioStub, settings: object
) -> None:
    settings.INBOUND_MEDIA_MAX_BYTES = 5  # type: ignore[attr-defined]
    media_url = f"{twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"
    post_signed(sms_inbox, fields("mms_inbound.json", MediaUrl0=media_url))
    attachment = Attachment.objects.order_by("id").first()
    assert attachment is not None

    assert fetch_attachment.call(attachment.pk) == "failed"

    attachment.refresh_from_db()
    assert not attachment.file
    assert "larger than 5 bytes" in attachment.message.metadata["media_errors"][str(attachment.pk)]
