from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent
from omnicanal.core.exceptions import InvalidInput
from omnicanal.routing import actions
from omnicanal.routing.models import AgentCapacity, ConversationRouting, Mode, Presence
from omnicanal.routing.queries import DEFAULT_HANDLE_SECONDS, queue_positions

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def make_agent(db: Any) -> Callable[..., User]:
    def make(
        name: str,
        capacity: dict[str, int] | None = None,
        skills: dict[str, float] | None = None,
        presence: str = Presence.ONLINE,
        online_at: float = 0,
    ) -> User:
        user = User.objects.create_user(f"{name}@example.com", name=name)
        actions.configure_agent(user, capacity=capacity or {"chat": 2}, skills=skills,
                                now=at(online_at), dispatch=False)
        actions.set_presence(user, presence, now=at(online_at), dispatch=False)
        return user

    return make


@pytest.fixture
def customer(db: Any) -> Contact:
    return Contact.objects.create(name="Jeanne Martin")


@pytest.fixture
def queue(api_inbox: Inbox, customer: Contact) -> Callable[..., Conversation]:
    """Create a conversation and queue it at `t` seconds."""

    def make(t: float = 0, **routing: Any) -> Conversation:
        conversation = Conversation.objects.create(
            inbox=api_inbox, contact=customer, last_activity_at=at(t)
        )
        routing.setdefault("channel", "chat")
        actions.enqueue_conversation(conversation, now=at(t), dispatch=False, **routing)
        return conversation

    return make


def assigned_to(conversation: Conversation) -> int | None:
    return ConversationRouting.objects.get(pk=conversation.pk).agent_id


def load(agent: User, channel: str = "chat") -> int:
    return AgentCapacity.objects.get(profile_id=agent.pk, channel=channel).load


