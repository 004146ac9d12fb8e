"""`omnicanal tick`: enqueue the periodic tasks that are due, once, and exit.

For deployments without `omnicanal serve`'s scheduler thread (`--no-scheduler`): run it from
cron every minute. Running it beside the thread is harmless: each run is enqueued once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from omnicanal.web.periodic import enqueue_due


class Command(BaseCommand):
    help = "Enqueue the periodic tasks (PERIODIC_TASKS) that are due, then exit."

    def handle(self, *args: Any, **options: Any) -> None:
        enqueued = enqueue_due()
        for path in enqueued:
            self.stdout.write(f"Enqueued {path}.")
        if not enqueued and options["verbosity"] > 1:
            self.stdout.write("Nothing due.")
