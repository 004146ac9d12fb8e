"""How long a pilot's comparison page takes to compute over many conversations.

    python bench/pilots.py --conversations 200000

Builds a throw-away database (SQLite in a temporary directory, or DATABASE_URL's PostgreSQL
database, dropped and recreated) with one fact per conversation over two months, a team pilot
holding a tenth of them, then times analytics.pilots.compare_pilot (reading the facts, the
bootstrap of medians, the intervals, the verdicts)."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import prepare_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.utils import timezone

    from omnicanal.accounts.models import Team
    from omnicanal.analytics import pilots
    from omnicanal.analytics.models import ConversationFact, GroupKind, Pilot
    from omnicanal.contacts.models import Contact
    from omnicanal.conversations.models import ChannelKind, Conversation, Inbox

    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Pilot team")
    inbox = Inbox.objects.create(name="API", channel=ChannelKind.API)
    contact = Contact.objects.create(name="Bench")
    rng = np.random.default_rng(1)
    start = timezone.make_aware(datetime.datetime(2026, 9, 1))
    batch = 10_000
    for offset in range(0, args.conversations, batch):
        size = min(batch, args.conversations - offset)
        conversations = Conversation.objects.bulk_create(
            Conversation(inbox=inbox, contact=contact, last_activity_at=start)
            for _ in range(size)
        )
        ConversationFact.objects.bulk_create(
            ConversationFact(
                conversation=conversation, contact=contact, inbox=inbox, channel="api",
                team=team if rng.random() < 0.1 else None,
                created_at=start + datetime.timedelta(seconds=float(rng.uniform(0, 61 * 86400))),
                first_response_s=float(rng.lognormal(6, 1)),
                resolution_s=float(rng.lognormal(9, 1)), is_resolved=True,
                is_fcr=bool(rng.random() < 0.7), has_repeat_7d=bool(rng.random() < 0.15),
                is_abandoned=bool(rng.random() < 0.05),
                csat=int(rng.integers(1, 6)) if rng.random() < 0.2 else None,
                nps=int(rng.integers(0, 11)) if rng.random() < 0.1 else None,
                ces=int(rng.integers(1, 8)) if rng.random() < 0.1 else None,
            )
            for conversation in conversations
        )
    pilot = Pilot.objects.create(name="Bench", group_kind=GroupKind.TEAM, team=team,
                                 starts_on=datetime.date(2026, 10, 1),
                                 ends_on=datetime.date(2026, 10, 31))
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        pilots.compare_pilot(pilot)
        timings.append(time.perf_counter() - began)
    vendor = django.db.connection.vendor
    print(f"{vendor}: {args.conversations} conversations, compare_pilot "
          f"best {min(timings):.2f} s, worst {max(timings):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
