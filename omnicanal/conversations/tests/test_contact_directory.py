"""The contacts list's query: open conversations counted, most recent contact first, never-
contacted last, merged contacts left out, pages."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.contacts.actions import merge_contacts
from omnicanal.contacts.models import Contact
from omnicanal.conversations import actions, contact_directory
from omnicanal.conversations.contact_directory import DirectoryFilters
from omnicanal.conversations.contact_directory import contact_directory as page_of
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Status

pytestmark = pytest.mark.django_db


def test_rows_count_open_conversations_and_put_the_latest_contact_first(
    agent: User, api_inbox: Inbox
) -> None:
    never = Contact.objects.create(name="Nobody Yet")
    first = ingest(api_inbox, inbound("m-1", "Bonjour", email="a@example.fr", name="Ana"))
    second = ingest(api_inbox, inbound("m-2", "Bonjour", email="b@example.fr", name="Bea"))
    ingest(api_inbox, inbound("m-3", "Encore", email="b@example.fr", name="Bea"))
    actions.set_status(agent, first.conversation_id, Status.RESOLVED)

    rows = page_of(agent, DirectoryFilters()).contacts

    assert [(c.name, c.open_count) for c in rows] == [("Bea", 1), ("Ana", 0), ("Nobody Yet", 0)]
    assert rows[-1].pk == never.pk and rows[-1].last_contact_at is None
    assert rows[0].pk == second.contact_id


def test_merged_contacts_are_left_out_and_pages_hold_a_fixed_number(
    agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contact_directory, "PAGE_SIZE", 2)
    kept, gone, *_ = [Contact.objects.create(name=f"C{n}") for n in range(4)]
    merge_contacts(kept, gone, actor=agent)

    first = page_of(agent, DirectoryFilters(), 1)
    second = page_of(agent, DirectoryFilters(), 2)

    assert first.total == 3 and (first.has_next, second.has_previous) == (True, True)
    assert len(first.contacts) == 2 and len(second.contacts) == 1
    assert gone.pk not in {c.pk for c in [*first.contacts, *second.contacts]}