class TestEnqueueConversation:
    def test_it_takes_channel_priority_value_and_team_from_the_conversation(
        self, email_inbox: Inbox, team: Team
    ) -> None:
        gold = Contact.objects.create(name="Or", value_tier="gold")
        conversation = Conversation.objects.create(
            inbox=email_inbox, contact=gold, priority=2, team=team, last_activity_at=T0
        )

        assert actions.enqueue_conversation(conversation, now=T0, dispatch=False)

        routing = ConversationRouting.objects.get(pk=conversation.pk)
        assert (routing.channel, routing.priority, routing.value_tier, routing.team_id) == (
            "email", 2, "gold", team.pk)
        assert (routing.value_rank, routing.queued_at, routing.agent_id) == (0, T0, None)

    def test_messaging_inboxes_count_as_chat(self, api_inbox: Inbox, customer: Contact) -> None:
        conversation = Conversation.objects.create(inbox=api_inbox, contact=customer,
                                                   last_activity_at=T0)

        actions.enqueue_conversation(conversation, now=T0, dispatch=False)

        assert ConversationRouting.objects.get(pk=conversation.pk).channel == "chat"

    def test_queueing_twice_keeps_the_place_in_the_queue(self, queue: Any) -> None:
        conversation = queue(t=0)

        assert not actions.enqueue_conversation(conversation, channel="chat", now=at(50),
                                                dispatch=False)

        assert ConversationRouting.objects.get(pk=conversation.pk).queued_at == at(0)

    def test_a_resolved_conversation_is_queued_again_at_the_back(self, queue: Any) -> None:
        conversation = queue(t=0)
        actions.release(conversation.pk, now=at(10), dispatch=False)

        assert actions.enqueue_conversation(conversation, channel="chat", now=at(99),
                                            dispatch=False)

        routing = ConversationRouting.objects.get(pk=conversation.pk)
        assert (routing.queued_at, routing.resolved_at) == (at(99), None)

    def test_a_priority_outside_1_to_4_is_refused(self, queue: Any) -> None:
        with pytest.raises(InvalidInput):
            queue(priority=5)
        assert not ConversationRouting.objects.exists()

    def test_the_dispatcher_runs_after_commit(
        self, make_agent: Any, api_inbox: Inbox, customer: Contact,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        bob = make_agent("bob")
        conversation = Conversation.objects.create(inbox=api_inbox, contact=customer,
                                                   last_activity_at=T0)

        with django_capture_on_commit_callbacks(execute=True):
            actions.enqueue_conversation(conversation)

        assert assigned_to(conversation) == bob.pk


class TestLongestIdle:
    def test_the_agent_idle_the_longest_gets_the_conversation(
        self, make_agent: Any, queue: Any
    ) -> None:
        make_agent("recent", online_at=30)
        early = make_agent("early", online_at=10)
        first = queue(t=40)

        actions.assign_waiting(now=at(40))

        assert assigned_to(first) == early.pk

    def test_an_assignment_makes_the_agent_the_most_recently_busy(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob, carol = make_agent("bob"), make_agent("carol")
        queue(t=5)
        actions.assign_waiting(now=at(5))
        second = queue(t=6)

        actions.assign_waiting(now=at(6))

        # Both came online at 0: bob won the tie by id, then became the most recently busy.
        assert assigned_to(second) == carol.pk
        assert (load(bob), load(carol)) == (1, 1)


class TestLeastBusy:
    def test_the_agent_with_the_lowest_share_of_capacity_in_use_gets_it(
        self, make_agent: Any, queue: Any
    ) -> None:
        actions.set_policy(mode=Mode.LEAST_BUSY)
        small = make_agent("small", capacity={"chat": 2})
        large = make_agent("large", capacity={"chat": 4}, online_at=1)
        # small holds 1 of 2, large 1 of 4; small has been idle longer.
        actions.assign_manually(queue(t=0).pk, small, now=at(0), dispatch=False)
        actions.assign_manually(queue(t=0).pk, large, now=at(0), dispatch=False)

        conversation = queue(t=10)
        actions.assign_waiting(now=at(10))

        assert assigned_to(conversation) == large.pk

    def test_equal_shares_go_to_the_longest_idle(self, make_agent: Any, queue: Any) -> None:
        actions.set_policy(mode=Mode.LEAST_BUSY)
        make_agent("later", capacity={"chat": 2}, online_at=20)
        sooner = make_agent("sooner", capacity={"chat": 4}, online_at=10)

        conversation = queue(t=30)
        actions.assign_waiting(now=at(30))

        assert assigned_to(conversation) == sooner.pk


class TestRoundRobin:
    def test_agents_take_turns_in_a_stable_order(self, make_agent: Any, queue: Any) -> None:
        actions.set_policy(mode=Mode.ROUND_ROBIN)
        agents = [make_agent(name, capacity={"chat": 5}) for name in ("ann", "ben", "cid")]

        served = []
        for t in range(5):
            conversation = queue(t=t)
            actions.assign_waiting(now=at(t))
            served.append(assigned_to(conversation))

        ids = [agent.pk for agent in agents]
        assert served == [ids[0], ids[1], ids[2], ids[0], ids[1]]

    def test_the_rotation_skips_agents_who_cannot_take_it(
        self, make_agent: Any, queue: Any
    ) -> None:
        actions.set_policy(mode=Mode.ROUND_ROBIN)
        ann = make_agent("ann", capacity={"chat": 5})
        make_agent("ben", capacity={"chat": 5}, presence=Presence.AWAY)
        cid = make_agent("cid", capacity={"chat": 5})

        served = []
        for t in range(3):
            conversation = queue(t=t)
            actions.assign_waiting(now=at(t))
            served.append(assigned_to(conversation))

        assert served == [ann.pk, cid.pk, ann.pk]


class TestQueueOrder:
    def test_the_most_urgent_goes_first_then_gold_then_first_come(
        self, make_agent: Any, queue: Any
    ) -> None:
        normal_early = queue(t=0, priority=3)
        gold_later = queue(t=5, priority=3, value_tier="gold")
        urgent_latest = queue(t=9, priority=1)
        bob = make_agent("bob", capacity={"chat": 1}, presence=Presence.OFFLINE)

        actions.set_presence(bob, Presence.ONLINE, now=at(10), dispatch=False)
        first = actions.assign_waiting(now=at(10))
        actions.release(urgent_latest.pk, now=at(20), dispatch=False)
        second = actions.assign_waiting(now=at(20))
        actions.release(gold_later.pk, now=at(30), dispatch=False)
        third = actions.assign_waiting(now=at(30))

        served = [assignment.conversation_id for assignment in first + second + third]
        assert served == [urgent_latest.pk, gold_later.pk, normal_early.pk]

    def test_without_value_priority_gold_waits_its_turn(
        self, make_agent: Any, queue: Any
    ) -> None:
        actions.set_policy(mode=Mode.LONGEST_IDLE, has_value_priority=False)
        standard = queue(t=0)
        gold = queue(t=1, value_tier="gold")
        bob = make_agent("bob", capacity={"chat": 1})

        actions.assign_waiting(now=at(2))

        assert (assigned_to(standard), assigned_to(gold)) == (bob.pk, None)

    def test_a_policy_change_reranks_waiting_conversations(self, queue: Any) -> None:
        gold = queue(t=1, value_tier="gold")

        actions.set_policy(mode=Mode.LONGEST_IDLE, has_value_priority=False)

        assert ConversationRouting.objects.get(pk=gold.pk).value_rank == 1


class TestEligibility:
    def test_a_team_conversation_goes_only_to_a_member(
        self, make_agent: Any, queue: Any, team: Team
    ) -> None:
        outsider = make_agent("outsider", online_at=0)
        member = make_agent("member", online_at=50)
        team.members.add(member)
        conversation = queue(t=60, team_id=team.pk)

        actions.assign_waiting(now=at(60))

        # The outsider has been idle longer, but is not in the team.
        assert assigned_to(conversation) == member.pk
        assert load(outsider) == 0

    def test_skills_must_reach_the_minimum_level(self, make_agent: Any, queue: Any) -> None:
        make_agent("novice", skills={"german": 2})
        make_agent("nobody")
        expert = make_agent("expert", skills={"german": 4, "billing": 1}, online_at=5)
        conversation = queue(t=10, required_skills={"german": 3})

        actions.assign_waiting(now=at(10))

        assert assigned_to(conversation) == expert.pk

    def test_a_channel_missing_from_capacity_means_none(
        self, make_agent: Any, queue: Any
    ) -> None:
        make_agent("chatter", capacity={"chat": 3})
        conversation = queue(t=0, channel="email")

        assert actions.assign_waiting(now=at(0)) == []
        assert assigned_to(conversation) is None

    def test_an_agent_away_keeps_their_conversations_and_gets_no_new_one(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 3})
        held = queue(t=0)
        actions.assign_waiting(now=at(0))

        actions.set_presence(bob, Presence.AWAY, now=at(5), dispatch=False)
        new = queue(t=6)
        actions.assign_waiting(now=at(6))

        assert (assigned_to(held), assigned_to(new)) == (bob.pk, None)
        assert load(bob) == 1

    def test_a_full_agent_gets_nothing_more(self, make_agent: Any, queue: Any) -> None:
        bob = make_agent("bob", capacity={"chat": 1})
        queue(t=0)
        second = queue(t=1)

        assignments = actions.assign_waiting(now=at(1))

        assert len(assignments) == 1
        assert assigned_to(second) is None
        assert load(bob) == 1


class TestRelease:
    def test_a_freed_slot_goes_to_the_best_waiting_conversation_for_that_agent(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 1}, skills={"german": 3})
        held = queue(t=0)
        actions.assign_waiting(now=at(0))
        queue(t=1, priority=1, required_skills={"spanish": 1})  # bob cannot take it
        low = queue(t=2, priority=4)
        high = queue(t=3, priority=2, required_skills={"german": 2})

        assert actions.release(held.pk, now=at(10), dispatch=False)
        actions.assign_waiting(now=at(10))

        assert (assigned_to(high), assigned_to(low)) == (bob.pk, None)

    def test_resolving_a_waiting_conversation_takes_it_out_of_the_queue(
        self, make_agent: Any, queue: Any
    ) -> None:
        conversation = queue(t=0)

        assert not actions.release(conversation.pk, now=at(5), dispatch=False)
        make_agent("bob")

        assert actions.assign_waiting(now=at(6)) == []

    def test_releasing_twice_frees_one_slot(self, make_agent: Any, queue: Any) -> None:
        bob = make_agent("bob", capacity={"chat": 2})
        first, second = queue(t=0), queue(t=0)
        actions.assign_waiting(now=at(0))

        actions.release(first.pk, now=at(5), dispatch=False)
        actions.release(first.pk, now=at(6), dispatch=False)

        assert assigned_to(second) == bob.pk
        assert load(bob) == 1


