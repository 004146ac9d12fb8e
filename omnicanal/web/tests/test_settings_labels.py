"""Settings → Labels through HTTP: supervisors manage them too; colours; deletion counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Label
from omnicanal.web.tests.settings_helpers import client_for, field_errors, post, text

pytestmark = pytest.mark.django_db

LIST = reverse("web:settings_labels")
NEW = reverse("web:settings_labels_new")


@pytest.fixture
def label(supervisor: User) -> Label:
    return actions.create_label(supervisor, "Remboursement", "#1a7f37")


def test_the_list_shows_the_colour_name_and_usage(
    supervisor: User, agent: User, label: Label, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    actions.add_label(agent, conversation_id, label.pk)

    response = client_for(supervisor).get(LIST)

    assert response.status_code == 200
    assert 'style="background-color: #1a7f37"' in response.content.decode()
    assert "Remboursement 1" in text(response.content)


def test_a_supervisor_creates_a_label_with_a_palette_colour(supervisor: User) -> None:
    response = post(client_for(supervisor), NEW, {"name": "Panne", "color": "#cf222e"})

    assert response.status_code == 302 and response["Location"] == LIST
    assert Label.objects.get(name="Panne").color == "#cf222e"
    assert AuditLogEntry.objects.filter(action="label.created", actor=supervisor).exists()


def test_an_administrator_creates_a_label_with_a_colour_of_their_own(admin: User) -> None:
    response = post(client_for(admin), NEW, {"name": "Panne", "color": "custom",
                                             "custom_color": "#123ABC"})

    assert response.status_code == 302
    assert Label.objects.get(name="Panne").color == "#123abc"


def test_a_bad_colour_is_shown_beside_the_colour_field(supervisor: User) -> None:
    client = client_for(supervisor)

    response = post(client, NEW, {"name": "Panne", "color": "custom", "custom_color": "rouge"})
    assert response.status_code == 422
    assert field_errors(response.content, "custom_color") == (
        "A colour is written #rrggbb, for example #1f6feb.")

    response = post(client, NEW, {"name": "Panne", "color": "custom", "custom_color": ""})
    assert field_errors(response.content, "custom_color") == (
        "Write the colour, or pick one above.")
    assert not Label.objects.exists()


def test_a_taken_name_is_shown_beside_the_name_field(supervisor: User, label: Label) -> None:
    response = post(client_for(supervisor), NEW, {"name": "remboursement", "color": ""})

    assert response.status_code == 422
    assert field_errors(response.content, "name") == "A label is already called “remboursement”."


def test_editing_a_label_keeps_a_custom_colour_in_the_form(supervisor: User) -> None:
    label = actions.create_label(supervisor, "Bug", "#123abc")
    url = reverse("web:settings_labels_edit", args=[label.pk])
    client = client_for(supervisor)
    page = client.get(url).content.decode()
    assert 'value="custom"' in page and "checked" in page and 'value="#123abc"' in page

    response = post(client, url, {"name": "Bogue", "color": "#1f6feb"})

    assert response.status_code == 302
    label.refresh_from_db()
    assert (label.name, label.color) == ("Bogue", "#1f6feb")


def test_deleting_states_how_many_conversations_lose_it(
    supervisor: User, agent: User, label: Label, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    actions.add_label(agent, conversation_id, label.pk)
    url = reverse("web:settings_labels_delete", args=[label.pk])
    client = client_for(supervisor)

    assert "It will be removed from 1 conversation." in text(client.get(url).content)
    response = post(client, url, {})

    assert response.status_code == 302
    assert not Label.objects.exists()
    page = text(client.get(LIST).content)
    assert "Label “Remboursement” deleted; it was removed from 1 conversation." in page


def test_the_workspace_chip_shows_the_labels_colour(
    agent: User, label: Label, api_inbox: Inbox
) -> None:
    conversation_id = ingest(api_inbox, inbound("m-1")).conversation_id
    actions.assign(agent, conversation_id, assignee_id=agent.pk)
    actions.add_label(agent, conversation_id, label.pk)

    page = client_for(agent).get(reverse("web:conversation", args=[conversation_id]))

    assert 'class="label-dot" style="background-color: #1a7f37"' in page.content.decode()


@pytest.mark.parametrize("name", ["settings_labels", "settings_labels_new",
                                  "settings_labels_edit", "settings_labels_delete"])
def test_agents_are_refused(agent: User, label: Label, name: str) -> None:
    args = [label.pk] if name.endswith(("edit", "delete")) else []
    url = reverse(f"web:{name}", args=args)

    assert client_for(agent).get(url).status_code == 403
    assert client_for(agent).post(url).status_code == 403
    assert Label.objects.filter(pk=label.pk).exists()
