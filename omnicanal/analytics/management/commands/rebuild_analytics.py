"""`omnicanal rebuild_analytics [--since DATE]`: record the journey facts again from the stored
conversations, messages and event history (after an import, a fix of a definition, or for
conversations older than the analytics app), then the reports' daily aggregates from them.
Running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from omnicanal.analytics import daily
from omnicanal.analytics.facts import rebuild_conversations
from omnicanal.conversations.models import Conversation

BATCH = 500


class Command(BaseCommand):
    help = "Rebuild contact events and conversation facts from the stored conversations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", help="Only conversations created on or after this date (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        conversations = Conversation.objects.order_by("created_at", "pk")
        since: dt.date | None = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since: {options['since']!r} is not a date (YYYY-MM-DD)."
                ) from None
            start = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
            conversations = conversations.filter(created_at__gte=start)
        ids = list(conversations.values_list("pk", flat=True))
        events = 0
        # Batches in creation order, each in its own transaction: a long history does not
        # hold one lock for its whole length.
        for start_index in range(0, len(ids), BATCH):
            events += rebuild_conversations(ids[start_index:start_index + BATCH])
        rows = daily.rebuild(since)
        self.stdout.write(
            f"{len(ids)} conversations, {events} contact events, {rows} daily report rows "
            "rebuilt."
        )