class TestTargetedSweeps:
    """After an event, the dispatcher looks only at what the event changed."""

    def test_a_sweep_for_one_agent_gives_them_the_best_conversation_they_fit(
        self, make_agent: Any, queue: Any, team: Team
    ) -> None:
        other_team = Team.objects.create(name="Ventes")
        bea = make_agent("bea", capacity={"chat": 1, "email": 1},
                         skills={"german": 2, "billing": 5}, presence=Presence.OFFLINE)
        team.members.add(bea)
        queue(t=0, priority=1, required_skills={"german": 3})  # below bea's level
        queue(t=1, priority=1, required_skills={"spanish": 1})  # skill missing
        queue(t=2, priority=1, team_id=other_team.pk)  # not bea's team
        queue(t=3, priority=1, channel="voice")  # no capacity for it
        fits_email = queue(t=4, priority=2, channel="email", team_id=team.pk,
                           required_skills={"german": 1, "billing": 5})
        fits_chat = queue(t=5, priority=3, required_skills={"german": 2})
        queue(t=6, priority=4)

        actions.set_presence(bea, Presence.ONLINE, now=at(10), dispatch=False)
        assignments = actions.assign_waiting(now=at(10), agent_ids=[bea.pk])

        assert [a.conversation_id for a in assignments] == [fits_email.pk, fits_chat.pk]

    def test_the_dispatch_after_an_arrival_gives_the_free_agent_the_head_of_the_queue(
        self, make_agent: Any, queue: Any
    ) -> None:
        older = queue(t=0)
        newer = queue(t=1)
        # A slot the arrival's dispatch sees free while older work waits for it: another
        # worker freed it and its own dispatch has not run yet.
        bob = make_agent("bob", capacity={"chat": 1})

        [assignment] = actions.assign_waiting(now=at(2), conversation_ids=[newer.pk])

        assert (assignment.conversation_id, assignment.agent_id) == (older.pk, bob.pk)
        assert assigned_to(newer) is None

    def test_the_dispatch_after_an_arrival_passes_over_what_its_agents_cannot_take(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 1})
        german = queue(t=0, required_skills={"german": 1})
        newer = queue(t=1)

        [assignment] = actions.assign_waiting(now=at(2), conversation_ids=[newer.pk])

        assert (assignment.conversation_id, assignment.agent_id) == (newer.pk, bob.pk)
        assert assigned_to(german) is None


