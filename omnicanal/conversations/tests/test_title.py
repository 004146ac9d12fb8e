"""A conversation's title: its subject on one line, cut at a word."""

from __future__ import annotations

from typing import Any

from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, summarize


def test_a_short_subject_is_the_title_as_is() -> None:
    assert Conversation(subject="Colis non reçu").title == "Colis non reçu"


def test_a_long_first_message_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = ("Bonjour, ma commande 4417 passée la semaine dernière n'est toujours pas "
            "arrivée et le suivi ne bouge plus")
    title = Conversation(subject=text).title
    assert title == "Bonjour, ma commande 4417 passée la semaine dernière n'est…"
    assert len(title) <= 60
    assert text.startswith(title[:-1])


def test_the_title_is_one_line() -> None:
    assert Conversation(subject="Bonjour\nj'ai un souci\t avec   ma facture").title == (
        "Bonjour j'ai un souci avec ma facture"
    )


def test_a_word_longer_than_the_limit_is_cut_where_it_must_be() -> None:
    assert summarize("x" * 100) == "x" * 59 + "…"


def test_no_subject_says_so() -> None:
    assert Conversation(subject="").title == "(no subject)"


def test_a_chat_conversation_is_titled_by_its_first_message(api_inbox: Inbox, db: Any) -> None:
    result = ingest(api_inbox, inbound("m-1", "Où en est ma commande 4417 ? Merci d'avance "
                                       "pour votre réponse rapide, je pars en vacances demain"))
    conversation = Conversation.objects.get(pk=result.conversation_id)
    assert conversation.title == "Où en est ma commande 4417 ? Merci d'avance pour votre…"
