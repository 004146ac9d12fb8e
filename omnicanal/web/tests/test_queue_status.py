"""The conversation page says, while the conversation waits, its place in the queue and the
estimated wait."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions, outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing.actions import configure_agent, set_presence
from omnicanal.routing.templatetags.routing_display import ordinal

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_agent(agent: User) -> User:
    agent.language = "en"
    agent.save(update_fields=["language"])
    return agent


def waiting(inbox: Inbox, external_id: str, email: str) -> Conversation:
    # Outside on-commit callbacks the dispatcher does not run: the conversation stays queued.
    result = ingest(inbox, inbound(external_id, "Hello", email=email))
    outbox.process_pending_events()  # routing queues it when the arrival's events are handled
    return Conversation.objects.get(pk=result.conversation_id)


def header(agent: User, conversation: Conversation) -> str:
    client = Client()
    client.force_login(agent)
    response = client.get(reverse("web:conversation", args=[conversation.pk]),
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_a_waiting_conversation_shows_its_place_and_wait(
    english_agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    configure_agent(other_agent, capacity={"chat": 1})
    set_presence(other_agent, "online", dispatch=False)
    waiting(api_inbox, "m-1", "first@example.com")
    second = waiting(api_inbox, "m-2", "second@example.com")

    # Second in line, one slot, the default 300 s per conversation.
    assert "Waiting · 2nd in the queue · about 10 min" in header(english_agent, second)


def test_without_an_eligible_agent_online_it_says_so(
    english_agent: User, api_inbox: Inbox
) -> None:
    conversation = waiting(api_inbox, "m-1", "first@example.com")

    assert "Waiting · 1st in the queue · no agent available" in header(
        english_agent, conversation
    )


def test_the_line_goes_once_an_agent_takes_the_conversation(
    english_agent: User, api_inbox: Inbox
) -> None:
    conversation = waiting(api_inbox, "m-1", "first@example.com")
    actions.assign(english_agent, conversation.pk, assignee_id=english_agent.pk)

    page = header(english_agent, conversation)

    assert 'id="queue-status"' not in page and "in the queue" not in page


def test_the_live_refresh_shows_the_place_moving_up(
    english_agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    first = waiting(api_inbox, "m-1", "first@example.com")
    second = waiting(api_inbox, "m-2", "second@example.com")
    assert "2nd in the queue" in header(english_agent, second)

    actions.assign(other_agent, first.pk, assignee_id=other_agent.pk)
    outbox.process_pending_events()

    assert "1st in the queue" in header(english_agent, second)


@pytest.mark.parametrize(
    ("place", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
     (13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
)
def test_places_read_as_english_ordinals(place: int, text: str) -> None:
    with translation.override("en"):
        assert ordinal(place) == text
