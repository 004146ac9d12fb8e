"""The demo's sinks: a reply in each demo inbox ends delivered, and shows at /demo/outbox/.

Everything runs for real, in-process: the SMTP receiver on a free port, the whole application
on a live server (the API webhook receiver and the Twilio stand-in are its views, our
webhooks receive the stand-in's callbacks), the send tasks run as the worker runs them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.connectors.actions import update_inbox_settings
from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, DeliveryStatus, Inbox, Message
from omnicanal.demo import sinks
from omnicanal.demo.data import AGENTS, INBOXES, load_demo_data
from omnicanal.demo.tests.test_data import NOW
from omnicanal.testing.live_server import LiveServer
from omnicanal.testing.tasks import run_queued_tasks

SCALE = 0.02
# What each channel can report at best: a web chat reply is "sent" until a visitor's widget
# shows it (no widget is open here: the reply is mailed to the visitor instead, through the
# SMTP receiver); the API receiver reports "delivered" through the inbox's status route.
STRONGEST = {
    ChannelKind.API: DeliveryStatus.DELIVERED,
    ChannelKind.WEBCHAT: DeliveryStatus.SENT,
    ChannelKind.EMAIL: DeliveryStatus.DELIVERED,
    ChannelKind.SMS: DeliveryStatus.DELIVERED,
    ChannelKind.WHATSAPP: DeliveryStatus.DELIVERED,
}
CUSTOMERS = {
    ChannelKind.API: [SenderIdentity(IdentityKind.EXTERNAL, "CUST-4242")],
    ChannelKind.WEBCHAT: [SenderIdentity(IdentityKind.WEBCHAT, "visitor-4242"),
                          SenderIdentity(IdentityKind.EMAIL, "paul.girard@example.org")],
    ChannelKind.EMAIL: [SenderIdentity(IdentityKind.EMAIL, "marie.lefevre@example.org")],
    ChannelKind.SMS: [SenderIdentity(IdentityKind.PHONE, "+33612345678")],
    ChannelKind.WHATSAPP: [SenderIdentity(IdentityKind.WHATSAPP, "+33698765432")],
}


@pytest.fixture
def sink_settings(settings: Any, tmp_path: Path) -> Iterator[sinks.SmtpSink]:
    settings.DATA_DIR = tmp_path
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    settings.DEMO_SINKS = True
    smtp = sinks.SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
    # The stand-ins report after 1 s in the demo; a test need not wait that long.
    original = sinks.REPORT_DELAY_SECONDS
    sinks.REPORT_DELAY_SECONDS = 0.2
    yield smtp
    sinks.REPORT_DELAY_SECONDS = original
    smtp.stop()


def wait_for(check: Callable[[], bool], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} within {seconds} s")
        time.sleep(0.05)


def a_customer_writes(inbox: Inbox) -> int:
    result = ingest(inbox, InboundMessage(
        external_id=f"demo-test-{inbox.channel}-{time.time_ns()}",
        sender=Sender(CUSTOMERS[ChannelKind(inbox.channel)], "Marie Lefèvre"),
        text="Bonjour, où en est ma commande ?",
        sent_at=timezone.now(),
    ))
    return result.conversation_id


def test_a_reply_in_each_demo_inbox_ends_delivered_and_shows_in_the_outbox(
    sink_settings: sinks.SmtpSink, asgi_live_server: LiveServer
) -> None:
    load_demo_data(scale=SCALE, now=NOW)
    names = [name for name, _, _ in INBOXES]
    sinks.connect_demo_inboxes(asgi_live_server.url, names)
    agent = User.objects.get(email=AGENTS[0].email)
    replies: dict[ChannelKind, Message] = {}
    for inbox in Inbox.objects.filter(channel__in=list(STRONGEST)):
        conversation_id = a_customer_writes(inbox)
        replies[ChannelKind(inbox.channel)] = reply(
            agent, conversation_id, f"Votre commande part demain ({inbox.name})."
        )

    run_queued_tasks()

    for channel, message in replies.items():
        wait_for(
            lambda pk=message.pk, wanted=STRONGEST[channel]:
                Message.objects.get(pk=pk).delivery_status == wanted,
            f"{channel} {STRONGEST[channel]}",
        )
    client = Client()
    client.force_login(agent)
    page = client.get("/demo/outbox/").content.decode()
    for inbox in Inbox.objects.filter(channel__in=list(STRONGEST)):
        assert f"Votre commande part demain ({inbox.name})." in page
    # The mail as the customer got it: our inbox's address, the customer's, the subject.
    assert "support@omnicanal.example" in page and "marie.lefevre@example.org" in page
    # The web chat reply no widget showed, mailed to the visitor.
    assert "paul.girard@example.org" in page
    # The stand-in's Twilio numbers, WhatsApp's with its prefix.
    assert "whatsapp:+33698765432" in page and "+33612345678" in page


def test_a_second_start_leaves_the_pointed_inboxes_alone(
    sink_settings: sinks.SmtpSink, db: None
) -> None:
    load_demo_data(scale=SCALE, now=NOW)
    names = [name for name, _, _ in INBOXES]
    assert len(sinks.connect_demo_inboxes("http://127.0.0.1:8000", names)) == 4
    assert sinks.connect_demo_inboxes("http://127.0.0.1:8000", names) == []
    # Another port: pointed again.
    assert len(sinks.connect_demo_inboxes("http://127.0.0.1:8001", names)) == 3


def test_an_inbox_connected_to_a_real_provider_is_not_pointed_back(
    sink_settings: sinks.SmtpSink, db: None
) -> None:
    load_demo_data(scale=SCALE, now=NOW)
    sms = Inbox.objects.get(channel=ChannelKind.SMS)
    update_inbox_settings(None, sms.pk, {
        "account_sid": "AC" + "1234abcd" * 4, "auth_token": "a-real-token",
        "api_base": "https://api.twilio.com", "status_callback": "",
    })

    changed = sinks.connect_demo_inboxes("http://127.0.0.1:8000", [sms.name])

    assert changed == []
    sms.refresh_from_db()
    assert sms.settings["api_base"] == "https://api.twilio.com"


def test_the_webhook_receiver_refuses_a_bad_signature(
    sink_settings: sinks.SmtpSink, db: None, client: Client
) -> None:
    load_demo_data(scale=SCALE, now=NOW)
    inbox = Inbox.objects.get(channel=ChannelKind.API)
    response = client.post(
        f"/demo/webhooks/api/{inbox.pk}/", b'{"text": "x"}', content_type="application/json",
        headers={"X-Omnicanal-Timestamp": str(int(time.time())),
                 "X-Omnicanal-Signature": "sha256=00"},
    )
    assert response.status_code == 401
    assert sinks.received() == []


def test_the_twilio_stand_in_refuses_other_credentials(
    sink_settings: sinks.SmtpSink, db: None, client: Client
) -> None:
    response = client.post(
        f"/{sinks.TWILIO_PATH}/2010-04-01/Accounts/{sinks.TWILIO_ACCOUNT_SID}/Messages.json",
        {"To": "+33612345678", "From": "+33700000000", "Body": "x"},
        headers={"Authorization": "Basic bm9wZTpub3Bl"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == 20003


@pytest.mark.parametrize("path", [
    "/demo/outbox/", "/demo/webhooks/api/1/",
    f"/{sinks.TWILIO_PATH}/2010-04-01/Accounts/{sinks.TWILIO_ACCOUNT_SID}/Messages.json",
])
def test_without_the_demo_every_sink_is_not_found(
    settings: Any, admin_client: Client, path: str
) -> None:
    settings.DEMO_SINKS = False
    assert admin_client.get(path).status_code == 404
    assert admin_client.post(path).status_code == 404


def test_the_outbox_asks_anonymous_visitors_to_log_in(sink_settings: sinks.SmtpSink,
                                                      client: Client, db: None) -> None:
    response = client.get("/demo/outbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_invitation_mail_lands_in_the_outbox_without_a_report(
    sink_settings: sinks.SmtpSink, db: None
) -> None:
    from django.core.mail import send_mail

    send_mail("Invitation", "Set your password: …", "no-reply@omnicanal.example",
              ["new.agent@example.com"])
    (item,) = sinks.received()
    assert (item.kind, item.title, item.recipient) == ("mail", "Invitation",
                                                       "new.agent@example.com")




def test_the_api_receiver_reports_a_reply_delivered_through_the_status_route(
    sink_settings: sinks.SmtpSink, asgi_live_server: LiveServer
) -> None:
    load_demo_data(scale=SCALE, now=NOW)
    inbox = Inbox.objects.get(channel=ChannelKind.API)
    sinks.connect_demo_inboxes(asgi_live_server.url, [inbox.name])
    agent = User.objects.get(email=AGENTS[0].email)
    message = reply(agent, a_customer_writes(inbox), "Votre commande part demain.")

    run_queued_tasks()

    # Received once, then reported (after answering our webhook) as the integrator would.
    (item,) = [item for item in sinks.received() if item.kind == "webhook"]
    assert item.details["idempotency_key"] == f"omnicanal-message-{message.pk}"
    wait_for(lambda: Message.objects.get(pk=message.pk).delivery_status == "delivered",
             "API delivered")
    assert Message.objects.get(pk=message.pk).failure_reason == ""


def test_the_api_receiver_stops_reporting_what_the_route_refuses(
    sink_settings: sinks.SmtpSink, asgi_live_server: LiveServer
) -> None:
    from omnicanal.demo.views import send_delivered_report

    load_demo_data(scale=SCALE, now=NOW)
    inbox = Inbox.objects.get(channel=ChannelKind.API)
    url = f"{asgi_live_server.url}/api/v1/inboxes/{inbox.pk}/statuses"

    # An unknown message (404) and a wrong secret (403): retrying cannot help.
    assert send_delivered_report(url, inbox.secret, 987654) is True
    assert send_delivered_report(url, "not-the-secret", 987654) is True
    # Nobody answering: try again later.
    assert send_delivered_report(f"http://127.0.0.1:{sinks.free_port()}/", inbox.secret, 1) \
        is False
