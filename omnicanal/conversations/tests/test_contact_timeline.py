"""contact_timeline: the current conversation's messages, and each other conversation of the
contact as one block of its own, whatever the order its messages came in."""

from __future__ import annotations

import datetime as dt

import pytest

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Message
from omnicanal.conversations.queries import contact_timeline

pytestmark = pytest.mark.django_db


def _receive(inbox: Inbox, external_id: str, text: str, email: str = "jeanne.martin@example.fr") -> int:
    return ingest(inbox, inbound(external_id, text, email=email)).conversation_id


def _at(message_text: str, moment: dt.datetime) -> None:
    Message.objects.filter(text=message_text).update(created_at=moment)


def test_two_conversations_running_side_by_side_come_as_two_blocks(api_inbox: Inbox) -> None:
    app = Inbox.objects.create(name="Application", channel=ChannelKind.API)
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    # Turn by turn on two channels at once: message by message they would interleave.
    for turn in range(3):
        _receive(api_inbox, f"s-{turn}", f"Site {turn}")
        _receive(app, f"a-{turn}", f"Appli {turn}")
        _at(f"Site {turn}", start + dt.timedelta(minutes=2 * turn))
        _at(f"Appli {turn}", start + dt.timedelta(minutes=2 * turn + 1))
    current = Conversation.objects.get(pk=_receive(shop, "b-1", "Boutique"))

    history = contact_timeline(current)

    assert [m.text for m in history.messages] == ["Boutique"]
    assert [block.conversation.inbox for block in history.others] == [api_inbox, app]
    assert [[m.text for m in block.messages] for block in history.others] == [
        ["Site 0", "Site 1", "Site 2"], ["Appli 0", "Appli 1", "Appli 2"],
    ]
    site = history.others[0]
    assert (site.message_count, site.first_message_at, site.last_message_at) == (
        3, start, start + dt.timedelta(minutes=4),
    )
    assert not site.is_truncated


def test_a_block_counts_every_message_but_keeps_only_the_latest(
    api_inbox: Inbox, email_inbox: Inbox, agent: User
) -> None:
    older = _receive(api_inbox, "s-0", "Premier")
    for index in range(4):
        actions.reply(agent, older, f"Réponse {index}")
    # An activity line is in the block but not in its count.
    actions.set_priority(agent, older, 1)
    current = Conversation.objects.get(pk=_receive(email_inbox, "<e@x>", "Par e-mail"))

    history = contact_timeline(current, block_limit=3)

    (block,) = history.others
    assert block.message_count == 5
    assert [m.direction for m in block.messages][-1] == "activity"
    assert [m.text for m in block.messages if m.direction != "activity"] == [
        "Réponse 2", "Réponse 3",
    ]
    assert block.is_truncated


def test_the_current_conversation_is_cut_to_its_latest_messages(api_inbox: Inbox, agent: User) -> None:
    conversation_id = _receive(api_inbox, "s-0", "Premier")
    for index in range(4):
        actions.add_note(agent, conversation_id, f"Note {index}")

    history = contact_timeline(Conversation.objects.get(pk=conversation_id), limit=3)

    assert [m.text for m in history.messages] == ["Note 1", "Note 2", "Note 3"]
    assert history.is_truncated
    assert history.others == []


def test_another_contacts_conversations_are_not_in_the_history(api_inbox: Inbox, email_inbox: Inbox) -> None:
    _receive(api_inbox, "s-0", "D'un autre client", email="autre@example.fr")
    current = Conversation.objects.get(pk=_receive(email_inbox, "<e@x>", "Par e-mail"))

    assert contact_timeline(current).others == []
