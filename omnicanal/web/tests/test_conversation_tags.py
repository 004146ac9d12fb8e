"""The conversation pane's template helpers: avatars and the panel's identities."""

from __future__ import annotations

from omnicanal.contacts.models import Identity
from omnicanal.web.templatetags.conversation_tools import (
    avatar_colour,
    conversation_avatar,
    initials,
    unique_identities,
)


def test_initials_are_the_first_and_last_names_or_an_addresses_first_letter_or_a_sign() -> None:
    assert initials("Jeanne Marie Martin") == "JM"
    assert initials("léa") == "L"
    assert initials("jeanne.martin@example.fr") == "J"
    assert initials("+33 6 12 34 56 78") == "#"
    assert initials("") == "?"


def test_a_name_keeps_its_colour_and_the_avatar_hides_from_screen_readers() -> None:
    # The name is written beside every avatar: read twice, it would be noise.
    html = conversation_avatar("Jeanne Martin")
    assert 'aria-hidden="true"' in html and ">JM<" in html
    assert avatar_colour("Jeanne Martin") == avatar_colour("Jeanne Martin")
    assert len({avatar_colour(f"Client {index}") for index in range(20)}) > 4


def test_the_panel_shows_an_address_once_verified_if_either_copy_is() -> None:
    unverified = Identity(pk=1, kind="email", value="Jeanne@Example.fr", is_verified=False)
    verified = Identity(pk=2, kind="email", value="jeanne@example.fr", is_verified=True)
    phone = Identity(pk=3, kind="phone", value="+33612345678", is_verified=False)

    shown = unique_identities([unverified, verified, phone])

    assert [(i.kind, i.is_verified) for i in shown] == [("email", True), ("phone", False)]
