"""Both ways a raw e-mail comes in (IMAP, the raw-MIME route) are parsed by the channel's
adapter, `EmailAdapter.parse`, as every channel's input is: a rule decided there (our own
mail come back is ignored) holds on both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client
from imapclient import IMAPClient

from omnicanal.accounts.models import User
from omnicanal.conftest import bearer
from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.email import imap
from omnicanal.connectors.email.adapter import EmailAdapter, ParsedEmailWebhook
from omnicanal.connectors.email.tests.conftest import SUPPORT_ADDRESS, Dovecot, make_mail
from omnicanal.conversations.models import Inbox, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def parsed_bodies(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bodies EmailAdapter.parse was given (it still does the parsing)."""
    bodies: list[bytes] = []
    original = EmailAdapter.parse

    def recording(
        self: EmailAdapter, request: InboundRequest, settings: Mapping[str, Any]
    ) -> ParsedEmailWebhook:
        bodies.append(request.body)
        return original(self, request, settings)

    monkeypatch.setattr(EmailAdapter, "parse", recording)
    return bodies


def post_mail(user: User, inbox: Inbox, raw: bytes) -> Any:
    return Client().post(
        f"/api/v1/inboxes/{inbox.pk}/email", raw, content_type="message/rfc822", **bearer(user)
    )


def test_the_raw_mime_route_parses_through_the_adapter(
    agent: User, mail_inbox: Inbox, parsed_bodies: list[bytes]
) -> None:
    raw = make_mail(message_id="<route-1@example.fr>")

    response = post_mail(agent, mail_inbox, raw)

    assert response.status_code == 201
    assert parsed_bodies == [raw]
    assert Message.objects.get(pk=response.json()["message_id"]).external_id == (
        "<route-1@example.fr>"
    )


def test_the_raw_mime_route_ignores_our_own_mail_come_back(
    agent: User, mail_inbox: Inbox, parsed_bodies: list[bytes]
) -> None:
    response = post_mail(agent, mail_inbox, make_mail(sender=f"Support <{SUPPORT_ADDRESS}>"))

    assert response.json()["action"] == "ignored"
    assert response.json()["detail"] == "the mail comes from the inbox's own address"
    assert not Message.objects.exists()


def _imap_inbox(mail_inbox: Inbox, dovecot: Dovecot, folder: str, *raws: bytes) -> Inbox:
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login(dovecot.username, dovecot.password)
        client.create_folder(folder)
        for raw in raws:
            client.append(folder, raw)
    mail_inbox.settings.update(dovecot.settings(folder))
    mail_inbox.save()
    return mail_inbox


@pytest.mark.xdist_group("dovecot")
def test_imap_fetch_parses_through_the_adapter(
    mail_inbox: Inbox, dovecot: Dovecot, parsed_bodies: list[bytes]
) -> None:
    inbox = _imap_inbox(
        mail_inbox, dovecot, "Intake1",
        make_mail(message_id="<imap-1@example.fr>"),
        make_mail(sender=f"Support <{SUPPORT_ADDRESS}>", message_id="<ours@omnicanal.test>"),
    )

    report = imap.fetch_inbox(inbox)

    assert (report.created, report.ignored) == (1, 1)
    assert len(parsed_bodies) == 2
    assert b"<imap-1@example.fr>" in parsed_bodies[0]
    assert list(Message.objects.values_list("external_id", flat=True)) == ["<imap-1@example.fr>"]
