"""`omnicanal staffing --calls N --interval-s S --aht-s S (--agents N | --target-sl X)
--target-s T [--patience-s P] --json`: Erlang C (or Erlang A with `--patience-s`) figures of an
interval (the contract acceptance checks run; keep its flags and output exactly as issue 17
item 6 states them).

`--json` prints {"erlangs", "agents", "Pw", "service_level", "asa_s", "occupancy",
"abandon_rate"}, unrounded; `asa_s` is null when N ≤ A without patience, `abandon_rate` null
without patience. The mathematics and the definitions are in `omnicanal.workforce.erlang`.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.workforce import erlang


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _whole(text: str) -> int:
    value = _number(text)
    if value != int(value):
        raise argparse.ArgumentTypeError(f"not a whole number of agents: {text!r}")
    return int(value)


class Command(BaseCommand):
    help = (
        "Erlang C staffing figures of an interval (Erlang A with --patience-s): for a number "
        "of agents, or the agents needed for a target service level."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", type=_number, required=True,
                            help="Calls offered in the interval.")
        parser.add_argument("--interval-s", type=_number, required=True,
                            help="Length of the interval, in seconds.")
        parser.add_argument("--aht-s", type=_number, required=True,
                            help="Average handling time, in seconds.")
        staffing = parser.add_mutually_exclusive_group(required=True)
        staffing.add_argument("--agents", type=_whole, help="Agents answering.")
        staffing.add_argument("--target-sl", type=_number,
                              help="Service level to reach, a fraction in (0, 1).")
        parser.add_argument("--target-s", type=_number, required=True,
                            help="Service-level threshold T: answered within T seconds.")
        parser.add_argument("--patience-s", type=_number, default=None,
                            help="Callers' mean patience, in seconds (Erlang A).")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        calls: float = options["calls"]
        interval_s: float = options["interval_s"]
        aht_s: float = options["aht_s"]
        agents: int | None = options["agents"]
        target_sl: float | None = options["target_sl"]
        target_s: float = options["target_s"]
        patience_s: float | None = options["patience_s"]
        if calls < 0:
            raise CommandError("--calls cannot be negative.")
        if interval_s <= 0:
            raise CommandError("--interval-s must be more than 0.")
        if aht_s <= 0:
            raise CommandError("--aht-s must be more than 0.")
        if target_s < 0:
            raise CommandError("--target-s cannot be negative.")
        if agents is not None and agents < 1:
            raise CommandError("--agents must be at least 1.")
        if target_sl is not None and not 0 < target_sl < 1:
            raise CommandError("--target-sl must be a fraction strictly between 0 and 1.")
        if patience_s is not None and patience_s <= 0:
            raise CommandError("--patience-s must be more than 0.")
        try:
            figures = erlang.staffing(
                calls=calls, interval_s=interval_s, aht_s=aht_s, target_s=target_s,
                agents=agents, target_sl=target_sl, patience_s=patience_s,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(figures.as_json()))
            return
        self.stdout.write(self.summary(figures, target_s))

    @staticmethod
    def summary(figures: erlang.Staffing, target_s: float) -> str:
        model = "Erlang C" if figures.abandon_rate is None else "Erlang A"
        lines = [
            f"Model: {model}",
            f"Offered load: {figures.erlangs:g} erlangs",
            f"Agents: {figures.agents}",
            f"Probability of waiting: {figures.pw:.2%}",
            f"Service level (answered within {target_s:g} s): {figures.service_level:.2%}",
            "Average speed of answer: "
            + ("unbounded (too few agents)" if figures.asa_s is None
               else f"{figures.asa_s:.1f} s"),
            f"Occupancy: {figures.occupancy:.2%}",
        ]
        if figures.abandon_rate is not None:
            lines.append(f"Abandoned: {figures.abandon_rate:.2%}")
        return "\n".join(lines)
