"""`omnicanal email_inspect [--text | --html] FILE...`: what the e-mail parser makes of files.

Pure parsing: no database, no network. One JSON object per FILE, one per line, with the keys
listed in omnicanal/connectors/email/inspection.py. A FILE is a raw RFC 822 message, or with
`--text` / `--html` a bare body. A file that cannot be read gives a line with `error` set,
and the other files are still inspected.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from omnicanal.connectors.email.inspection import InputKind, inspect_file


class Command(BaseCommand):
    help = "Parse e-mail files and print one JSON object per file."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--text", action="store_true", help="each FILE is a plain-text body")
        kind.add_argument("--html", action="store_true", help="each FILE is an HTML body")
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        kind: InputKind = "text" if options["text"] else "html" if options["html"] else "message"
        for file in options["files"]:
            self.stdout.write(json.dumps(inspect_file(file, kind), ensure_ascii=False))
