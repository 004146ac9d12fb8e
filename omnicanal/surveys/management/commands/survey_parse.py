"""`omnicanal survey_parse --kind csat|nps|ces [--lang fr|en|auto] FILE`: how the product reads
free-text survey replies, one per line of FILE (UTF-8), printed as one JSON object per line:
`{"text", "kind", "score", "opt_out", "comment"}`.

Every line read gives one output line, blank ones included (score null, comment ""), so that
output line N is always about input line N. The line ending is not part of `text`; a byte
order mark at the start of the file is dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.surveys.models import SCALES
from omnicanal.surveys.parsing import Lang, parse_reply

LANGS: dict[str, Lang] = {"fr": "fr", "en": "en", "auto": "auto"}


class Command(BaseCommand):
    help = "Read survey replies, one per line of FILE, and print what each one says as JSON."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help="csat, nps or ces")
        parser.add_argument("--lang", default="auto", help="fr, en or auto (default)")
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = str(options["kind"]).lower()
        if kind not in SCALES:
            raise CommandError(
                f"unknown survey kind {options['kind']!r}: use one of {', '.join(SCALES)}"
            )
        lang = LANGS.get(str(options["lang"]).lower())
        if lang is None:
            raise CommandError(f"unknown language {options['lang']!r}: use fr, en or auto")
        path = Path(options["file"])
        try:
            content = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"cannot read {path}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"cannot read {path}: it is not UTF-8 text ({exc.reason})") from exc
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        # Lines end at "\n" only (as `wc -l` and `paste` count them), "\r\n" tolerated.
        lines = content.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for raw in lines:
            line = raw.removesuffix("\r")
            reply = parse_reply(line, kind, lang)
            record = {
                "text": line,
                "kind": kind,
                "score": reply.score,
                "opt_out": reply.opt_out,
                "comment": reply.comment,
            }
            self.stdout.write(json.dumps(record, ensure_ascii=False))
