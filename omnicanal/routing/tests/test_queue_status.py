"""`queue_status`: one conversation's place and wait, read without the whole queue, must say
what `queue_positions` says for it."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Contact, ValueTier
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing import actions
from omnicanal.routing.models import Presence
from omnicanal.routing.queries import queue_places, queue_positions, queue_status

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def build_random_queues(seed: int, inbox: Inbox) -> list[Conversation]:
    """Agents online, away and offline with random skills and teams; conversations with
    random priorities, tiers, teams, skills and arrival times (many ties), some of them
    assigned or resolved, and some handled ones for the average handle time."""
    rng = random.Random(seed)
    teams = [Team.objects.create(name=f"Team {seed}-{n}") for n in range(2)]
    for number in range(rng.randint(0, 6)):
        agent = User.objects.create_user(f"agent{seed}-{number}@example.com")
        actions.configure_agent(
            agent,
            capacity={"chat": rng.randint(0, 3), "email": rng.randint(0, 2)},
            skills={"german": rng.randint(1, 5)} if rng.random() < 0.5 else {},
            now=at(0), dispatch=False,
        )
        presence = rng.choice([Presence.ONLINE, Presence.ONLINE, Presence.AWAY, Presence.OFFLINE])
        actions.set_presence(agent, presence, now=at(0), dispatch=False)
        for team in teams:
            if rng.random() < 0.5:
                team.members.add(agent)
    agents = list(User.objects.filter(email__startswith=f"agent{seed}-"))
    contact = Contact.objects.create(name=f"Customer {seed}")
    conversations = []
    for _ in range(rng.randint(1, 30)):
        conversation = Conversation.objects.create(inbox=inbox, contact=contact,
                                                   last_activity_at=at(0))
        actions.enqueue_conversation(
            conversation,
            channel=rng.choice(["chat", "chat", "email"]),
            priority=rng.randint(1, 4),
            value_tier=rng.choice([ValueTier.GOLD, ValueTier.STANDARD]),
            team_id=rng.choice([None, teams[0].pk, teams[1].pk]),
            required_skills={"german": rng.randint(1, 5)} if rng.random() < 0.3 else {},
            # Few distinct arrival times: ties are decided by the conversation id.
            now=at(rng.randint(0, 5)), dispatch=False,
        )
        fate = rng.random()
        if fate < 0.15 and agents:
            actions.assign_manually(conversation.pk, rng.choice(agents), now=at(10),
                                    dispatch=False)
            if rng.random() < 0.5:
                # Handled: counts in the average handle time.
                actions.release(conversation.pk, now=at(10 + rng.randint(60, 900)),
                                dispatch=False)
        elif fate < 0.25:
            actions.release(conversation.pk, now=at(10), dispatch=False)
        conversations.append(conversation)
    return conversations


@pytest.mark.parametrize("seed", range(12))
def test_it_agrees_with_queue_positions_on_random_queues(seed: int, api_inbox: Inbox) -> None:
    conversations = build_random_queues(seed, api_inbox)
    expected = {p.conversation_id: p for p in queue_positions()}

    statuses = {c.pk: queue_status(c.pk) for c in conversations}

    # Waiting conversations get exactly their queue_positions entry; the others get None.
    assert {pk: s for pk, s in statuses.items() if s is not None} == expected


def test_it_is_none_for_an_assigned_a_resolved_or_an_unrouted_conversation(
    api_inbox: Inbox, agent: User, make_conversation: Any
) -> None:
    unrouted = make_conversation()
    assigned, resolved = make_conversation(), make_conversation()
    for conversation in (assigned, resolved):
        actions.enqueue_conversation(conversation, now=at(0), dispatch=False)
    actions.assign_manually(assigned.pk, agent, now=at(1), dispatch=False)
    actions.release(resolved.pk, now=at(1), dispatch=False)

    assert [queue_status(c.pk) for c in (unrouted, assigned, resolved)] == [None, None, None]


@pytest.fixture
def make_conversation(api_inbox: Inbox) -> Any:
    contact = Contact.objects.create(name="Jeanne Martin")

    def make() -> Conversation:
        return Conversation.objects.create(inbox=api_inbox, contact=contact,
                                           last_activity_at=at(0))

    return make


def test_it_counts_only_the_conversations_ahead_in_the_same_queue(
    api_inbox: Inbox, team: Team, make_conversation: Any
) -> None:
    first, urgent, other_team, mine = (make_conversation() for _ in range(4))
    actions.enqueue_conversation(first, channel="chat", now=at(0), dispatch=False)
    actions.enqueue_conversation(urgent, channel="chat", priority=1, now=at(5), dispatch=False)
    actions.enqueue_conversation(other_team, channel="chat", team_id=team.pk, now=at(0),
                                 dispatch=False)
    actions.enqueue_conversation(mine, channel="chat", now=at(3), dispatch=False)

    status = queue_status(mine.pk)

    # The urgent one came later but goes first; the team's conversation is another queue;
    # nobody is online, so there is no estimate.
    assert status is not None
    assert (status.position, status.estimated_wait_seconds) == (3, None)


@pytest.mark.parametrize("seed", range(6))
def test_the_places_of_a_list_page_agree_with_queue_positions(seed: int, api_inbox: Inbox) -> None:
    conversations = build_random_queues(seed, api_inbox)
    page = conversations[::2]
    expected = {p.conversation_id: p.position for p in queue_positions()}

    places = queue_places([c.pk for c in page])

    assert places == {c.pk: expected[c.pk] for c in page if c.pk in expected}
