"""The widget's first screen as the inbox sets it: greeting, corner, sound, opening hours from
the business calendar, and the pre-chat form whose answers land on the contact."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.connectors.actions import InvalidSettings, check_settings
from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN, VISITOR
from omnicanal.contacts.models import AttributeDefinition, AttributeType, Contact
from omnicanal.conversations.models import ChannelKind, Inbox, Message
from omnicanal.routing.models import BusinessCalendar, OpeningHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_number(db: Any) -> AttributeDefinition:
    return AttributeDefinition.objects.create(key="order_number", label="Numéro de commande",
                                              type=AttributeType.TEXT)


@pytest.fixture
def form_inbox(chat_inbox: Inbox, order_number: AttributeDefinition) -> Inbox:
    chat_inbox.settings = {
        **chat_inbox.settings,
        "greeting": {"fr": "Bonjour ! Une question ?", "en": "Hello! A question?"},
        "position": "left", "sound": False,
        "prechat_name": "required", "prechat_email": "optional", "prechat_phone": "optional",
        "prechat_attributes": ["order_number*"],
    }
    chat_inbox.save()
    return chat_inbox


def config(client: Client, language: str = "fr") -> dict[str, Any]:
    response = client.get(f"/webchat/{TOKEN}/config", HTTP_ORIGIN=SITE,
                          HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(f"/webchat/{TOKEN}/messages", json.dumps(body),
                       content_type="application/json", HTTP_ORIGIN=SITE)


def test_the_widget_reads_its_greeting_corner_sound_and_form_from_the_inbox(
    client: Client, form_inbox: Inbox
) -> None:
    french, english = config(client, "fr"), config(client, "en")

    assert french["greeting"] == "Bonjour ! Une question ?"
    assert english["greeting"] == "Hello! A question?"
    assert french["position"] == "left" and french["sound"] is False
    assert french["prechat"] == [
        {"key": "name", "type": "name", "required": True},
        {"key": "email", "type": "email", "required": False},
        {"key": "phone", "type": "phone", "required": False},
        {"key": "order_number", "attribute": True, "label": "Numéro de commande",
         "type": "text", "choices": [], "required": True},
    ]


def test_an_inbox_without_settings_opens_on_the_right_with_sound_and_no_form(
    client: Client, chat_inbox: Inbox
) -> None:
    body = config(client)

    assert body["position"] == "right" and body["sound"] is True
    assert body["prechat"] == [] and body["greeting"] == ""


def test_the_pre_chat_answers_name_the_contact_and_add_its_identities_and_attributes(
    client: Client, form_inbox: Inbox
) -> None:
    response = post(client, {
        "visitor_id": VISITOR, "client_id": "client-0001", "text": "Où est mon colis ?",
        "name": "Jeanne Martin", "email": "Jeanne@Example.fr", "phone": "06 39 98 38 91",
        "attributes": {"order_number": "A-4471"},
    })

    assert response.status_code == 201
    contact = Message.objects.get(pk=response.json()["id"]).conversation.contact
    assert contact.name == "Jeanne Martin"
    assert contact.attributes == {"order_number": "A-4471"}
    identities = {(i.kind, i.value, i.is_verified) for i in contact.identities.all()}
    assert ("email", "jeanne@example.fr", False) in identities
    assert ("phone", "+33639983891", False) in identities


def test_a_visitor_cannot_set_an_attribute_the_form_does_not_ask_for(
    client: Client, form_inbox: Inbox
) -> None:
    AttributeDefinition.objects.create(key="value_tier", label="Tier", type=AttributeType.TEXT)

    response = post(client, {
        "visitor_id": VISITOR, "client_id": "client-0001", "text": "Bonjour",
        "attributes": {"value_tier": "gold"},
    })

    assert response.status_code == 422
    assert "value_tier" in response.json()["error"]
    assert Message.objects.count() == 0 and Contact.objects.count() == 0


def test_a_phone_number_that_is_not_one_is_a_422_with_the_reason(
    client: Client, form_inbox: Inbox
) -> None:
    response = post(client, {"visitor_id": VISITOR, "client_id": "client-0001",
                             "text": "Bonjour", "phone": "call me"})

    assert response.status_code == 422
    assert "phone number" in response.json()["error"]


def test_an_unknown_attribute_key_is_refused_when_the_inbox_is_saved(
    order_number: AttributeDefinition,
) -> None:
    settings = {"site_token": TOKEN, "allowed_origins": [SITE]}

    assert check_settings(ChannelKind.WEBCHAT, {**settings, "prechat_attributes": ["order_number*"]})
    with pytest.raises(InvalidSettings) as refused:
        check_settings(ChannelKind.WEBCHAT, {**settings, "prechat_attributes": ["shoe_size"]})

    assert "shoe_size" in str(refused.value.problems[0].reason)


def test_without_hours_of_its_own_the_widget_follows_the_default_business_calendar(
    client: Client, chat_inbox: Inbox
) -> None:
    assert config(client)["is_open"] is True  # no calendar at all: always open
    calendar = BusinessCalendar.objects.create(name="Support", is_default=True,
                                               time_zone="UTC", holiday_country="")
    assert config(client)["is_open"] is False  # a calendar with no hours: never open

    now = timezone.now().astimezone(dt.UTC)
    tomorrow = now + dt.timedelta(days=1)
    OpeningHours.objects.create(calendar=calendar, weekday=tomorrow.weekday(),
                                opens_at=dt.time(9), closes_at=dt.time(17))
    closed = config(client)
    assert closed["is_open"] is False
    assert closed["next_opening"].startswith(tomorrow.date().isoformat() + "T09:00")

    OpeningHours.objects.create(calendar=calendar, weekday=now.weekday(),
                                opens_at=dt.time(0), closes_at=dt.time(0))
    assert config(client)["is_open"] is True


def test_an_inbox_can_follow_another_calendar_than_the_default_one(
    client: Client, chat_inbox: Inbox
) -> None:
    BusinessCalendar.objects.create(name="Support", is_default=True, time_zone="UTC",
                                    holiday_country="")  # no hours: never open
    weekend = BusinessCalendar.objects.create(name="Boutique", time_zone="UTC",
                                              holiday_country="")
    for weekday in range(7):
        OpeningHours.objects.create(calendar=weekend, weekday=weekday,
                                    opens_at=dt.time(0), closes_at=dt.time(0))
    assert config(client)["is_open"] is False

    chat_inbox.settings = {**chat_inbox.settings, "business_calendar_id": weekend.pk,
                           # A calendar named wins over hours of the inbox's own.
                           "business_hours": {"timezone": "UTC", "days": {}}}
    chat_inbox.save()

    assert config(client)["is_open"] is True


def test_the_settings_page_offers_the_calendars_and_the_form_fields_as_choices(
    admin: User, order_number: AttributeDefinition
) -> None:
    BusinessCalendar.objects.create(name="Support", is_default=True, time_zone="UTC")
    shop = BusinessCalendar.objects.create(name="Boutique", time_zone="UTC")
    browser = Client()
    browser.force_login(admin)

    form = browser.get("/settings/inboxes/new/webchat/").content.decode()
    answer = browser.post("/settings/inboxes/new/webchat/", {
        "name": "Chat", "site_token": "site-token-123", "allowed_origins": SITE,
        "away_after_seconds": "120", "color": "#0f766e", "position": "left",
        "business_calendar_id": str(shop.pk), "prechat_name": "required",
        "prechat_email": "optional", "prechat_phone": "off",
        "prechat_attributes": "order_number*\n", "sound": "on",
    })

    assert f'<option value="{shop.pk}">Boutique</option>' in form
    assert '<option value="required">Obligatoire</option>' in form  # admin reads French
    assert answer.status_code == 302, answer.content.decode()[:2000]
    settings = Inbox.objects.get(name="Chat").settings
    assert settings["business_calendar_id"] == shop.pk
    assert settings["prechat_name"] == "required" and settings["position"] == "left"
    assert settings["prechat_attributes"] == ["order_number*"]
