"""Which agents a note names: full names, first names, addresses, accents, ambiguity."""

from __future__ import annotations

import pytest

from omnicanal.accounts.mentions import mentioned_agent_ids, parse_mentions
from omnicanal.accounts.models import User


def agent(pk: int, name: str, email: str) -> User:
    # Unsaved: parsing reads names only, and needs no database.
    return User(pk=pk, name=name, email=email)


MARIE_DUPONT = agent(1, "Marie Dupont", "mdupont@example.fr")
MARIE_CURIE = agent(2, "Marie Curie", "mcurie@example.fr")
HELENE = agent(3, "Hélène Lefèvre", "helene@example.fr")
BOB = agent(4, "", "bob@example.fr")
MARIE = agent(5, "Marie", "marie@example.fr")


def ids(text: str, *agents: User) -> list[int]:
    return [span.agent_id for span in parse_mentions(text, agents)]


def test_a_full_name_names_its_agent_and_the_span_covers_it() -> None:
    text = "Vu avec @Marie Dupont, on rembourse."
    [span] = parse_mentions(text, [MARIE_DUPONT, MARIE_CURIE])

    assert span.agent_id == MARIE_DUPONT.pk
    assert text[span.start:span.end] == "@Marie Dupont"


def test_the_longest_name_wins_over_a_colleague_called_by_the_first_name_alone() -> None:
    assert ids("@Marie Dupont peux-tu voir ?", MARIE, MARIE_DUPONT) == [MARIE_DUPONT.pk]


def test_a_first_name_names_the_only_agent_who_has_it() -> None:
    assert ids("@marie tu regardes ?", MARIE_DUPONT, HELENE) == [MARIE_DUPONT.pk]


def test_a_first_name_two_agents_share_names_nobody() -> None:
    # Telling both would be a guess; the suggestions insert full names anyway.
    assert ids("@marie tu regardes ?", MARIE_DUPONT, MARIE_CURIE) == []


@pytest.mark.parametrize("written", ["@Hélène", "@helene", "@HELENE", "@Helene Lefevre"])
def test_accents_and_case_do_not_matter(written: str) -> None:
    assert ids(f"{written}, un avis ?", HELENE) == [HELENE.pk]


def test_an_agent_without_a_name_is_named_by_their_address() -> None:
    assert ids("Merci @bob", BOB) == [BOB.pk]


def test_unknown_names_and_e_mail_addresses_name_nobody() -> None:
    text = "@Zoé n'existe pas; écrire à marie@example.fr ou @mariette"
    assert ids(text, MARIE_DUPONT, HELENE) == []


def test_a_name_must_end_where_a_word_ends() -> None:
    # "@Mariel" is not Marie followed by an "l".
    assert ids("@Mariel", MARIE) == []


def test_several_mentions_in_one_note_keep_their_order() -> None:
    assert ids("@Hélène et @Marie Curie", HELENE, MARIE_CURIE) == [HELENE.pk, MARIE_CURIE.pk]


def test_stored_mentions_name_each_agent_once_and_ignore_garbage() -> None:
    metadata = {"mentions": [{"agent_id": 3}, {"agent_id": 3}, {"agent_id": "x"}, "y",
                             {"agent_id": 1}]}
    assert mentioned_agent_ids(metadata) == [3, 1]
    assert mentioned_agent_ids(None) == []
    assert mentioned_agent_ids({"mentions": "nope"}) == []
