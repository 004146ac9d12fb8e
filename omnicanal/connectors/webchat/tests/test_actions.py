"""Visitors, identities and messages of the web chat, at the actions."""

from __future__ import annotations

import datetime as dt

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.webchat import actions
from omnicanal.connectors.webchat.config import BusinessHours, WebchatSettings
from omnicanal.connectors.webchat.tests.conftest import SITE, TOKEN, VISITOR
from omnicanal.contacts.models import Identity, MergeSuggestion
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Message
from omnicanal.core.exceptions import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_the_site_token_finds_the_inbox_and_an_unknown_one_is_refused(chat_inbox: Inbox) -> None:
    assert actions.find_inbox(TOKEN) == chat_inbox
    with pytest.raises(NotFound):
        actions.find_inbox("nope")


def test_only_the_listed_origins_may_use_the_chat(chat_inbox: Inbox) -> None:
    actions.check_origin(chat_inbox, SITE + "/")
    with pytest.raises(actions.OriginRefused):
        actions.check_origin(chat_inbox, "https://evil.example")
    with pytest.raises(actions.OriginRefused):
        actions.check_origin(chat_inbox, None)


def test_an_anonymous_visitor_becomes_a_verified_webchat_identity(chat_inbox: Inbox) -> None:
    visitor = actions.identify(chat_inbox, VISITOR)

    result = actions.post_message(visitor, "client-0001", "Bonjour !")

    identity = Identity.objects.get(contact_id=result.contact_id)
    assert (identity.kind, identity.value, identity.is_verified) == (
        "webchat", f"{chat_inbox.pk}:{VISITOR}", True
    )


def test_a_message_sent_twice_with_its_client_id_is_stored_once(chat_inbox: Inbox) -> None:
    visitor = actions.identify(chat_inbox, VISITOR)

    first = actions.post_message(visitor, "client-0001", "Bonjour !")
    again = actions.post_message(visitor, "client-0001", "Bonjour !")

    assert again.is_duplicate and again.message_id == first.message_id
    assert Message.objects.filter(inbox=chat_inbox).count() == 1


def test_a_signed_user_joins_the_customers_email_history(chat_inbox: Inbox) -> None:
    # The same customer wrote by e-mail before: a verified address.
    mail = ingest(Inbox.objects.get(channel="email"), inbound("<m1@example.fr>"))
    identity = {"user_id": "42", "email": "Jeanne.Martin@example.fr", "name": "Jeanne",
                "user_hash": actions.user_hash(chat_inbox.secret, "42")}
    visitor = actions.identify(chat_inbox, VISITOR, identity)

    result = actions.post_message(visitor, "client-0001", "Et ma commande ?")

    assert result.contact_id == mail.contact_id
    assert Identity.objects.filter(
        contact_id=mail.contact_id, kind="external", value=f"{chat_inbox.pk}:42", is_verified=True
    ).exists()


def test_a_forged_user_hash_is_refused(chat_inbox: Inbox) -> None:
    identity = {"user_id": "42", "email": "jeanne.martin@example.fr", "user_hash": "0" * 64}

    with pytest.raises(actions.IdentityRefused, match="user_hash"):
        actions.identify(chat_inbox, VISITOR, identity)


def test_a_typed_email_is_unverified_and_only_suggests_a_merge(chat_inbox: Inbox) -> None:
    mail = ingest(Inbox.objects.get(channel="email"), inbound("<m1@example.fr>"))
    visitor = actions.identify(chat_inbox, VISITOR)

    result = actions.post_message(visitor, "client-0001", "Rappelez-moi",
                                  email="jeanne.martin@example.fr")

    assert result.contact_id != mail.contact_id
    typed = Identity.objects.get(contact_id=result.contact_id, kind="email")
    assert typed.is_verified is False
    assert MergeSuggestion.objects.filter(
        contact_id__in=[mail.contact_id, result.contact_id],
        candidate_id__in=[mail.contact_id, result.contact_id],
    ).exists()


def test_a_bad_visitor_id_or_empty_text_is_refused(chat_inbox: Inbox) -> None:
    with pytest.raises(InvalidInput):
        actions.identify(chat_inbox, "short")
    visitor = actions.identify(chat_inbox, VISITOR)
    with pytest.raises(InvalidInput):
        actions.post_message(visitor, "client-0001", "   ")
    with pytest.raises(InvalidInput):
        actions.post_message(visitor, "x", "Bonjour")


def test_messages_since_shows_the_visitors_conversation_without_notes(
    chat_inbox: Inbox, agent: User
) -> None:
    from omnicanal.conversations.actions import add_note

    visitor = actions.identify(chat_inbox, VISITOR)
    first = actions.post_message(visitor, "client-0001", "Bonjour")
    add_note(agent, first.conversation_id, "note interne")
    answer = reply(agent, first.conversation_id, "Bonjour, je regarde.")

    rows = actions.messages_since(visitor, 0)

    assert [(m["from"], m["text"]) for m in rows] == [
        ("visitor", "Bonjour"), ("agent", "Bonjour, je regarde.")
    ]
    assert rows[0]["client_id"] == "client-0001"
    assert rows[1]["author"] == agent.display_name
    assert actions.messages_since(visitor, answer.pk) == []
    # Another visitor sees nothing of it.
    assert actions.messages_since(actions.identify(chat_inbox, "w" * 20), 0) == []


def test_the_widgets_acknowledgement_marks_replies_read(chat_inbox: Inbox, agent: User) -> None:
    visitor = actions.identify(chat_inbox, VISITOR)
    first = actions.post_message(visitor, "client-0001", "Bonjour")
    answer = reply(agent, first.conversation_id, "Bonjour !")
    send_message.call(answer.pk)

    moved = actions.acknowledge(visitor, answer.pk, is_read=True)

    answer.refresh_from_db()
    assert moved == [answer.pk]
    assert answer.delivery_status == "read"


def test_business_hours_say_when_the_team_is_back() -> None:
    hours = BusinessHours.parse(
        {"timezone": "Europe/Paris", "days": {"mon": [["09:00", "18:00"]]}}
    )
    monday_noon = dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC)  # 12:00 in Paris
    sunday = dt.datetime(2026, 11, 22, 11, 0, tzinfo=dt.UTC)

    assert hours.is_open(monday_noon)
    assert not hours.is_open(sunday)
    back = hours.next_opening(sunday)
    assert back is not None and back.isoformat() == "2026-11-23T09:00:00+01:00"
    assert WebchatSettings.parse({}).business_hours.is_open(sunday)
