"""`omnicanal routing_simulate SCENARIO.json`: replay a routing scenario, print the result.

The scenario and result formats are documented in `omnicanal.routing.simulation`. The replay
runs the real routing actions in a throw-away in-memory SQLite database; the configured
database is never opened.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.routing.simulation import ScenarioError, load_scenario, simulate_in_memory


class Command(BaseCommand):
    help = "Replay a routing scenario (JSON) in a throw-away database and print the result."
    # System checks may query the configured database; this command must not touch it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", help="path of the scenario's JSON file")
        parser.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scenario = load_scenario(options["scenario"])
        except ScenarioError as error:
            raise CommandError(str(error)) from error
        result = simulate_in_memory(scenario)
        self.stdout.write(json.dumps(result, indent=options["indent"]))
