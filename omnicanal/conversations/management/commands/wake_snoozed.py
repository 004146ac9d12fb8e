"""`omnicanal wake_snoozed [--once] [--interval SECONDS]`: reopen snoozed conversations whose
wake-up time has passed.

Why a command and not a rule applied when lists are read: waking is a state change that
agents see in the timeline ("woke up") and that routing and webhooks hear about (an event),
so it goes through `wake_due_conversations` like every other change. Run it with `--once`
from cron every minute, or without it as a small loop beside the task worker. A customer's
message never waits for it: ingest reopens a snoozed conversation at once.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from omnicanal.conversations.actions import wake_due_conversations


class Command(BaseCommand):
    help = "Reopen snoozed conversations whose wake-up time has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="seconds between passes (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            woken = wake_due_conversations()
            if woken or options["verbosity"] > 1:
                self.stdout.write(f"Woke {len(woken)} conversation(s).")
            if options["once"]:
                return
            close_old_connections()
            time.sleep(options["interval"])
