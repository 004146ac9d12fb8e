"""search(): accent-insensitive, highlighted, filtered, permission-bound; runs on whichever
engine DATABASE_URL names (SQLite FTS5 by default, PostgreSQL full text in production)."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import Contact
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Message, Status
from omnicanal.conversations.search import SearchFilters, highlight, search


def receive(inbox: Inbox, external_id: str, text: str, **sender: Any) -> int:
    return ingest(inbox, inbound(external_id, text, **sender)).conversation_id


@pytest.fixture
def messages(api_inbox: Inbox, email_inbox: Inbox) -> dict[str, int]:
    return {
        "recu": receive(api_inbox, "m-1", "Je n'ai toujours pas reçu ma commande."),
        "eleve": receive(email_inbox, "<m-2@x>", "Le montant est très élevé pour un colis.",
                         email="paul@example.fr", name="Paul Durand"),
        "other": receive(api_inbox, "m-3", "Merci pour votre aide.",
                         email="lea@example.fr", name="Léa Lefèvre"),
    }


@pytest.mark.parametrize("query", ["reçu", "recu", "RECU"])
def test_a_french_word_is_found_with_or_without_its_accents(
    agent: User, messages: dict[str, int], query: str
) -> None:
    results = search(agent, query)

    assert [hit.message.conversation_id for hit in results.messages] == [messages["recu"]]
    assert "<mark>reçu</mark>" in results.messages[0].snippet_html


@pytest.mark.parametrize("query", ["élevé", "eleve"])
def test_an_accented_adjective_is_found_either_way(
    agent: User, messages: dict[str, int], query: str
) -> None:
    results = search(agent, query)

    assert [hit.message.conversation_id for hit in results.messages] == [messages["eleve"]]


def test_every_word_must_match(agent: User, messages: dict[str, int]) -> None:
    assert search(agent, "montant colis").messages
    assert not search(agent, "montant commande").messages


def test_customer_text_is_escaped_in_the_snippet(agent: User, api_inbox: Inbox) -> None:
    receive(api_inbox, "m-x", "<script>alert(1)</script> remboursement svp")

    snippet = search(agent, "remboursement").messages[0].snippet_html

    # SQLite's snippet keeps the tag as text (escaped); PostgreSQL's headline drops tags.
    assert "<script>" not in snippet
    assert "<mark>remboursement</mark>" in snippet


def test_query_syntax_is_not_interpreted(agent: User, messages: dict[str, int]) -> None:
    # Quotes, operators and parentheses are only punctuation to the search.
    results = search(agent, 'reçu" OR NOT (commande* NEAR')

    assert isinstance(results.messages, list)


def test_activity_lines_are_not_found(agent: User, messages: dict[str, int]) -> None:
    actions.set_status(agent, messages["other"], Status.RESOLVED)

    assert not search(agent, "resolved").messages


def test_notes_and_replies_are_found(agent: User, messages: dict[str, int]) -> None:
    actions.add_note(agent, messages["other"], "Client fidèle, geste commercial accordé.")

    hits = search(agent, "fidele").messages

    assert [hit.message.direction for hit in hits] == ["note"]


def test_a_filter_narrows_the_messages(
    agent: User, messages: dict[str, int], email_inbox: Inbox
) -> None:
    assert search(agent, "colis", SearchFilters(channel="api")).messages == []
    assert search(agent, "colis", SearchFilters(inbox=email_inbox.pk)).messages


def test_a_contact_is_found_by_name_without_accents_or_by_address(
    agent: User, messages: dict[str, int]
) -> None:
    by_name = search(agent, "lefevre").contacts
    by_address = search(agent, "paul@exa").contacts

    assert [hit.contact.name for hit in by_name] == ["Léa Lefèvre"]
    assert "<mark>Lefèvre</mark>" in by_name[0].name_html
    assert [hit.contact.name for hit in by_address] == ["Paul Durand"]
    assert by_address[0].latest_conversation_id == messages["eleve"]


def test_a_renamed_contact_is_found_by_the_new_name(agent: User, messages: dict[str, int]) -> None:
    Contact.objects.filter(name="Paul Durand").update(name="Paul Bénard")

    assert [hit.contact.name for hit in search(agent, "benard").contacts] == ["Paul Bénard"]
    assert search(agent, "durand").contacts == []


def test_a_deleted_message_is_no_longer_found(agent: User, messages: dict[str, int]) -> None:
    Message.objects.filter(text__contains="reçu").delete()

    assert search(agent, "recu").messages == []


def test_a_deactivated_agent_finds_nothing(agent: User, messages: dict[str, int]) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)
    agent.refresh_from_db()

    assert search(agent, "recu").is_empty


def test_an_empty_query_finds_nothing(agent: User, messages: dict[str, int]) -> None:
    assert search(agent, "  ' ").is_empty


def test_highlight_marks_word_starts_whatever_the_accents() -> None:
    assert highlight("Hélène <b>", ["helen"]) == "<mark>Hélèn</mark>e &lt;b&gt;"


def test_older_matches_are_found_when_the_newest_are_filtered_out(
    agent: User, api_inbox: Inbox, email_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Matches are checked from the newest in rounds (SQLite): tiny rounds make the filter
    # reject the whole first round, as a common word with a narrow filter would.
    monkeypatch.setattr("omnicanal.conversations.search.FIRST_CANDIDATES", 2)
    old = receive(email_inbox, "<old@x>", "Facture reçue", email="a@example.fr")
    for index in range(4):
        receive(api_inbox, f"new-{index}", f"Facture {index}", email=f"n{index}@example.fr")

    hits = search(agent, "facture", SearchFilters(channel="email")).messages

    assert [hit.message.conversation_id for hit in hits] == [old]
    assert len(search(agent, "facture").messages) == 5
