"""Two routing worker processes on one PostgreSQL database (issue 7's bar).

Each worker (`worker_process.py`, a separate Python process with its own connections, as two
task workers in production) enqueues its half of the arrivals, resolves conversations that
agents hold, and sweeps the queue, all at once with the other. The invariants are then read
from the database alone, never from what the workers say they did:

- capacity: in every committed state the test sampled while the workers ran, and in the final
  one, each agent's load on a channel kind equals the conversations they hold there and is at
  most their capacity;
- eligibility: every assignment went to an online agent holding the required skills, in the
  conversation's team if it has one, with a capacity on its channel kind;
- once: one `conversation.assigned` event per conversation assigned, none for the others;
- no idle slot: at the end (each worker's last act is a full sweep, as the periodic task
  does), no waiting conversation has an eligible agent with a free slot;
- order: no conversation C was assigned to agent B while a conversation that B could take,
  on the same channel kind and ahead of C in queue order (priority, then value, then arrival),
  had been queued before C's assignment and was still waiting after it. "Before" and "after"
  keep a margin of IN_FLIGHT_SECONDS: an arrival is stamped when its transaction starts, so
  until it commits, a moment later, a sweep cannot see it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox, OutboxEvent
from omnicanal.routing import actions
from omnicanal.routing.models import (
    AgentCapacity,
    ConversationRouting,
    Presence,
    has_required_skills,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ARRIVALS_PER_WORKER = 60
WORKER_TIMEOUT_SECONDS = 60
IN_FLIGHT_SECONDS = 0.2
# Between two samples of the database, to leave the two CPUs to the workers.
SAMPLE_PAUSE_SECONDS = 0.02
# name: presence, capacity, skills, in the support team
AGENTS: dict[str, tuple[str, dict[str, int], dict[str, int], bool]] = {
    "ana": (Presence.ONLINE, {"chat": 2, "email": 1}, {"french": 2}, True),
    "ben": (Presence.ONLINE, {"chat": 2, "email": 1}, {"french": 1}, False),
    "chloe": (Presence.ONLINE, {"chat": 3}, {}, True),
    "dan": (Presence.ONLINE, {"chat": 1, "email": 2}, {"french": 2}, False),
    # Away: keeps nothing and must receive nothing, whatever the queue.
    "eve": (Presence.AWAY, {"chat": 3, "email": 3}, {"french": 3}, True),
    # No chat capacity: e-mail only.
    "fred": (Presence.ONLINE, {"email": 2}, {}, False),
}


@dataclass(frozen=True)
class Agent:
    is_online: bool
    skills: dict[str, float]
    team_ids: frozenset[int]

    def fits(self, routing: ConversationRouting) -> bool:
        """Eligible whatever their load: presence, skills, team."""
        return (self.is_online and has_required_skills(self.skills, routing.required_skills)
                and (routing.team_id is None or routing.team_id in self.team_ids))


def queue_key(routing: ConversationRouting) -> tuple[Any, ...]:
    return (routing.priority, routing.value_rank, routing.queued_at, routing.pk)


def database_url() -> str:
    """The test database, for the workers: committed data is all they share with the test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"]
                                             else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def start_worker(plan: dict[str, Any], stderr: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url(),
           "PYTHONPATH": os.pathsep.join([str(settings.PROJECT_DIR), *sys.path])}
    worker = subprocess.Popen(
        [sys.executable, "-m", "omnicanal.routing.tests.worker_process"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env,
    )
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps(plan) + "\n")
    worker.stdin.flush()
    return worker


def capacity_problems() -> list[str]:
    """What breaks the capacity invariant in one committed state of the database."""
    held = Counter(ConversationRouting.objects.filter(agent__isnull=False,
                                                      resolved_at__isnull=True)
                   .values_list("agent_id", "channel"))
    problems = []
    for row in AgentCapacity.objects.all():
        count = held[(row.profile_id, row.channel)]
        if not count == row.load <= row.capacity:
            problems.append(f"agent {row.profile_id} {row.channel}: holds {count}, "
                            f"load {row.load}, capacity {row.capacity}")
    return problems


def snapshot_capacity_problems() -> list[str]:
    # One snapshot for both reads: in autocommit they would see two different moments.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return capacity_problems()


