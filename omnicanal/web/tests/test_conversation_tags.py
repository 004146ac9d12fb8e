"""The conversation pane's template helpers: the panel's identities."""

from __future__ import annotations

from omnicanal.contacts.models import Identity
from omnicanal.web.templatetags.conversation_tools import unique_identities


def test_the_panel_shows_an_address_once_verified_if_either_copy_is() -> None:
    unverified = Identity(pk=1, kind="email", value="Jeanne@Example.fr", is_verified=False)
    verified = Identity(pk=2, kind="email", value="jeanne@example.fr", is_verified=True)
    phone = Identity(pk=3, kind="phone", value="+33612345678", is_verified=False)

    shown = unique_identities([unverified, verified, phone])

    assert [(i.kind, i.is_verified) for i in shown] == [("email", True), ("phone", False)]
