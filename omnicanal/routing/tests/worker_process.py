"""One routing worker process for test_processes.py: `python -m` this module with
DATABASE_URL naming the test database.

It reads its plan as JSON on stdin (conversations to enqueue with their routing, a seed),
prints "ready", waits for a "go" line so that both workers start together, then enqueues the
arrivals, resolves conversations other agents hold and sweeps the queue, each through the
routing actions with their dispatch after commit, as a task worker would. What it assigned
is in the database: the outbox holds one `conversation.assigned` event per assignment.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from typing import Any

# A release after every third arrival; a full sweep (the periodic task's work) after every
# tenth and at the end.
RELEASE_EVERY = 3
SWEEP_EVERY = 10
# Arrivals spread over a few seconds, so that conversations wait long enough in the queue for
# its order to show (see IN_FLIGHT_SECONDS in the test).
PAUSE_SECONDS = 0.05


def run(plan: dict[str, Any]) -> None:
    from omnicanal.conversations.models import Conversation
    from omnicanal.routing import actions
    from omnicanal.routing.models import ConversationRouting

    rng = random.Random(plan["seed"])
    conversations = Conversation.objects.select_related("inbox", "contact").in_bulk(
        [arrival["conversation"] for arrival in plan["arrivals"]]
    )
    for number, arrival in enumerate(plan["arrivals"], start=1):
        actions.enqueue_conversation(
            conversations[arrival["conversation"]], channel=arrival["channel"],
            priority=arrival["priority"], required_skills=arrival["skills"],
            team_id=arrival["team"],
        )
        if number % RELEASE_EVERY == 0:
            held = list(ConversationRouting.objects.filter(
                agent__isnull=False, resolved_at__isnull=True).values_list("pk", flat=True))
            if held:
                # Both workers may pick the same one: release is idempotent.
                actions.release(rng.choice(held))
        if number % SWEEP_EVERY == 0:
            actions.assign_waiting()
        time.sleep(rng.uniform(0, 2 * PAUSE_SECONDS))
    actions.assign_waiting()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    plan = json.loads(sys.stdin.readline())
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit("no go")
    run(plan)
    print("done", flush=True)


if __name__ == "__main__":
    main()