def test_two_worker_processes_keep_every_routing_invariant(api_inbox: Inbox) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("test_two_worker_processes_keep_every_routing_invariant needs PostgreSQL: "
                    "run with DATABASE_URL=postgres://…")
    rng = random.Random(20301)
    support = Team.objects.create(name="Support")
    agents: dict[int, Agent] = {}
    for name, (presence, capacity, skills, is_in_support) in AGENTS.items():
        user = User.objects.create_user(f"{name}@example.com", name=name)
        if is_in_support:
            support.members.add(user)
        actions.configure_agent(user, capacity=capacity, skills=skills, dispatch=False)
        actions.set_presence(user, presence, dispatch=False)
        agents[user.pk] = Agent(presence == Presence.ONLINE, dict(skills),
                                frozenset([support.pk] if is_in_support else []))
    contact = Contact.objects.create(name="Jeanne")
    plans = []
    for seed in (1, 2):
        arrivals = []
        for _ in range(ARRIVALS_PER_WORKER):
            conversation = Conversation.objects.create(inbox=api_inbox, contact=contact,
                                                       last_activity_at=dt.datetime.now(dt.UTC))
            arrivals.append({
                "conversation": conversation.pk,
                "channel": rng.choice(["chat", "chat", "email"]),
                "priority": rng.randint(1, 4),
                "skills": rng.choice([{}, {}, {"french": 1}, {"french": 2}]),
                "team": rng.choice([None, None, support.pk]),
            })
        plans.append({"seed": seed, "arrivals": arrivals})

    with tempfile.TemporaryFile("w+") as stderr:
        workers = [start_worker(plan, stderr) for plan in plans]
        try:
            for worker in workers:
                assert worker.stdout is not None
                assert worker.stdout.readline().strip() == "ready", "a worker failed to start"
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            snapshots, problems = 0, []
            deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
            while any(worker.poll() is None for worker in workers):
                assert time.monotonic() < deadline, "the workers did not finish"
                problems += snapshot_capacity_problems()
                snapshots += 1
                time.sleep(SAMPLE_PAUSE_SECONDS)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait()
            stderr.seek(0)
            errors = stderr.read()
        assert [worker.returncode for worker in workers] == [0, 0], errors
    assert [worker.stdout.read().strip() for worker in workers if worker.stdout] == ["done"] * 2

    # Capacity, in every state seen while the workers ran (there were several) and at the end.
    assert snapshots > 0
    assert problems == []
    assert capacity_problems() == []

    routings = list(ConversationRouting.objects.all())
    assert len(routings) == 2 * ARRIVALS_PER_WORKER
    assigned = [r for r in routings if r.agent_id is not None]
    waiting = [r for r in routings if r.agent_id is None]
    # The scenario is busy enough to test something: work was assigned, work still waits,
    # some resolved.
    assert assigned and waiting and any(r.resolved_at is not None for r in assigned)

    # Eligibility: "eve" is away and "fred" takes no chat.
    for routing in assigned:
        agent = agents[routing.agent_id]
        assert agent.fits(routing), routing
        assert AgentCapacity.objects.get(profile_id=routing.agent_id,
                                         channel=routing.channel).capacity > 0
    # Once: one assignment event per conversation assigned; the conversation shows the agent.
    events = Counter(OutboxEvent.objects.filter(kind="conversation.assigned")
                     .values_list("conversation_id", flat=True))
    assert events == Counter(r.pk for r in assigned)
    assert dict(Conversation.objects.filter(assignee__isnull=False)
                .values_list("pk", "assignee_id")) == {r.pk: r.agent_id for r in assigned}

    # No idle slot: nothing waits that an online agent with a free slot could take.
    free = {(row.profile_id, row.channel) for row in AgentCapacity.objects.all()
            if row.load < row.capacity}
    for routing in waiting:
        takers = [agent_id for agent_id, agent in agents.items()
                  if (agent_id, routing.channel) in free and agent.fits(routing)]
        assert takers == [], f"conversation {routing.pk} waits while {takers} are free"

    # Order: each agent got, at the time, the first conversation in the queue they could take.
    margin = dt.timedelta(seconds=IN_FLIGHT_SECONDS)
    choices = 0
    for taken in assigned:
        assert taken.assigned_at is not None
        agent = agents[taken.agent_id]
        waited_meanwhile = [
            other for other in routings
            if other.pk != taken.pk and other.channel == taken.channel and agent.fits(other)
            and other.queued_at < taken.assigned_at - margin
            and (other.assigned_at is None or other.assigned_at > taken.assigned_at + margin)
        ]
        choices += bool(waited_meanwhile)
        passed_over = [(other.pk, other.priority, other.queued_at.time())
                       for other in waited_meanwhile if queue_key(other) < queue_key(taken)]
        assert passed_over == [], (
            f"conversation {taken.pk} (priority {taken.priority}, queued at "
            f"{taken.queued_at.time()}) went to agent {taken.agent_id} at "
            f"{taken.assigned_at.time()}, passing over {passed_over}"
        )
    # Assignments made while other work that agent could take waited: where order mattered.
    assert choices >= 5, choices
