"""`omnicanal assistant_eval intents|faq … --json`: the assistant's measured quality on
public datasets (the contract acceptance checks run; keep its flags and fields).

Nothing is written to the configured database: the intent classifier trains in memory and
the FAQ corpus is loaded into a throw-away index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Train and evaluate the triage classifier, or the knowledge retrieval, on files."

    def add_arguments(self, parser: CommandParser) -> None:
        tasks = parser.add_subparsers(dest="task", required=True)
        intents = tasks.add_parser("intents", help="Intent classification (Banking77, CLINC150).")
        intents.add_argument("--train", required=True, type=Path)
        intents.add_argument("--test", required=True, type=Path)
        intents.add_argument("--split", default="test")
        intents.add_argument("--json", action="store_true")
        faq = tasks.add_parser("faq", help="FAQ retrieval (StackFAQ, BEIR layout).")
        faq.add_argument("--corpus", required=True, type=Path)
        faq.add_argument("--queries", required=True, type=Path)
        faq.add_argument("--qrels", required=True, type=Path)
        faq.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("train", "test", "corpus", "queries", "qrels"):
            path = options.get(key)
            if path is not None and not path.is_file():
                raise CommandError(f"--{key}: no such file: {path}")
        if options["task"] == "intents":
            from omnicanal.assistant.evaluation import evaluate_intents

            result = evaluate_intents(options["train"], options["test"], split=options["split"])
        else:
            from omnicanal.knowledge.evaluation import evaluate_faq

            result = evaluate_faq(options["corpus"], options["queries"], options["qrels"])
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
