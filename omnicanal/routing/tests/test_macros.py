"""Canned replies and macros: variables rendered safely, validation, the composer's API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import bearer, inbound
from omnicanal.contacts.models import Contact
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Label
from omnicanal.core.exceptions import NotFound
from omnicanal.routing import macros
from omnicanal.routing.actions import assign_manually, configure_agent, set_presence
from omnicanal.routing.models import CannedReply, Macro

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    result = ingest(api_inbox, inbound("m-1", "Bonjour"))
    outbox.process_pending_events()  # queued by routing, not dispatched in a test transaction
    return Conversation.objects.select_related("contact", "inbox").get(pk=result.conversation_id)


def test_variables_are_replaced_from_the_contact_the_agent_and_the_conversation(
    conversation: Conversation, agent: User
) -> None:
    text = ("Bonjour {{contact.first_name}} ({{ contact.name }}), ici {{agent.first_name}} "
            "pour le dossier n°{{conversation.id}} sur {{inbox.name}}.")

    rendered = macros.render(text, conversation, agent)

    assert rendered == (f"Bonjour Jeanne (Jeanne Martin), ici Bob pour le dossier "
                        f"n°{conversation.pk} sur Site API.")


def test_a_contact_without_a_name_gets_the_fallback_never_their_address(
    api_inbox: Inbox, agent: User
) -> None:
    result = ingest(api_inbox, inbound("m-1", "Bonjour", name=""))
    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert Contact.objects.get(pk=result.contact_id).name == ""

    assert macros.render("Bonjour {{contact.first_name|à vous}},", conversation, agent) == (
        "Bonjour à vous,"
    )
    assert macros.render("Bonjour {{contact.first_name}}!", conversation, agent) == "Bonjour !"


def test_text_that_looks_like_a_template_is_not_evaluated(
    conversation: Conversation, agent: User
) -> None:
    text = "{% if 1 %}x{% endif %} {{contact.first_name}} <b>{{ agent.name }}</b>"

    assert macros.render(text, conversation, agent) == "{% if 1 %}x{% endif %} Jeanne <b>Bob Agent</b>"


def test_unknown_variables_are_refused_when_a_canned_reply_is_saved() -> None:
    with pytest.raises(ValidationError) as excinfo:
        CannedReply.objects.create(shortcut="x", title="X",
                                   text="Bonjour {{contact.email}} {{contact.first_name}}")

    assert "unknown variable contact.email" in str(excinfo.value)
    assert "{{contact.first_name}}" in str(excinfo.value)  # the known ones are listed
    assert not CannedReply.objects.exists()


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        ([], "at least one action"),
        ([{"type": "launch_rocket"}], "action 1: the type is one of"),
        ([{"type": "set_priority", "priority": True}], "“priority” is missing"),
        ([{"type": "set_status", "status": "snoozed"}], "open, pending or resolved"),
        ([{"type": "add_label", "name": "inconnue"}], "there is no label “inconnue”"),
        ([{"type": "reply", "text": "a"}, {"type": "reply", "text": "b"}], "once"),
        ([{"type": "note", "text": "{{agent.password}}"}], "unknown variable agent.password"),
    ],
)
def test_invalid_macros_are_refused_with_a_clear_message(steps: list[Any], error: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Macro.objects.create(shortcut="m", name="M", actions=steps)
    assert error in str(excinfo.value)


def test_a_macro_applies_its_steps_as_the_agent_and_returns_the_reply_to_review(
    conversation: Conversation, agent: User, team: Team
) -> None:
    Label.objects.create(name="Remboursement")
    macro = Macro.objects.create(shortcut="remb", name="Remboursement", actions=[
        {"type": "reply", "text": "Bonjour {{contact.first_name}}, c'est fait."},
        {"type": "note", "text": "Remboursé par {{agent.name}}"},
        {"type": "add_label", "name": "remboursement"},
        {"type": "set_priority", "priority": 2},
        {"type": "assign", "to": "me"},
        {"type": "assign", "to": "team", "team_id": team.pk},
        {"type": "set_status", "status": "pending"},
    ])

    result = macros.apply_macro(agent, conversation.pk, macro.pk)

    assert result.reply_text == "Bonjour Jeanne, c'est fait."
    conversation.refresh_from_db()
    assert list(conversation.labels.values_list("name", flat=True)) == ["Remboursement"]
    assert (conversation.priority, conversation.assignee, conversation.team) == (2, agent, team)
    assert conversation.status == "pending"
    assert conversation.messages.get(direction="note").text == "Remboursé par Bob Agent"
    # The reply is for the agent to send: nothing went to the customer.
    assert not conversation.messages.filter(direction="outgoing").exists()


def test_a_macro_that_fails_halfway_changes_nothing(
    conversation: Conversation, agent: User, other_agent: User, supervisor: User
) -> None:
    from omnicanal.conversations import actions
    from omnicanal.core.exceptions import PermissionDenied

    actions.assign(supervisor, conversation.pk, assignee_id=other_agent.pk)
    Label.objects.create(name="urgent")
    macro = Macro.objects.create(shortcut="prendre", name="Prendre", actions=[
        {"type": "add_label", "name": "urgent"},
        {"type": "assign", "to": "me"},  # a colleague's conversation: refused to an agent
    ])

    with pytest.raises(PermissionDenied):
        macros.apply_macro(agent, conversation.pk, macro.pk)

    assert not conversation.labels.exists()


# The composer's API.


def test_the_composer_lists_rendered_canned_replies_and_macros_to_agents_only(
    conversation: Conversation, agent: User
) -> None:
    CannedReply.objects.create(shortcut="bonjour", title="Salutation",
                               text="Bonjour {{contact.first_name}}")
    Macro.objects.create(shortcut="clore", name="Clore",
                         actions=[{"type": "set_status", "status": "resolved"}])
    anonymous = Client()
    client = Client()
    client.force_login(agent)

    assert anonymous.get("/api/v1/canned-replies").status_code == 401
    assert anonymous.get("/api/v1/macros").status_code == 401
    canned = client.get(f"/api/v1/canned-replies?conversation_id={conversation.pk}").json()
    assert canned == [{"id": canned[0]["id"], "shortcut": "bonjour", "title": "Salutation",
                       "text": "Bonjour Jeanne"}]
    assert client.get("/api/v1/canned-replies").json()[0]["text"] == (
        "Bonjour {{contact.first_name}}"
    )
    listed = client.get("/api/v1/macros").json()
    assert [(m["shortcut"], m["steps"]) for m in listed] == [("clore", ["set_status"])]
    assert client.get("/api/v1/canned-replies?conversation_id=999999").status_code == 404


def test_applying_a_macro_needs_the_csrf_token_of_the_agent_session(
    conversation: Conversation, agent: User
) -> None:
    macro = Macro.objects.create(shortcut="attente", name="En attente", actions=[
        {"type": "reply", "text": "Je reviens vers vous, {{contact.first_name}}."},
        {"type": "set_status", "status": "pending"},
    ])
    url = f"/api/v1/conversations/{conversation.pk}/macros/{macro.pk}"
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    assert client.post(url).status_code in (401, 403)
    conversation.refresh_from_db()
    assert conversation.status == "open"

    client.get(f"/conversations/{conversation.pk}/")
    response = client.post(url, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)

    assert response.status_code == 200
    assert response.json() == {"reply_text": "Je reviens vers vous, Jeanne.",
                               "applied": ["reply", "set_status"]}
    conversation.refresh_from_db()
    assert conversation.status == "pending"
    assert client.post(f"/api/v1/conversations/{conversation.pk}/macros/999999",
                       HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value).status_code == 404


def test_an_unknown_macro_is_refused_in_the_language_of_the_reader(
    conversation: Conversation, agent: User
) -> None:
    url = f"/api/v1/conversations/{conversation.pk}/macros/999999"

    default = Client().post(url, **bearer(agent))
    in_french = Client().post(url, HTTP_ACCEPT_LANGUAGE="fr", **bearer(agent))

    assert default.status_code == in_french.status_code == 404
    assert default.json() == {"detail": "No macro 999999."}
    assert in_french.json() == {"detail": "Aucune macro 999999."}
    # The action's refusal reads in the language active where it is read, not where raised.
    with pytest.raises(NotFound) as refused:
        macros.apply_macro(agent, conversation.pk, 999999)
    with translation.override("fr"):
        assert refused.value.message == "Aucune macro 999999."


class TestQueueVariables:
    TEXT = "You are number {{queue.position|?}} in line, {{queue.estimated_wait|soon}}."

    def test_a_waiting_customer_reads_their_place_and_wait_in_their_language(
        self, conversation: Conversation, agent: User
    ) -> None:
        configure_agent(agent, capacity={"chat": 1})
        set_presence(agent, "online", dispatch=False)
        Contact.objects.filter(pk=conversation.contact_id).update(attributes={"language": "EN"})
        conversation.contact.refresh_from_db()

        # The agent reads French; the customer, who reads the reply, English.
        with translation.override("fr"):
            rendered = macros.render(self.TEXT, conversation, agent)

        # First in line, one slot, no history: the default 300 s handle time.
        assert rendered == "You are number 1 in line, about 5 minutes."

    def test_without_an_agent_online_the_wait_takes_its_fallback(
        self, conversation: Conversation, agent: User
    ) -> None:
        assert macros.render(self.TEXT, conversation, agent) == (
            "You are number 1 in line, soon."
        )

    def test_a_conversation_that_is_not_waiting_takes_both_fallbacks(
        self, conversation: Conversation, agent: User
    ) -> None:
        assign_manually(conversation.pk, agent, dispatch=False)

        assert macros.render(self.TEXT, conversation, agent) == "You are number ? in line, soon."

    def test_the_queue_variables_are_known_when_a_canned_reply_is_saved(self) -> None:
        canned = CannedReply.objects.create(shortcut="file", title="File", text=self.TEXT)

        assert canned.pk is not None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "under a minute"), (60, "about 1 minute"), (150, "about 3 minutes"),
     (210, "about 4 minutes"), (360, "about 6 minutes")],
)
def test_a_wait_reads_in_whole_minutes_rounded_half_up(seconds: int, text: str) -> None:
    with translation.override("en"):
        assert macros.wait_phrase(seconds) == text