class TestAssignment:
    def test_the_conversation_shows_its_assignee_and_an_event_is_recorded(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob")
        conversation = queue(t=0)

        [assignment] = actions.assign_waiting(now=at(0))

        conversation.refresh_from_db()
        assert conversation.assignee == bob
        assert (assignment.conversation_id, assignment.agent_id) == (conversation.pk, bob.pk)
        event = OutboxEvent.objects.get(kind="conversation.assigned")
        assert event.payload["assignee_id"] == bob.pk
        assert event.payload["assigned_by"] == "routing"

    def test_in_manual_mode_nothing_is_assigned(self, make_agent: Any, queue: Any) -> None:
        actions.set_policy(mode=Mode.MANUAL)
        make_agent("bob")
        queue(t=0)

        assert actions.assign_waiting(now=at(0)) == []

    def test_a_manual_assignment_counts_even_beyond_capacity(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 1})
        actions.assign_manually(queue(t=0).pk, bob, now=at(0), dispatch=False)
        actions.assign_manually(queue(t=1).pk, bob, now=at(1), dispatch=False)

        assert load(bob) == 2
        assert actions.assign_waiting(now=at(2)) == []

    def test_a_manual_assignment_of_a_conversation_never_queued_is_not_counted(
        self, make_agent: Any, api_inbox: Inbox, customer: Contact
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 1})
        older = Conversation.objects.create(inbox=api_inbox, contact=customer,
                                            last_activity_at=T0)

        assert actions.assign_manually(older.pk, bob, now=at(0), dispatch=False) is None
        assert load(bob) == 0

    def test_unassigning_manually_puts_it_back_at_its_place(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 1}, presence=Presence.AWAY)
        first = queue(t=0)
        actions.assign_manually(first.pk, bob, now=at(1), dispatch=False)

        actions.assign_manually(first.pk, None, now=at(2), dispatch=False)

        routing = ConversationRouting.objects.get(pk=first.pk)
        assert (routing.agent_id, routing.queued_at, load(bob)) == (None, at(0), 0)


