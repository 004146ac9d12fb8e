"""A reply's file through Twilio: an MMS or a WhatsApp message with a MediaUrl Twilio fetches
from our signed link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.twilio.tests.conftest import OUR_NUMBER, fields, post_signed
from omnicanal.connectors.twilio.tests.stub import ACCOUNT_SID, TwilioStub
from omnicanal.conversations.actions import reply
from omnicanal.conversations.models import Inbox, Message
from omnicanal.testing.files import PDF, PNG, open_link, upload

pytestmark = pytest.mark.django_db

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture(autouse=True)
def _public(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_URL = "https://help.example.test"


def test_an_mms_carries_each_file_as_a_media_url(
    agent: User, sms_inbox: Inbox, twilio: TwilioStub
) -> None:
    sms_inbox.settings = {**sms_inbox.settings, "mms": True}
    sms_inbox.save()
    post_signed(sms_inbox, fields("sms_inbound.json"))
    conversation_id = Message.objects.get().conversation_id
    message = reply(agent, conversation_id, "Voici le bon de retour.",
                    attachments=[upload("retour.png", PNG), upload("bon.pdf", PDF)])

    assert send_message.call(message.pk) == "sent"

    request = next(r for r in twilio.requests if r.path == MESSAGES)
    form = request.form_lists()
    assert form["To"] == ["+33612345678"] and form["From"] == [OUR_NUMBER]
    assert form["Body"] == ["Voici le bon de retour."]
    urls = form["MediaUrl"]
    assert [url.rsplit("/", 1)[1] for url in urls] == ["retour.png", "bon.pdf"]
    assert all(url.startswith("https://help.example.test/files/") for url in urls)
    # What Twilio gets when it fetches them: the files, with their types.
    assert [open_link(url)[:2] for url in urls] == [(200, PNG), (200, PDF)]
    assert open_link(urls[1])[2]["content-type"] == "application/pdf"


def test_a_whatsapp_reply_by_twilio_sends_its_file_as_media(
    agent: User, whatsapp_inbox: Inbox, twilio: TwilioStub
) -> None:
    post_signed(whatsapp_inbox, fields("whatsapp_text.json"))
    conversation_id = Message.objects.get().conversation_id
    message = reply(agent, conversation_id, "", attachments=[upload("photo.png", PNG)])

    assert send_message.call(message.pk) == "sent"

    form = next(r for r in twilio.requests if r.path == MESSAGES).form_lists()
    assert form["To"] == ["whatsapp:+34612345678"]
    assert "Body" not in form
    assert len(form["MediaUrl"]) == 1
    assert open_link(form["MediaUrl"][0])[:2] == (200, PNG)
