"""The journeys page: who may see it, what it shows, and bad filters answered with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.analytics.facts import refresh_facts
from omnicanal.analytics.journeys import JourneyFilters, journeys, sankey
from omnicanal.analytics.models import ContactEvent
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox

pytestmark = pytest.mark.django_db

URL = "/reports/journeys/"


def journey(
    contact: Contact, inbox: Inbox, created_at: dt.datetime, types: list[str],
    topic: str = "livraison",
) -> Conversation:
    """A conversation as the handlers would have recorded it, one event a minute."""
    conversation = Conversation.objects.create(
        inbox=inbox, contact=contact, intent=topic, last_activity_at=created_at
    )
    Conversation.objects.filter(pk=conversation.pk).update(created_at=created_at)
    for minute, type in enumerate(types):
        ContactEvent.objects.create(
            contact=contact, conversation=conversation, channel=inbox.channel, type=type,
            at=created_at + dt.timedelta(minutes=minute), source_key=f"t:{conversation.pk}:{minute}",
        )
    return conversation


@pytest.fixture
def journeys_data(db: Any) -> dict[str, Any]:
    chat = Inbox.objects.create(name="Chat", channel=ChannelKind.WEBCHAT)
    mail = Inbox.objects.create(name="Mail", channel=ChannelKind.EMAIL)
    sms = Inbox.objects.create(name="SMS", channel=ChannelKind.SMS)
    jeanne = Contact.objects.create(name="Jeanne Martin")
    paul = Contact.objects.create(name="Paul Durand")
    now = timezone.now() - dt.timedelta(days=2)
    created = [
        # Jeanne: a chat abandoned in the queue, then an e-mail the next day, then an SMS.
        journey(jeanne, chat, now, ["customer_message", "resolved", "abandoned"]),
        journey(jeanne, mail, now + dt.timedelta(days=1),
                ["customer_message", "agent_message", "resolved"]),
        journey(jeanne, sms, now + dt.timedelta(days=1, hours=2),
                ["customer_message", "agent_message", "resolved"], topic="facture"),
        # Paul: the bot alone, never resolved.
        journey(paul, chat, now, ["customer_message", "bot_message"], topic="facture"),
    ]
    refresh_facts(c.pk for c in created)
    return {"jeanne": jeanne, "paul": paul, "conversations": created}


def test_an_agent_is_refused(client: Client, agent: User) -> None:
    client.force_login(agent)
    assert client.get(URL).status_code == 403


def test_a_visitor_is_sent_to_the_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_supervisor_sees_paths_drop_offs_and_customers(
    client: Client, supervisor: User, journeys_data: dict[str, Any]
) -> None:
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    client.force_login(supervisor)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Web chat → E-mail → SMS" in page
    assert "Abandoned in the queue (Web chat)" in page
    assert "Bot conversation without a resolution" in page
    assert "Came back within 7 days: livraison" in page
    assert "Jeanne Martin" in page and "<svg" in page


def test_the_channel_filter_keeps_whole_paths_of_the_customers_who_used_it(
    journeys_data: dict[str, Any],
) -> None:
    today = timezone.localdate()
    result = journeys(JourneyFilters(today - dt.timedelta(days=10), today, channel="sms"))
    # Only Jeanne wrote by SMS; her path keeps the chat and the e-mail before it.
    assert result["top_paths"] == [("Web chat → E-mail → SMS", 1)]
    # The figures count the SMS conversations alone.
    assert result["kpis"]["conversations"] == 1


def test_the_topic_filter_counts_that_topic(journeys_data: dict[str, Any]) -> None:
    today = timezone.localdate()
    result = journeys(JourneyFilters(today - dt.timedelta(days=10), today, topic="facture"))
    assert result["kpis"]["conversations"] == 2
    assert result["customers"] == 2


@pytest.mark.parametrize(
    "query", ["from=yesterday", "from=2026-02-01&to=2026-01-01", "segment=platinum",
              "channel=pigeon", "team=abc", "from=2020-01-01&to=2026-01-01"],
)
def test_a_bad_filter_is_answered_with_a_reason(
    client: Client, admin: User, query: str
) -> None:
    client.force_login(admin)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_flows_are_as_wide_as_the_customers_who_took_them() -> None:
    chart = sankey([["webchat", "email"], ["webchat", "email"], ["webchat", "sms"], ["sms"]])
    widths = {(link.source.channel, link.target.channel): link.width for link in chart.links}
    assert widths[("webchat", "email")] == pytest.approx(2 * widths[("webchat", "sms")])
    first_column = {n.channel: n.count for n in chart.nodes if n.step == 0}
    assert first_column == {"webchat": 3, "sms": 1}