class TestQueuePositions:
    def test_positions_count_per_channel_kind_and_team(
        self, queue: Any, team: Team
    ) -> None:
        chat_1, chat_2 = queue(t=0), queue(t=1)
        email_1 = queue(t=2, channel="email")
        team_1 = queue(t=3, team_id=team.pk)

        positions = {p.conversation_id: p.position for p in queue_positions()}

        assert positions == {chat_1.pk: 1, chat_2.pk: 2, email_1.pk: 1, team_1.pk: 1}

    def test_the_wait_is_position_times_handle_time_over_eligible_slots(
        self, make_agent: Any, queue: Any
    ) -> None:
        bob = make_agent("bob", capacity={"chat": 1})
        carol = make_agent("carol", capacity={"chat": 1}, online_at=1)
        # Two handled conversations: 600 s and 1200 s, an average of 900 s.
        for handle in (600, 1200):
            conversation = queue(t=0)
            actions.assign_waiting(now=at(0))
            actions.release(conversation.pk, now=at(handle), dispatch=False)
        queue(t=2000)
        queue(t=2000)
        actions.assign_waiting(now=at(2000))  # bob and carol are busy now
        first_waiting, second_waiting = queue(t=2001), queue(t=2002)
        german = queue(t=2003, required_skills={"german": 1})
        assert (load(bob), load(carol)) == (1, 1)

        waits = {p.conversation_id: p.estimated_wait_seconds for p in queue_positions()}

        # 2 slots: position 1 waits 900 / 2, position 2 waits 2 x 900 / 2.
        assert (waits[first_waiting.pk], waits[second_waiting.pk]) == (450, 900)
        # Nobody online has the skill: no estimate rather than a made-up one.
        assert waits[german.pk] is None

    def test_without_history_the_default_handle_time_is_used(
        self, make_agent: Any, queue: Any
    ) -> None:
        make_agent("bob", capacity={"chat": 1}, presence=Presence.AWAY)
        make_agent("carol", capacity={"chat": 2})
        make_agent("dan", capacity={"chat": 2}, presence=Presence.OFFLINE)
        for t in range(4):
            queue(t=t)
        actions.assign_waiting(now=at(4))

        first, second = queue_positions()

        # Only carol's 2 slots count (bob is away, dan offline): 1 x 300 / 2, 2 x 300 / 2.
        assert (first.position, first.estimated_wait_seconds) == (1, DEFAULT_HANDLE_SECONDS / 2)
        assert (second.position, second.estimated_wait_seconds) == (2, DEFAULT_HANDLE_SECONDS)
