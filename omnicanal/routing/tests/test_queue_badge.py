"""The place-in-line badge as its own live fragment: who may read it, what it says while the
conversation waits, nothing once it does not, and a cost that does not grow with the queue."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions, outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Status
from omnicanal.routing.actions import configure_agent, set_presence

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_agent(agent: User) -> User:
    agent.language = "en"
    agent.save(update_fields=["language"])
    return agent


def waiting(inbox: Inbox, external_id: str) -> Conversation:
    # Outside on-commit callbacks the dispatcher does not run: the conversation stays queued.
    result = ingest(inbox, inbound(external_id, "Hello", email=f"{external_id}@example.com"))
    outbox.process_pending_events()
    return Conversation.objects.get(pk=result.conversation_id)


def badge_url(conversation: Conversation) -> str:
    return reverse("routing:queue_badge", args=[conversation.pk])


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_says_the_place_and_the_wait_and_is_live(
    english_agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    configure_agent(other_agent, capacity={"chat": 1})
    set_presence(other_agent, "online", dispatch=False)
    waiting(api_inbox, "m-1")
    second = waiting(api_inbox, "m-2")

    response = logged_in(english_agent).get(badge_url(second))

    assert response.status_code == 200
    page = response.content.decode()
    # Second in line, one slot, the default 300 s per conversation.
    assert "Waiting · 2nd in the queue · about 10 min" in page
    # What app.js needs to re-read it on other conversations' events, throttled.
    assert f'hx-get="{badge_url(second)}"' in page
    assert 'data-live="queue"' in page and "data-live-min-interval-ms=" in page
    assert f'data-conversation-id="{second.pk}"' in page


def test_it_follows_the_queue_moving_up(
    english_agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    first = waiting(api_inbox, "m-1")
    second = waiting(api_inbox, "m-2")
    client = logged_in(english_agent)
    assert "2nd in the queue" in client.get(badge_url(second)).content.decode()

    actions.assign(other_agent, first.pk, assignee_id=other_agent.pk)
    outbox.process_pending_events()

    assert "1st in the queue" in client.get(badge_url(second)).content.decode()


def test_it_is_empty_once_the_conversation_no_longer_waits(
    english_agent: User, api_inbox: Inbox
) -> None:
    taken = waiting(api_inbox, "m-1")
    resolved = waiting(api_inbox, "m-2")
    actions.assign(english_agent, taken.pk, assignee_id=english_agent.pk)
    actions.set_status(english_agent, resolved.pk, Status.RESOLVED)
    outbox.process_pending_events()
    client = logged_in(english_agent)

    for conversation in (taken, resolved):
        response = client.get(badge_url(conversation))
        # Empty: the htmx swap removes the badge, and with it the listening.
        assert response.status_code == 200
        assert response.content.decode().strip() == ""


def test_the_conversation_page_carries_the_live_badge_while_waiting(
    english_agent: User, api_inbox: Inbox
) -> None:
    conversation = waiting(api_inbox, "m-1")

    page = logged_in(english_agent).get(
        reverse("web:conversation", args=[conversation.pk])
    ).content.decode()

    assert f'hx-get="{badge_url(conversation)}"' in page


def test_only_active_agents_read_it(
    agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    conversation = waiting(api_inbox, "m-1")
    anonymous = Client().get(badge_url(conversation))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]

    client = logged_in(other_agent)
    other_agent.is_active = False
    other_agent.save(update_fields=["is_active"])
    assert client.get(badge_url(conversation)).status_code == 302

    client = logged_in(agent)
    missing = reverse("routing:queue_badge", args=[conversation.pk + 1000])
    assert client.get(missing).status_code == 404
    assert client.post(badge_url(conversation)).status_code == 405


def test_its_queries_do_not_grow_with_the_queue(
    english_agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    configure_agent(other_agent, capacity={"chat": 2})
    set_presence(other_agent, "online", dispatch=False)
    client = logged_in(english_agent)

    def queries_for_the_last_of(length: int, place: str) -> int:
        last = None
        for _ in range(length):
            last = waiting(api_inbox, f"m-{Conversation.objects.count()}")
        assert last is not None
        client.get(badge_url(last))  # the session and the user, cached after
        with CaptureQueriesContext(connection) as queries:
            response = client.get(badge_url(last))
        assert f"{place} in the queue" in response.content.decode()
        return len(queries)

    short = queries_for_the_last_of(2, "2nd")
    long = queries_for_the_last_of(20, "22nd")

    assert short == long
    # The session, the user, the conversation, its queue row, the count ahead, the online
    # slots and the handle time: a few, whatever the length of the queue.
    assert long <= 8


def test_the_list_shows_the_place_of_waiting_rows_in_one_query(
    english_agent: User, other_agent: User, api_inbox: Inbox
) -> None:
    client = logged_in(english_agent)

    def list_page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("web:conversations"), {"view": "all"},
                                  headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    first = waiting(api_inbox, "m-1")
    waiting(api_inbox, "m-2")
    list_page()  # the session and the user, cached after
    _, short = list_page()
    for n in range(3, 13):
        waiting(api_inbox, f"m-{n}")
    actions.assign(other_agent, first.pk, assignee_id=other_agent.pk)
    outbox.process_pending_events()

    page, long = list_page()

    # The taken one left the line; the eleven others are 1st to 11th.
    assert len(re.findall(r'<span aria-hidden="true">[^<]* · #\d+</span>', page)) == 11
    assert "1st in the queue" in page and "11th in the queue" in page
    assert "12th in the queue" not in page
    assert long == short
