"""The conversation page's tools: export downloads, merge, split, transfer, reply via another
channel; each view's happy path, its refusal and its login check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import AuditLogEntry, Language, Team, User
from omnicanal.connectors.base import ThreadHints
from omnicanal.contacts.models import Identity
from omnicanal.conversations import actions
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    Direction,
    Inbox,
    Message,
    Status,
)
from omnicanal.web.tests.test_views import HTMX, client_for, conversation_url, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_agent(agent: User) -> User:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    agent.refresh_from_db()
    return agent


@pytest.fixture
def sms_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="SMS boutique", channel=ChannelKind.SMS)


@pytest.fixture
def by_email(email_inbox: Inbox) -> Conversation:
    return receive(email_inbox, "<colis-1@example.fr>", "Mon colis 4417 n'est pas arrivé.",
                   phone="+33612345678", thread=ThreadHints(subject="Colis 4417"))


@pytest.fixture
def by_chat(by_email: Conversation) -> Conversation:
    chat = Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)
    return receive(chat, "chat-1", "Je vous ai écrit par mail pour le colis.")


def page(user: User, conversation: Conversation) -> str:
    return client_for(user).get(conversation_url(conversation)).content.decode()


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "web:conversation_export"), ("post", "web:conversation_merge"),
     ("post", "web:conversation_transfer")],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(
    by_email: Conversation, method: str, name: str
) -> None:
    response = getattr(Client(), method)(reverse(name, args=[by_email.pk]), {"format": "json"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AuditLogEntry.objects.exists()


# Export


def test_the_json_export_downloads_with_a_dated_filename_and_is_audited(
    agent: User, by_email: Conversation
) -> None:
    response = client_for(agent).get(conversation_url(by_email, "export"), {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="conversation-{by_email.pk}-')
    assert disposition.endswith('.json"')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["messages"][0]["text"] == "Mon colis 4417 n'est pas arrivé."
    entry = AuditLogEntry.objects.get(action="conversation.exported")
    assert (entry.actor, entry.target_id) == (agent, str(by_email.pk))


def test_the_html_export_includes_notes_only_when_ticked(
    agent: User, by_email: Conversation
) -> None:
    actions.add_note(agent, by_email.pk, "Colis déclaré perdu")
    client = client_for(agent)

    plain = client.get(conversation_url(by_email, "export"), {"format": "html"})
    with_notes = client.get(conversation_url(by_email, "export"),
                            {"format": "html", "notes": "1"})

    assert plain["Content-Disposition"].endswith('.html"')
    assert "Colis déclaré perdu" not in plain.content.decode()
    assert "Colis déclaré perdu" in with_notes.content.decode()


def test_an_unknown_export_format_is_refused_with_a_message(
    agent: User, by_email: Conversation
) -> None:
    response = client_for(agent).get(conversation_url(by_email, "export"), {"format": "pdf"},
                                     follow=True)

    assert "HTML" in response.content.decode()
    assert not AuditLogEntry.objects.exists()


def test_exporting_an_unknown_conversation_is_a_404(agent: User) -> None:
    response = client_for(agent).get(reverse("web:conversation_export", args=[999]),
                                     {"format": "json"})

    assert response.status_code == 404


# Merge


def test_the_merge_form_offers_the_contacts_other_conversations(
    agent: User, by_email: Conversation, by_chat: Conversation
) -> None:
    html = page(agent, by_chat)

    assert 'id="merge-form"' in html
    assert f'<option value="{by_email.pk}">#{by_email.pk}' in html


def test_merging_lands_on_the_target_with_the_moved_messages(
    agent: User, by_email: Conversation, by_chat: Conversation
) -> None:
    response = client_for(agent).post(conversation_url(by_chat, "merge"),
                                      {"target": by_email.pk}, follow=True)

    assert response.redirect_chain[-1][0] == conversation_url(by_email)
    html = response.content.decode()
    assert "Je vous ai écrit par mail pour le colis." in html
    assert f'href="{conversation_url(by_chat)}"' in html
    by_chat.refresh_from_db()
    assert by_chat.merged_into == by_email


def test_merging_conversations_of_two_contacts_says_why_it_is_refused(
    english_agent: User, by_email: Conversation, api_inbox: Inbox
) -> None:
    stranger = receive(api_inbox, "m-9", email="paul@example.fr", name="Paul Durand")

    response = client_for(english_agent).post(conversation_url(stranger, "merge"),
                                              {"target": by_email.pk}, follow=True)

    assert "Only conversations of the same contact can be merged" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.merged_into is None


def test_merging_without_a_target_is_refused(
    english_agent: User, by_chat: Conversation
) -> None:
    response = client_for(english_agent).post(conversation_url(by_chat, "merge"), {},
                                              follow=True)

    assert "Choose a conversation to merge into." in response.content.decode()


def test_merge_is_post_only(agent: User, by_email: Conversation, by_chat: Conversation) -> None:
    response = client_for(agent).get(conversation_url(by_chat, "merge"),
                                     {"target": by_email.pk})

    assert response.status_code == 405


# Split


def test_each_customer_message_of_the_conversation_has_a_split_button(
    agent: User, api_inbox: Inbox
) -> None:
    conversation = receive(api_inbox, "m-1", "Commande 4417")
    receive(api_inbox, "m-2", "Autre sujet : ma facture")

    html = page(agent, conversation)

    for message in conversation.messages.all():
        split_url = reverse("web:message_split", args=[conversation.pk, message.pk])
        assert f'action="{split_url}"' in html


def test_a_lone_message_has_no_split_button(agent: User, by_email: Conversation) -> None:
    assert "message-split" not in page(agent, by_email)


def test_splitting_moves_the_message_and_links_the_new_conversation(
    agent: User, api_inbox: Inbox
) -> None:
    conversation = receive(api_inbox, "m-1", "Commande 4417")
    receive(api_inbox, "m-2", "Autre sujet : ma facture")
    message = conversation.messages.get(external_id="m-2")

    response = client_for(agent).post(
        reverse("web:message_split", args=[conversation.pk, message.pk]), follow=True
    )

    new = Conversation.objects.exclude(pk=conversation.pk).get()
    assert response.redirect_chain[-1][0] == conversation_url(conversation)
    assert f'href="{conversation_url(new)}"' in response.content.decode()
    message.refresh_from_db()
    assert message.conversation == new


def test_a_message_of_another_conversation_cannot_be_split_from_this_one(
    agent: User, api_inbox: Inbox, by_email: Conversation
) -> None:
    conversation = receive(api_inbox, "m-1", "Commande 4417", email="paul@example.fr")
    foreign = by_email.messages.get()

    response = client_for(agent).post(
        reverse("web:message_split", args=[conversation.pk, foreign.pk])
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.conversation == by_email


def test_splitting_the_only_message_is_refused_visibly(
    english_agent: User, by_email: Conversation
) -> None:
    message = by_email.messages.get()

    response = client_for(english_agent).post(
        reverse("web:message_split", args=[by_email.pk, message.pk]), follow=True
    )

    assert "nothing to split it from" in response.content.decode()
    assert Conversation.objects.count() == 1


# Transfer


@pytest.fixture
def billing(db: Any, other_agent: User) -> Team:
    team = Team.objects.create(name="Facturation")
    team.members.add(other_agent)
    return team


def test_transferring_sets_the_team_and_shows_the_note(
    agent: User, billing: Team, by_email: Conversation
) -> None:
    response = client_for(agent).post(
        conversation_url(by_email, "transfer"),
        {"team": billing.pk, "note": "Remboursement à valider"}, **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Remboursement à valider" in html
    assert "Facturation" in html
    by_email.refresh_from_db()
    assert by_email.team == billing


def test_transferring_without_a_note_changes_nothing(
    english_agent: User, billing: Team, by_email: Conversation
) -> None:
    response = client_for(english_agent).post(
        conversation_url(by_email, "transfer"), {"team": billing.pk, "note": ""}, **HTMX
    )

    assert response.status_code == 422
    assert "The message is empty." in response.content.decode()
    by_email.refresh_from_db()
    assert by_email.team is None


def test_an_agent_cannot_transfer_a_colleagues_conversation_from_the_page(
    agent: User, other_agent: User, billing: Team, by_email: Conversation
) -> None:
    actions.assign(other_agent, by_email.pk, assignee_id=other_agent.pk)

    response = client_for(agent).post(
        conversation_url(by_email, "transfer"), {"team": billing.pk, "note": "Pour vous"},
        **HTMX,
    )

    assert response.status_code == 403
    by_email.refresh_from_db()
    assert by_email.team is None


# Reply through another channel


def test_the_composer_offers_the_contacts_phone_through_the_sms_inbox(
    agent: User, sms_inbox: Inbox, by_email: Conversation
) -> None:
    phone = Identity.objects.get(kind="phone")

    html = page(agent, by_email)

    assert 'id="reply-via"' in html
    assert f'value="{sms_inbox.pk}:{phone.pk}"' in html
    assert "+33612345678" in html


def test_no_channel_choice_when_no_other_inbox_reaches_the_contact(
    agent: User, by_email: Conversation
) -> None:
    assert 'id="reply-via"' not in page(agent, by_email)


def test_a_closed_whatsapp_window_disables_that_choice(
    agent: User, by_email: Conversation
) -> None:
    whatsapp = Inbox.objects.create(name="WhatsApp boutique", channel=ChannelKind.WHATSAPP)
    phone = Identity.objects.get(kind="phone")

    html = page(agent, by_email)

    assert f'<option value="{whatsapp.pk}:{phone.pk}" disabled' in html


def test_replying_via_sms_keeps_the_reply_in_this_conversation_and_shows_the_channel(
    agent: User, sms_inbox: Inbox, by_email: Conversation
) -> None:
    phone = Identity.objects.get(kind="phone")

    response = client_for(agent).post(
        conversation_url(by_email, "reply"),
        {"text": "Je vous rappelle à 14 h.", "via": f"{sms_inbox.pk}:{phone.pk}"}, **HTMX,
    )

    assert response.status_code == 200
    message = Message.objects.get(direction=Direction.OUTGOING)
    assert (message.conversation, message.inbox) == (by_email, sms_inbox)
    html = response.content.decode()
    assert "Je vous rappelle à 14 h." in html
    assert "tag-via" in html and "+33612345678" in html


def test_a_closed_whatsapp_window_refuses_the_reply_before_it_is_written(
    english_agent: User, by_email: Conversation
) -> None:
    whatsapp = Inbox.objects.create(name="WhatsApp boutique", channel=ChannelKind.WHATSAPP)
    phone = Identity.objects.get(kind="phone")

    # The customer never wrote on WhatsApp: only a template could be sent there.
    response = client_for(english_agent).post(
        conversation_url(by_email, "reply"),
        {"text": "Bonjour", "via": f"{whatsapp.pk}:{phone.pk}"}, **HTMX,
    )

    assert response.status_code == 422
    assert "24 hours" in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUTGOING).exists()


def test_a_forged_channel_choice_is_refused(
    english_agent: User, by_email: Conversation
) -> None:
    response = client_for(english_agent).post(
        conversation_url(by_email, "reply"), {"text": "Bonjour", "via": "abc:1"}, **HTMX
    )

    assert response.status_code == 422
    assert "This channel cannot reach the contact." in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUTGOING).exists()


def test_a_resolved_conversation_keeps_its_tools(
    agent: User, by_email: Conversation
) -> None:
    actions.set_status(agent, by_email.pk, Status.RESOLVED)

    assert 'id="export-form"' in page(agent, by_email)
