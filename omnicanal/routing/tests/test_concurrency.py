"""Two dispatchers at once, each in its own thread with its own database connection.

On PostgreSQL they really run together: SKIP LOCKED makes them share the work. On SQLite the
IMMEDIATE transactions make the second wait for the first. Either way nothing may be assigned
twice, and no agent may get more than their capacity.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.routing import actions
from omnicanal.routing.models import AgentCapacity, ConversationRouting, Presence

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
AGENTS, CAPACITY, WAITING = 6, 3, 60


def dispatch_in_threads(count: int) -> list[list[actions.Assignment]]:
    barrier = threading.Barrier(count)
    results: list[list[actions.Assignment]] = [[] for _ in range(count)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions.assign_waiting(now=T0)
        except BaseException as error:
            errors.append(error)
        finally:
            # Each thread has its own connection; leaving it open would keep the test
            # database from being flushed.
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_never_assign_twice_nor_overfill(api_inbox: Inbox) -> None:
    agents = []
    for index in range(AGENTS):
        agent = User.objects.create_user(f"agent{index}@example.com")
        actions.configure_agent(agent, capacity={"chat": CAPACITY}, now=T0, dispatch=False)
        actions.set_presence(agent, Presence.ONLINE, now=T0, dispatch=False)
        agents.append(agent)
    contact = Contact.objects.create(name="Jeanne")
    for index in range(WAITING):
        conversation = Conversation.objects.create(
            inbox=api_inbox, contact=contact, last_activity_at=T0
        )
        actions.enqueue_conversation(conversation, channel="chat",
                                     now=T0 + dt.timedelta(seconds=index), dispatch=False)

    results = dispatch_in_threads(2)

    made = [assignment for result in results for assignment in result]
    assert len({a.conversation_id for a in made}) == len(made)
    # What the threads report is what the database holds.
    held = dict(ConversationRouting.objects.filter(agent__isnull=False)
                .values_list("conversation_id", "agent_id"))
    assert held == {a.conversation_id: a.agent_id for a in made}
    per_agent = Counter(held.values())
    assert max(per_agent.values()) <= CAPACITY
    for capacity in AgentCapacity.objects.filter(channel="chat"):
        assert capacity.load == per_agent[capacity.profile_id] <= capacity.capacity
    # The conversations mirror it.
    assignees = dict(Conversation.objects.filter(assignee__isnull=False)
                     .values_list("pk", "assignee_id"))
    assert assignees == held
    # Whatever a contended sweep left is picked up by the next one; the queue order holds:
    # the first conversations queued are the ones assigned.
    actions.assign_waiting(now=T0)
    held = dict(ConversationRouting.objects.filter(agent__isnull=False)
                .values_list("conversation_id", "agent_id"))
    assert len(held) == AGENTS * CAPACITY
    first_queued = ConversationRouting.objects.order_by("queued_at").values_list(
        "conversation_id", flat=True)[: AGENTS * CAPACITY]
    assert set(held) == set(first_queued)



@pytest.mark.django_db(transaction=True)
def test_loads_stay_exact_while_dispatchers_releases_and_presence_changes_race(
    api_inbox: Inbox,
) -> None:
    rng = random.Random(7)
    agents = []
    for index in range(10):
        agent = User.objects.create_user(f"agent{index}@example.com")
        actions.configure_agent(agent, capacity={"chat": 3, "email": 2},
                                skills={"french": index % 3}, now=T0, dispatch=False)
        actions.set_presence(agent, Presence.ONLINE, now=T0, dispatch=False)
        agents.append(agent)
    contact = Contact.objects.create(name="Jeanne")
    for index in range(150):
        conversation = Conversation.objects.create(
            inbox=api_inbox, contact=contact, last_activity_at=T0
        )
        actions.enqueue_conversation(
            conversation, channel=rng.choice(["chat", "email"]),
            required_skills=rng.choice([{}, {"french": 1}, {"french": 2}]),
            priority=rng.randint(1, 4), now=T0 + dt.timedelta(seconds=index), dispatch=False,
        )
    made: list[actions.Assignment] = []
    errors: list[BaseException] = []

    def in_thread(work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()
        return threading.Thread(target=run)

    def dispatch() -> None:
        for _ in range(15):
            made.extend(actions.assign_waiting(now=T0))

    def resolve() -> None:
        for _ in range(40):
            held = ConversationRouting.objects.filter(agent__isnull=False,
                                                      resolved_at__isnull=True)
            for pk in list(held.values_list("pk", flat=True)[:3]):
                actions.release(pk, now=T0, dispatch=False)

    def change_presence() -> None:
        for agent in rng.choices(agents, k=30):
            actions.set_presence(agent, rng.choice(["online", "away"]), now=T0, dispatch=False)

    threads = [in_thread(dispatch) for _ in range(3)]
    threads += [in_thread(resolve), in_thread(change_presence)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert len({a.conversation_id for a in made}) == len(made)
    held = Counter(ConversationRouting.objects.filter(agent__isnull=False,
                                                      resolved_at__isnull=True)
                   .values_list("agent_id", "channel"))
    for capacity in AgentCapacity.objects.all():
        assert capacity.load == held[(capacity.profile_id, capacity.channel)]
        assert capacity.load <= capacity.capacity
