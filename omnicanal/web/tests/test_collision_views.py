"""The reply form's side of collision detection: the warning, "Send anyway", the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.collision import RepliedMeanwhile, latest_message_id
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Direction, Inbox
from omnicanal.web.collision import reply_warning

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    result = ingest(api_inbox, inbound("m-1", "Ma commande 4417 n'est pas arrivée."))
    return Conversation.objects.get(pk=result.conversation_id)


@pytest.fixture
def english_agent(agent: User) -> User:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    agent.refresh_from_db()
    return agent


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reply_url(conversation: Conversation) -> str:
    return reverse("web:conversation_reply", args=[conversation.pk])


def test_the_reply_form_says_which_message_the_agent_sees(
    agent: User, conversation: Conversation
) -> None:
    page = client_for(agent).get(reverse("web:conversation", args=[conversation.pk]))

    seen = re.search(r'name="seen_message_id" value="(\d+)"', page.content.decode())
    assert seen is not None
    assert int(seen.group(1)) == latest_message_id(conversation.pk)


def test_a_reply_crossing_a_colleagues_is_held_back_with_a_warning_in_the_form(
    english_agent: User, other_agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    colleague_reply = actions.reply(other_agent, conversation.pk, "Your parcel leaves tomorrow.")

    response = client_for(english_agent).post(
        reply_url(conversation), {"text": "Let me check.", "seen_message_id": seen}, **HTMX
    )

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#reply-warning"
    html = response.content.decode()
    assert re.search(r"Carol Agent replied (just now|\d+ seconds? ago):", html)
    assert "Your parcel leaves tomorrow." in html
    assert 'name="confirm" value="1"' in html and "Send anyway" in html
    # The form now says the agent has seen the colleague's reply.
    assert f'id="reply-seen-message-id" name="seen_message_id" value="{colleague_reply.pk}"' in html
    assert not conversation.messages.filter(text="Let me check.").exists()


def test_send_anyway_sends_the_reply(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    actions.reply(other_agent, conversation.pk, "Votre colis part demain.")

    response = client_for(agent).post(
        reply_url(conversation),
        {"text": "Je confirme.", "seen_message_id": seen, "confirm": "1"},
        **HTMX,
    )

    assert response.status_code == 200
    assert conversation.messages.filter(
        text="Je confirme.", direction=Direction.OUTGOING, author=agent
    ).exists()


def test_a_plain_post_crossing_a_customer_message_shows_the_page_with_the_text_kept(
    english_agent: User, api_inbox: Inbox, conversation: Conversation
) -> None:
    seen = latest_message_id(conversation.pk)
    ingest(api_inbox, inbound("m-2", "Never mind, it just arrived!"))

    response = client_for(english_agent).post(
        reply_url(conversation), {"text": "I am chasing the carrier.", "seen_message_id": seen}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert re.search(r"Jeanne Martin wrote (just now|\d+ seconds? ago):", html)
    assert "I am chasing the carrier.</textarea>" in html
    assert not conversation.messages.filter(direction=Direction.OUTGOING).exists()


def test_a_reply_form_without_a_seen_message_sends_as_before(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    actions.reply(other_agent, conversation.pk, "Votre colis part demain.")

    response = client_for(agent).post(reply_url(conversation), {"text": "Bonjour"}, **HTMX)

    assert response.status_code == 200
    assert conversation.messages.filter(text="Bonjour", author=agent).exists()


def test_the_warning_says_how_long_ago_in_the_agents_words(
    other_agent: User, conversation: Conversation
) -> None:
    colleague_reply = actions.reply(other_agent, conversation.pk, "Votre colis part demain.")
    refusal = RepliedMeanwhile([colleague_reply], colleague_reply.pk)
    sent_at = colleague_reply.created_at

    with translation.override("en"):
        summaries = [
            reply_warning(refusal, now=sent_at + dt.timedelta(seconds=seconds)).arrived[0].summary
            for seconds in (2, 20, 150, 7300)
        ]

    assert summaries == [
        "Carol Agent replied just now:",
        "Carol Agent replied 20 seconds ago:",
        "Carol Agent replied 2 minutes ago:",
        "Carol Agent replied 2 hours ago:",
    ]
