"""The presence toggle and the supervisor's view, through HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import Language, Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import Contact, ValueTier
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing import actions
from omnicanal.routing.models import AgentCapacity, AgentProfile, ConversationRouting, Presence

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user: User, language: str = Language.ENGLISH) -> Client:
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(user)
    return client


def arrive(inbox: Inbox, external_id: str, email: str, name: str) -> int:
    conversation_id = ingest(inbox, inbound(external_id, email=email, name=name)).conversation_id
    # Queued when its events are handled; outside on-commit callbacks nothing dispatches.
    outbox.process_pending_events()
    return conversation_id


def load(agent: User, channel: str = "chat") -> int:
    return AgentCapacity.objects.get(profile=agent.pk, channel=channel).load


def text(html: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


class TestPresence:
    def test_every_workspace_page_shows_the_agents_presence_and_the_delay_before_away(
        self, agent: User, settings: Any
    ) -> None:
        settings.PRESENCE_AWAY_AFTER_SECONDS = 420
        actions.set_presence(agent, Presence.AWAY)

        page = client_for(agent).get(reverse("web:conversations")).content.decode()

        assert 'data-presence="away"' in page
        assert 'data-away-after-seconds="420"' in page
        assert re.search(r'value="away"[^>]*aria-pressed="true"', page)

    def test_an_agent_goes_online_from_the_toggle(self, agent: User) -> None:
        response = client_for(agent).post(
            reverse("routing:presence"), {"presence": "online"}, **HTMX
        )

        assert response.status_code == 200
        assert AgentProfile.objects.get(pk=agent.pk).presence == Presence.ONLINE
        assert re.search(r'value="online"[^>]*aria-pressed="true"', response.content.decode())

    def test_without_htmx_the_toggle_goes_back_to_the_page_it_was_on(self, agent: User) -> None:
        response = client_for(agent).post(
            reverse("routing:presence"), {"presence": "offline", "next": "/search/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/search/"

    def test_the_swapped_toggle_still_returns_to_the_page_it_is_on(self, agent: User) -> None:
        response = client_for(agent).post(
            reverse("routing:presence"), {"presence": "online"},
            HTTP_HX_CURRENT_URL="http://testserver/search/?q=colis", **HTMX,
        )
        assert 'name="next" value="/search/?q=colis"' in response.content.decode()

    def test_it_never_redirects_to_another_site(self, agent: User) -> None:
        response = client_for(agent).post(
            reverse("routing:presence"), {"presence": "offline", "next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("web:conversations")

    def test_activity_after_an_automatic_away_brings_the_agent_back_but_not_after_a_chosen_one(
        self, agent: User
    ) -> None:
        client = client_for(agent)
        url = reverse("routing:presence")
        client.post(url, {"presence": "online"}, **HTMX)

        client.post(url, {"presence": "away", "automatic": "1"}, **HTMX)
        client.post(url, {"presence": "online", "automatic": "1"}, **HTMX)
        assert AgentProfile.objects.get(pk=agent.pk).presence == Presence.ONLINE

        client.post(url, {"presence": "away"}, **HTMX)
        client.post(url, {"presence": "online", "automatic": "1"}, **HTMX)
        assert AgentProfile.objects.get(pk=agent.pk).presence == Presence.AWAY

    def test_an_unknown_presence_is_refused(self, agent: User) -> None:
        response = client_for(agent).post(reverse("routing:presence"), {"presence": "busy"})
        assert response.status_code == 400

    def test_logged_out_visitors_are_sent_to_the_login_page(self, client: Client) -> None:
        response = client.post(reverse("routing:presence"), {"presence": "online"})
        assert response.status_code == 302
        assert not AgentProfile.objects.exists()


class TestSupervisorView:
    def test_agents_get_403_and_no_link_to_it(self, agent: User) -> None:
        client = client_for(agent)

        assert client.get(reverse("routing:supervisor")).status_code == 403
        assert client.post(reverse("routing:reassign"), {"ids": "1", "assignee": agent.pk}
                           ).status_code == 403
        assert reverse("routing:supervisor") not in client.get("/").content.decode()

    def test_supervisors_and_administrators_find_it_in_the_top_bar(
        self, supervisor: User, admin: User
    ) -> None:
        for user in (supervisor, admin):
            client = client_for(user)
            assert reverse("routing:supervisor") in client.get("/").content.decode()
            assert client.get(reverse("routing:supervisor")).status_code == 200

    def test_the_queues_show_each_waiting_conversation_with_its_place_and_wait(
        self, supervisor: User, agent: User, team: Team, api_inbox: Inbox,
        email_inbox: Inbox,
    ) -> None:
        # Bob (Support) is online with one chat slot, already taken: the rest waits.
        actions.configure_agent(agent, capacity={"chat": 1})
        actions.set_presence(agent, Presence.ONLINE)
        first = arrive(api_inbox, "m-1", "a@example.fr", "Anne Premier")
        Conversation.objects.filter(pk=first).update(assignee=agent)
        actions.assign_manually(first, agent, dispatch=False)
        second = arrive(api_inbox, "m-2", "b@example.fr", "Bruno Second")
        third = arrive(api_inbox, "m-3", "c@example.fr", "Chloé Troisième")
        Contact.objects.filter(conversations__pk=third).update(value_tier=ValueTier.GOLD)
        actions.follow_conversation(Conversation.objects.get(pk=third))
        mail = arrive(email_inbox, "e-1", "d@example.fr", "Denis Courriel")

        page = client_for(supervisor).get(reverse("routing:supervisor"))
        body = text(page.content)

        assert "3 waiting" in body
        # No team, chat: the gold customer first, each with an estimate from Bob's one slot.
        assert re.search(r"No team · Chat \(2\) .*? 1 Chloé Troisième API Site API Normal Gold "
                         r".*? about 5 min 2 Bruno Second API Site API Normal Standard "
                         r".*? about 10 min", body)
        # Nobody takes e-mail: no estimate.
        assert re.search(r"No team · E-mail \(1\) .*? 1 Denis Courriel .*? no agent online", body)
        assert f'href="/conversations/{second}/"' in page.content.decode()
        assert f'href="/conversations/{mail}/"' in page.content.decode()
        # Bob: online, his chat slot full, holding Anne's conversation.
        assert re.search(r"Bob Agent Online Chat 1/1 Support Anne Premier", body)

    def test_the_live_part_alone_answers_an_htmx_refresh(self, supervisor: User) -> None:
        response = client_for(supervisor).get(reverse("routing:supervisor"), **HTMX)

        assert b"<html" not in response.content
        assert b"No conversation is waiting." in response.content

    def test_it_speaks_french_to_a_french_supervisor(
        self, supervisor: User, api_inbox: Inbox
    ) -> None:
        arrive(api_inbox, "m-1", "a@example.fr", "Anne Premier")

        body = text(client_for(supervisor, Language.FRENCH).get(
            reverse("routing:supervisor")).content)

        # Words the French catalogue already holds (this branch's own come with the merge).
        assert "Priorité" in body and "Canal" in body and "Hors ligne" in body
        assert "Priority" not in body


class TestReassign:
    # Committed for real: routing follows the assignments when their events are handled,
    # after each commit, before the page that answers is drawn.
    @pytest.mark.django_db(transaction=True)
    def test_a_supervisor_gives_waiting_and_held_conversations_to_another_agent(
        self, supervisor: User, agent: User, other_agent: User, api_inbox: Inbox
    ) -> None:
        actions.configure_agent(agent, capacity={"chat": 1})
        actions.configure_agent(other_agent, capacity={"chat": 3})
        held = arrive(api_inbox, "m-1", "a@example.fr", "Anne Premier")
        Conversation.objects.filter(pk=held).update(assignee=agent)
        actions.assign_manually(held, agent, dispatch=False)
        waiting = arrive(api_inbox, "m-2", "b@example.fr", "Bruno Second")

        response = client_for(supervisor).post(
            reverse("routing:reassign"),
            {"ids": [held, waiting], "assignee": other_agent.pk}, **HTMX,
        )

        assert response.status_code == 200
        assert "2 conversations reassigned." in text(response.content)
        assert set(Conversation.objects.values_list("assignee", flat=True)) == {other_agent.pk}
        assert (load(agent), load(other_agent)) == (0, 2)
        assert not ConversationRouting.objects.filter(agent__isnull=True).exists()
        assert "No conversation is waiting." in text(response.content)

    # Committed for real: routing follows the assignments when their events are handled,
    # after each commit, before the page that answers is drawn.
    @pytest.mark.django_db(transaction=True)
    def test_a_held_conversation_goes_back_to_the_queue_and_frees_its_agents_slot(
        self, supervisor: User, agent: User, api_inbox: Inbox
    ) -> None:
        actions.configure_agent(agent, capacity={"chat": 1})
        held = arrive(api_inbox, "m-1", "a@example.fr", "Anne Premier")
        Conversation.objects.filter(pk=held).update(assignee=agent)
        actions.assign_manually(held, agent, dispatch=False)

        response = client_for(supervisor).post(
            reverse("routing:reassign"), {"ids": [held], "assignee": "queue"}, **HTMX
        )

        assert "1 conversation reassigned." in text(response.content)
        assert Conversation.objects.get(pk=held).assignee is None
        assert load(agent) == 0
        assert re.search(r"No team · Chat \(1\) .*? 1 Anne Premier", text(response.content))

    def test_without_an_agent_nothing_changes_and_the_supervisor_is_told(
        self, supervisor: User, api_inbox: Inbox
    ) -> None:
        waiting = arrive(api_inbox, "m-1", "a@example.fr", "Anne Premier")

        response = client_for(supervisor).post(
            reverse("routing:reassign"), {"ids": [waiting], "assignee": ""}, **HTMX
        )

        assert "Choose an agent." in text(response.content)
        assert Conversation.objects.get(pk=waiting).assignee is None

    def test_an_inactive_agent_is_refused_for_each_conversation(
        self, supervisor: User, agent: User, api_inbox: Inbox
    ) -> None:
        User.objects.filter(pk=agent.pk).update(is_active=False)
        waiting = arrive(api_inbox, "m-1", "a@example.fr", "Anne Premier")

        response = client_for(supervisor).post(
            reverse("routing:reassign"), {"ids": [waiting], "assignee": agent.pk}, **HTMX
        )

        assert f"#{waiting}:" in text(response.content)
        assert Conversation.objects.get(pk=waiting).assignee is None
