from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from omnicanal.assistant.training import train


class Command(BaseCommand):
    help = ("Train the triage intent classifier on the shipped baseline and the team's labelled "
            "conversations; activate it if it is not worse than the active one.")

    def handle(self, *args: Any, **options: Any) -> None:
        run = train("command")
        figures = {k: run.evaluation.get(k) for k in ("accuracy", "macro_f1", "n_train",
                                                      "n_test", "n_team", "seconds")}
        self.stdout.write(json.dumps({"model": run.pk, "status": run.status, **figures}))
