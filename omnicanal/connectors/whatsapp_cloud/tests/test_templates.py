"""Starting a WhatsApp conversation on the Cloud API: only an approved template, sent as
Meta documents it (type "template", the body's parameters in order)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from omnicanal.accounts.models import User
from omnicanal.connectors import outreach
from omnicanal.connectors.registry import adapter_for
from omnicanal.connectors.whatsapp_cloud.tests.stub import PHONE_NUMBER_ID, WhatsAppCloudStub
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations.models import DeliveryStatus, Inbox, Message
from omnicanal.core.exceptions import InvalidField
from omnicanal.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

TEMPLATE = "order_ready | fr | Bonjour {{1}}, votre commande {{2}} est prête."


@pytest.fixture
def lea() -> Contact:
    contact = Contact.objects.create(name="Léa Martin")
    Identity.objects.create(contact=contact, kind="phone", value="+33639983891", is_verified=True)
    return contact


@pytest.fixture
def inbox(cloud_inbox: Inbox) -> Inbox:
    cloud_inbox.settings = {**cloud_inbox.settings, "templates": [TEMPLATE]}
    cloud_inbox.save()
    return cloud_inbox


def test_a_template_opens_the_conversation_in_metas_format(
    agent: User, lea: Contact, inbox: Inbox, cloud: WhatsAppCloudStub,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (channel,) = [c for c in outreach.start_channels(lea) if c.inbox == inbox]
    assert channel.needs_template and [t.key for t in channel.templates] == ["order_ready:fr"]

    with django_capture_on_commit_callbacks(execute=True):
        conversation = outreach.start_conversation(
            agent, lea, inbox_id=inbox.pk, identity_id=channel.identities[0].pk,
            template_key="order_ready:fr", variables=["Léa", " A-1042 "],
        )
    run_queued_tasks()

    request = cloud.requests[-1]
    assert (request.method, request.path) == ("POST", f"/v21.0/{PHONE_NUMBER_ID}/messages")
    assert request.json() == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "33639983891",
        "type": "template",
        "template": {
            "name": "order_ready",
            "language": {"policy": "deterministic", "code": "fr"},
            "components": [{"type": "body", "parameters": [
                {"type": "text", "text": "Léa"}, {"type": "text", "text": "A-1042"},
            ]}],
        },
    }
    message = Message.objects.get(conversation=conversation)
    assert message.text == "Bonjour Léa, votre commande A-1042 est prête."
    assert message.delivery_status == DeliveryStatus.SENT
    assert conversation.assignee == agent and conversation.waiting_since is None


def test_free_text_or_missing_variables_are_refused(
    agent: User, lea: Contact, inbox: Inbox, cloud: WhatsAppCloudStub
) -> None:
    identity_id = lea.identities.get().pk
    with pytest.raises(InvalidField) as no_template:
        outreach.start_conversation(agent, lea, inbox_id=inbox.pk, identity_id=identity_id,
                                    text="Bonjour !")
    with pytest.raises(InvalidField) as missing:
        outreach.start_conversation(agent, lea, inbox_id=inbox.pk, identity_id=identity_id,
                                    template_key="order_ready:fr", variables=["Léa"])

    assert (no_template.value.field, missing.value.field) == ("template", "variables")
    assert not Message.objects.exists() and cloud.requests == []


def test_the_settings_take_template_lines_and_refuse_malformed_ones(inbox: Inbox) -> None:
    adapter = adapter_for("whatsapp")
    adapter.validate_settings(inbox.settings)

    with pytest.raises(ValidationError):
        adapter.validate_settings({**inbox.settings, "templates": ["Order ready: Bonjour {{1}}"]})
