"""The bell's pages: only my notifications, CSRF on every write, preferences, suggestions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.notifications import actions as notifications
from omnicanal.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user: User, *, enforce_csrf_checks: bool = False) -> Client:
    # English pages: the French catalogue is merged after this branch.
    User.objects.filter(pk=user.pk).update(language=Language.ENGLISH)
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    result = ingest(api_inbox, inbound("m-1", "Bonjour", name="Marie Lambert"))
    return Conversation.objects.get(pk=result.conversation_id)


def mention(recipient: User, actor: User, conversation: Conversation) -> Notification:
    notification = notifications.notify(
        recipient, Kind.MENTIONED, conversation=conversation, actor=actor
    )
    assert notification is not None
    return notification


def test_the_list_shows_my_notifications_and_not_my_colleagues(
    agent: User, other_agent: User, supervisor: User, conversation: Conversation
) -> None:
    mention(agent, supervisor, conversation)
    mention(other_agent, supervisor, conversation)
    notifications.notify(other_agent, Kind.AUTOMATION, params={"text": "Pour Carol seulement"})

    page = client_for(agent).get(reverse("notifications:list")).content.decode()

    assert page.count('data-notification-id=') == 1
    assert "Sarah Superviseure mentioned you" in page
    assert "Pour Carol seulement" not in page


def test_the_bell_shows_the_unread_count_on_every_workspace_page(
    agent: User, supervisor: User, conversation: Conversation
) -> None:
    mention(agent, supervisor, conversation)
    mention(agent, supervisor, conversation)

    page = client_for(agent).get(reverse("web:conversations")).content.decode()

    assert re.search(r'id="notification-count"[^>]*data-unread-count="2"', page)
    assert "notifications/notifications.js" in page


def test_the_dropdown_is_the_list_alone_with_a_link_to_the_page(
    agent: User, supervisor: User, conversation: Conversation
) -> None:
    mention(agent, supervisor, conversation)

    fragment = client_for(agent).get(reverse("notifications:list"), **HTMX).content.decode()

    assert "<html" not in fragment
    assert "notification-item is-unread" in fragment
    assert reverse("notifications:preferences") in fragment


def test_opening_a_notification_marks_it_read_and_leads_to_its_conversation(
    agent: User, supervisor: User, conversation: Conversation
) -> None:
    notification = mention(agent, supervisor, conversation)

    response = client_for(agent).post(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:conversation", args=[conversation.pk])
    notification.refresh_from_db()
    assert notification.is_read
    assert notifications.unread_count(agent) == 0


def test_a_colleagues_notification_cannot_be_opened(
    agent: User, other_agent: User, supervisor: User, conversation: Conversation
) -> None:
    notification = mention(other_agent, supervisor, conversation)

    response = client_for(agent).post(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_read_touches_only_my_notifications(
    agent: User, other_agent: User, supervisor: User, conversation: Conversation
) -> None:
    mention(agent, supervisor, conversation)
    mention(agent, supervisor, conversation)
    mention(other_agent, supervisor, conversation)

    response = client_for(agent).post(reverse("notifications:read_all"), **HTMX)

    assert response.status_code == 200
    assert "notification-item is-unread" not in response.content.decode()
    assert notifications.unread_count(agent) == 0
    assert notifications.unread_count(other_agent) == 1


@pytest.mark.parametrize(
    ("name", "args"),
    [("notifications:read_all", []), ("notifications:open", [1]),
     ("notifications:preferences", [])],
)
def test_every_write_needs_the_csrf_token(
    agent: User, supervisor: User, conversation: Conversation, name: str, args: list[int]
) -> None:
    notification = mention(agent, supervisor, conversation)
    url = reverse(name, args=[notification.pk] if args else [])

    response = client_for(agent, enforce_csrf_checks=True).post(url, {"in_app": ["assigned"]})

    assert response.status_code == 403
    notification.refresh_from_db()
    assert not notification.is_read
    assert notifications.preferences(agent)[Kind.MENTIONED].is_in_app


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [("get", "notifications:list", []), ("post", "notifications:open", [1]),
     ("post", "notifications:read_all", []), ("get", "notifications:preferences", []),
     ("get", "notifications:agents", [])],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(
    db: Any, method: str, name: str, args: list[int]
) -> None:
    response = getattr(Client(), method)(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_preferences_are_saved_from_the_ticked_boxes(agent: User) -> None:
    client = client_for(agent)
    ticked = {
        "in_app": ["assigned", "mentioned", "new_message"],
        "browser": ["mentioned", "new_message", "automation"],
    }

    response = client.post(reverse("notifications:preferences"), ticked)

    assert response.status_code == 200
    chosen = notifications.preferences(agent)
    assert chosen[Kind.MENTIONED] == notifications.Channels(True, True)
    assert chosen[Kind.NEW_MESSAGE] == notifications.Channels(True, True)
    assert chosen[Kind.ASSIGNED] == notifications.Channels(True, False)
    assert chosen[Kind.SLA_WARNING] == notifications.Channels(False, False)
    # Out of the bell, so never on the desktop either.
    assert chosen[Kind.AUTOMATION] == notifications.Channels(False, False)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="browser" value="new_message" aria-labelledby="kind-new_message col-browser"' \
        ' checked' in page


def test_the_suggestions_match_names_without_accents_and_leave_addresses_out(
    agent: User, other_agent: User
) -> None:
    User.objects.create_user("helene@example.fr", "pw", name="Hélène Lefèvre")
    User.objects.create_user("gone@example.fr", "pw", name="Hélène Partie", is_active=False)
    client = client_for(agent)

    found = client.get(reverse("notifications:agents"), {"q": "hel"}).json()["agents"]
    by_last_name = client.get(reverse("notifications:agents"), {"q": "lefe"}).json()["agents"]
    everyone = client.get(reverse("notifications:agents")).json()["agents"]

    assert [a["name"] for a in found] == ["Hélène Lefèvre"] == [a["name"] for a in by_last_name]
    # Not myself, not the deactivated, and no addresses.
    assert [a["name"] for a in everyone] == ["Carol Agent", "Hélène Lefèvre"]
    assert set(everyone[0]) == {"id", "name"}


def test_the_timeline_highlights_mentions_and_escapes_the_rest(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    actions.add_note(agent, conversation.pk, "<b>Urgent</b> @Carol Agent\nrappeler")

    page = client_for(agent).get(reverse("web:conversation", args=[conversation.pk]))

    assert (
        '&lt;b&gt;Urgent&lt;/b&gt; <mark class="mention">@Carol Agent</mark><br>rappeler'
        in page.content.decode()
    )


def test_the_mentions_tab_counts_the_conversations_i_was_mentioned_in(
    agent: User, other_agent: User, conversation: Conversation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(agent, conversation.pk, "@Carol Agent à voir")

    page = client_for(other_agent).get(reverse("web:conversations"), {"view": "mentions"})

    assert re.search(r'view=mentions" aria-current="page">Mentions <span class="count" '
                     r'data-count>1</span>', page.content.decode())
    assert f'data-conversation-id="{conversation.pk}"' in page.content.decode()


def test_reading_the_conversation_marks_what_the_bell_says_about_it_read(
    agent: User, supervisor: User, conversation: Conversation, api_inbox: Inbox
) -> None:
    about_it = mention(agent, supervisor, conversation)
    other = Conversation.objects.get(pk=ingest(api_inbox, inbound("m-2", email="x@example.fr",
                                                                  name="Xavier")).conversation_id)
    about_another = mention(agent, supervisor, other)

    client_for(agent).get(reverse("web:conversation", args=[conversation.pk]))

    about_it.refresh_from_db()
    about_another.refresh_from_db()
    assert about_it.is_read
    assert not about_another.is_read
