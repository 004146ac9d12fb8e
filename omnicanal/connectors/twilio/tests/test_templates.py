"""Starting a WhatsApp conversation through Twilio: the approved Content template by its SID,
the variables as ContentVariables (JSON keyed "1", "2"…), no Body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.connectors import outreach
from omnicanal.connectors.registry import adapter_for
from omnicanal.connectors.twilio.tests.conftest import OUR_NUMBER
from omnicanal.connectors.twilio.tests.stub import ACCOUNT_SID, TwilioStub
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations.models import DeliveryStatus, Inbox, Message
from omnicanal.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

SID = "HX" + "ab12" * 8


@pytest.fixture
def lea() -> Contact:
    contact = Contact.objects.create(name="Léa Martin")
    Identity.objects.create(contact=contact, kind="whatsapp", value="+33639983891",
                            is_verified=True)
    return contact


def test_a_content_template_is_sent_by_sid_with_its_variables(
    agent: User, lea: Contact, whatsapp_inbox: Inbox, twilio: TwilioStub,
    django_capture_on_commit_callbacks: Any,
) -> None:
    whatsapp_inbox.settings = {
        **whatsapp_inbox.settings,
        "templates": [f"{SID} | order_ready | fr | Bonjour {{{{1}}}}, commande {{{{2}}}} prête."],
    }
    whatsapp_inbox.save()
    adapter_for("whatsapp").validate_settings(whatsapp_inbox.settings)

    with django_capture_on_commit_callbacks(execute=True):
        conversation = outreach.start_conversation(
            agent, lea, inbox_id=whatsapp_inbox.pk, identity_id=lea.identities.get().pk,
            template_key="order_ready:fr", variables=["Léa", "A-1042"],
        )
    run_queued_tasks()

    request = twilio.requests[-1]
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form = request.form()
    assert form == {
        "To": "whatsapp:+33639983891", "From": f"whatsapp:{OUR_NUMBER}", "ContentSid": SID,
        "ContentVariables": form["ContentVariables"],
    }
    assert json.loads(form["ContentVariables"]) == {"1": "Léa", "2": "A-1042"}
    message = Message.objects.get(conversation=conversation)
    assert message.text == "Bonjour Léa, commande A-1042 prête."
    assert message.delivery_status == DeliveryStatus.SENT


def test_an_sms_conversation_starts_with_free_text(
    agent: User, lea: Contact, sms_inbox: Inbox, twilio: TwilioStub,
    django_capture_on_commit_callbacks: Any,
) -> None:
    phone = Identity.objects.create(contact=lea, kind="phone", value="+33612345678")
    (channel,) = [c for c in outreach.start_channels(lea) if c.inbox == sms_inbox]
    assert [i.pk for i in channel.identities] == [phone.pk] and not channel.needs_template

    with django_capture_on_commit_callbacks(execute=True):
        outreach.start_conversation(agent, lea, inbox_id=sms_inbox.pk, identity_id=phone.pk,
                                    subject="ignored", text="Votre colis arrive demain.")
    run_queued_tasks()

    form = twilio.requests[-1].form()
    assert (form["To"], form["Body"]) == ("+33612345678", "Votre colis arrive demain.")
