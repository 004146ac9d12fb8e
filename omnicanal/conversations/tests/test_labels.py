from __future__ import annotations

import pytest
from django.utils import translation

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions, labels
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Label
from omnicanal.core.exceptions import InvalidField, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    return Conversation.objects.get(pk=ingest(api_inbox, inbound("m-1")).conversation_id)


def test_creating_a_label_with_a_colour_is_audited(supervisor: User) -> None:
    label = actions.create_label(supervisor, "Remboursement", "#1F6FEB")

    assert label.color == "#1f6feb"
    entry = AuditLogEntry.objects.get(action="label.created")
    assert (entry.actor, entry.data) == (supervisor, {"name": "Remboursement",
                                                      "color": "#1f6feb"})


def test_the_settings_form_refuses_a_name_taken_in_another_case(supervisor: User) -> None:
    actions.create_label(supervisor, "Bug")

    # The workspace gets the existing label back; the settings form says it exists.
    assert actions.create_label(supervisor, "BUG").name == "Bug"
    with pytest.raises(InvalidField) as refusal:
        actions.create_label(supervisor, "bug", exists_ok=False)
    assert refusal.value.field == "name"


def test_a_colour_that_is_not_rrggbb_is_refused(supervisor: User) -> None:
    label = actions.create_label(supervisor, "Bug")

    with pytest.raises(InvalidField) as refusal:
        labels.update_label(supervisor, label, name="Bug", color="red; background: url(x)")

    assert refusal.value.field == "custom_color"
    label.refresh_from_db()
    assert label.color == ""


def test_renaming_and_recolouring_is_one_audit_entry(supervisor: User) -> None:
    label = actions.create_label(supervisor, "Bug")

    labels.update_label(supervisor, label, name="Panne", color="#cf222e")

    label.refresh_from_db()
    assert (label.name, label.color, label.css_color) == ("Panne", "#cf222e", "#cf222e")
    assert AuditLogEntry.objects.get(action="label.updated").data == {
        "name": ["Bug", "Panne"], "color": ["", "#cf222e"],
    }


def test_deleting_a_label_takes_it_off_its_conversations(
    supervisor: User, agent: User, conversation: Conversation
) -> None:
    label = actions.create_label(supervisor, "Bug")
    actions.add_label(agent, conversation.pk, label.pk)

    assert labels.delete_label(supervisor, label) == 1

    assert not Label.objects.exists()
    assert not conversation.labels.exists()
    assert AuditLogEntry.objects.get(action="label.deleted").data == {"name": "Bug",
                                                                      "conversations": 1}


def test_an_agent_neither_changes_nor_deletes_labels(supervisor: User, agent: User) -> None:
    label = actions.create_label(supervisor, "Bug")

    with pytest.raises(PermissionDenied):
        labels.update_label(agent, label, name="Panne", color="")
    with pytest.raises(PermissionDenied):
        labels.delete_label(agent, label)
    label.refresh_from_db()
    assert label.name == "Bug"


def test_an_agent_typing_an_unknown_label_is_told_to_choose_from_the_list(
    agent: User, conversation: Conversation
) -> None:
    with pytest.raises(PermissionDenied) as refusal:
        actions.add_label_by_name(agent, conversation.pk, " Inventé ")

    assert refusal.value.message == ("There is no label “Inventé”: choose one from the list. "
                                     "Only a supervisor can create a label.")
    with translation.override("fr"):
        assert "superviseur" in refusal.value.message
