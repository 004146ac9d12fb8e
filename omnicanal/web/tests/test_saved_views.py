"""Saved views and the list's toolbar: who sees and edits a view (the rules, at their
functions), what the pages do with them, the order carried by the list's URLs, and what a
bulk change says it did."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.conversations.queries import ListFilters, ListSort, ListView
from omnicanal.core.exceptions import InvalidField, NotFound, PermissionDenied
from omnicanal.web import saved_views
from omnicanal.web.models import SavedView

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def outsider(db: Any) -> User:
    return User.objects.create_user("dan@example.com", "pw-dan-123", name="Dan Dehors")


@pytest.fixture
def teammate(team: Team) -> User:
    user = User.objects.create_user("eve@example.com", "pw-eve-123", name="Eve Équipe")
    team.members.add(user)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(user: User) -> list[str]:
    return [view.name for view in saved_views.visible_saved_views(user)]


URGENT_EMAIL = {"view": "all", "channel": "email", "priority": "1", "sort": "waiting"}


# Visibility


def test_a_private_view_is_seen_by_its_owner_only(
    agent: User, teammate: User, supervisor: User
) -> None:
    saved_views.create_saved_view(agent, "Mes urgences", URGENT_EMAIL)

    assert names(agent) == ["Mes urgences"]
    assert names(teammate) == []
    assert names(supervisor) == []


def test_a_view_shared_with_a_team_is_seen_by_its_members_and_nobody_else(
    agent: User, teammate: User, outsider: User, team: Team
) -> None:
    saved_views.create_saved_view(agent, "Urgences e-mail", URGENT_EMAIL, team_id=team.pk)
    saved_views.create_saved_view(teammate, "À moi", {"view": "mine"})

    # The teammate's own views first, then the team's.
    assert names(teammate) == ["À moi", "Urgences e-mail"]
    assert names(outsider) == []
    with pytest.raises(NotFound):
        saved_views.access_saved_view(outsider, SavedView.objects.get(name="Urgences e-mail").pk)


def test_an_agent_shares_only_with_a_team_they_belong_to_a_supervisor_with_any(
    outsider: User, supervisor: User, team: Team
) -> None:
    with pytest.raises(InvalidField) as refused:
        saved_views.create_saved_view(outsider, "Leurs urgences", URGENT_EMAIL, team_id=team.pk)
    assert refused.value.field == "team"

    shared = saved_views.create_saved_view(supervisor, "Pour l'équipe", URGENT_EMAIL,
                                           team_id=team.pk)
    assert shared.team == team


def test_opening_a_view_gives_back_the_list_it_was_saved_from(agent: User) -> None:
    saved_view = saved_views.create_saved_view(agent, "Urgences", URGENT_EMAIL)

    assert saved_views.saved_list(saved_view) == saved_views.SavedList(
        ListView.ALL, ListFilters(channel="email", priority=1), ListSort.WAITING
    )


# Validation


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("   ", URGENT_EMAIL, "name"),
        ("x" * 81, URGENT_EMAIL, "name"),
        ("Pigeons", {"channel": "pigeon"}, "view"),
        ("Ordre inconnu", {"sort": "alphabetical"}, "view"),
        ("Liste inconnue", {"view": "everything"}, "view"),
        ("Priorité 9", {"priority": "9"}, "view"),
    ],
)
def test_a_view_that_would_not_open_the_list_seen_is_refused(
    agent: User, name: str, query: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        saved_views.create_saved_view(agent, name, query)

    assert refused.value.field == field
    assert not SavedView.objects.exists()


def test_two_views_of_one_agent_cannot_share_a_name(agent: User, other_agent: User) -> None:
    saved_views.create_saved_view(agent, "Urgences", URGENT_EMAIL)

    with pytest.raises(InvalidField):
        saved_views.create_saved_view(agent, "Urgences", {"view": "mine"})
    # Another agent's namesake is no clash.
    saved_views.create_saved_view(other_agent, "Urgences", URGENT_EMAIL)


# Editing


def test_the_owner_renames_and_deletes_their_view(agent: User) -> None:
    saved_view = saved_views.create_saved_view(agent, "Urgences", URGENT_EMAIL)

    saved_views.rename_saved_view(agent, saved_view.pk, "  Urgences   e-mail ")
    assert names(agent) == ["Urgences e-mail"]

    saved_views.delete_saved_view(agent, saved_view.pk)
    assert not SavedView.objects.exists()


def test_a_teammate_sees_a_shared_view_but_only_a_supervisor_changes_it(
    agent: User, teammate: User, supervisor: User, outsider: User, team: Team
) -> None:
    shared = saved_views.create_saved_view(agent, "Urgences", URGENT_EMAIL, team_id=team.pk)

    with pytest.raises(PermissionDenied):
        saved_views.rename_saved_view(teammate, shared.pk, "Les miennes")
    with pytest.raises(NotFound):
        saved_views.delete_saved_view(outsider, shared.pk)

    saved_views.rename_saved_view(supervisor, shared.pk, "Urgences de l'équipe")
    assert names(teammate) == ["Urgences de l'équipe"]


def test_a_supervisor_cannot_touch_an_agents_private_view(
    agent: User, supervisor: User
) -> None:
    private = saved_views.create_saved_view(agent, "Les miennes", URGENT_EMAIL)

    with pytest.raises(NotFound):
        saved_views.delete_saved_view(supervisor, private.pk)
    assert SavedView.objects.filter(pk=private.pk).exists()


# Pages


def test_saving_the_list_leads_to_it_with_the_view_named_in_the_menu(
    agent: User, teammate: User, team: Team, email_inbox: Inbox
) -> None:
    response = client_for(agent).post(
        reverse("web:saved_view_create"),
        {"name": "Urgences e-mail", "share_with": team.pk, **URGENT_EMAIL},
    )

    assert response.status_code == 302
    saved_view = SavedView.objects.get()
    assert response["Location"] == (
        reverse("web:conversations")
        + f"?view=all&channel=email&priority=1&sort=waiting&saved={saved_view.pk}"
    )
    User.objects.filter(pk=teammate.pk).update(language="en")
    page = client_for(teammate).get(response["Location"]).content.decode()
    # The teammate opens it: the menu names it as the list shown, the order is the saved one.
    assert re.search(r'aria-current="true">.*?Urgences e-mail</span>', page)
    assert re.search(r'<span class="tool-label">Waiting longest</span>', page)


def test_a_view_that_cannot_be_saved_is_explained_and_the_agent_stays_on_the_list(
    agent: User,
) -> None:
    User.objects.filter(pk=agent.pk).update(language="en")
    client = client_for(agent)
    response = client.post(reverse("web:saved_view_create"),
                           {"name": "", "view": "mine", "back": "view=mine"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("web:conversations") + "?view=mine"
    assert "Give the view a name." in response.content.decode()
    assert not SavedView.objects.exists()


def test_an_outsider_posting_to_a_teams_view_changes_nothing(
    agent: User, outsider: User, team: Team
) -> None:
    shared = saved_views.create_saved_view(agent, "Urgences", URGENT_EMAIL, team_id=team.pk)

    client_for(outsider).post(reverse("web:saved_view_delete", args=[shared.pk]))
    response = client_for(outsider).post(
        reverse("web:saved_view_rename", args=[shared.pk]), {"name": "À moi"}, **HTMX
    )

    assert response.status_code == 404
    shared.refresh_from_db()
    assert shared.name == "Urgences"


@pytest.mark.parametrize("name", ["saved_view_create", "saved_view_rename", "saved_view_delete"])
def test_saved_view_pages_need_a_login_and_a_csrf_token(agent: User, name: str) -> None:
    saved_view = saved_views.create_saved_view(agent, "Urgences", URGENT_EMAIL)
    url = reverse(f"web:{name}", args=[] if name == "saved_view_create" else [saved_view.pk])

    anonymous = Client().post(url, {"name": "Autre"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(url, {"name": "Autre", **URGENT_EMAIL}).status_code == 403
    assert client.get(url).status_code == 405
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Urgences"]


# The order in the list's URLs


def receive(inbox: Inbox, external_id: str, email: str) -> Conversation:
    return Conversation.objects.get(
        pk=ingest(inbox, inbound(external_id, "Bonjour", email=email)).conversation_id
    )


def test_the_order_rides_on_the_list_links_and_the_live_refresh(
    agent: User, api_inbox: Inbox
) -> None:
    for index in range(27):
        receive(api_inbox, f"s-{index}", f"c{index}@example.fr")

    page = client_for(agent).get(reverse("web:conversations"), {"sort": "oldest"}).content
    html = page.decode()

    ids = [int(pk) for pk in re.findall(r'data-conversation-id="(\d+)"', html)]
    assert ids == sorted(ids)  # oldest activity first: the first received
    more = re.search(r'<li class="more">\s*<a class="button" href="([^"]+)"', html)
    assert more is not None and "sort=oldest" in more[1]
    assert re.search(r'hx-get="[^"]*sort=oldest[^"]*"[^>]*hx-trigger="omnicanal:refresh"', html)
    next_page = client_for(agent).get(more[1].replace("&amp;", "&"), **HTMX).content.decode()
    assert [int(pk) for pk in re.findall(r'data-conversation-id="(\d+)"', next_page)] == [
        ids[-1] + 1, ids[-1] + 2
    ]


def test_j_and_k_on_a_conversation_follow_the_order_of_the_list_it_came_from(
    agent: User, api_inbox: Inbox
) -> None:
    first, second, third = (receive(api_inbox, f"j-{index}", f"j{index}@example.fr")
                            for index in range(3))

    page = client_for(agent).get(
        reverse("web:conversation", args=[second.pk]), {"sort": "oldest"}
    ).content.decode()

    # Oldest first: the one received before comes above, the one after below.
    previous = re.search(r'id="previous-conversation" href="([^"]+)"', page)
    following = re.search(r'id="next-conversation" href="([^"]+)"', page)
    assert previous is not None and following is not None
    query = "?view=all&amp;sort=oldest"
    assert previous[1] == reverse("web:conversation", args=[first.pk]) + query
    assert following[1] == reverse("web:conversation", args=[third.pk]) + query


# What a bulk change says


def test_a_bulk_change_says_what_it_did_and_how_many_were_refused(
    agent: User, other_agent: User, team: Team, api_inbox: Inbox
) -> None:
    free = [receive(api_inbox, f"b-{index}", f"b{index}@example.fr") for index in range(2)]
    taken = receive(api_inbox, "b-taken", "taken@example.fr")
    actions.assign(other_agent, taken.pk, assignee_id=other_agent.pk)
    User.objects.filter(pk=agent.pk).update(language="en")
    client = client_for(agent)

    response = client.post(reverse("web:conversations_bulk"),
                           {"ids": [c.pk for c in [*free, taken]], "operation": "assign_me"},
                           **HTMX)
    assert "2 conversations assigned to you. 1 refused." in response.content.decode()

    response = client.post(reverse("web:conversations_bulk"),
                           {"ids": [c.pk for c in free], "operation": "resolve"}, **HTMX)
    assert "2 conversations resolved." in response.content.decode()
