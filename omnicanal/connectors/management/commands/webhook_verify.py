"""`omnicanal webhook_verify --provider P --secret S --url URL [--header N=V]... FILE`.

Prints `{"valid": true|false}`: whether that body, received at URL with those headers, passes
the same check the webhook views run. FILE is the exact raw body (JSON for Meta and
Telegram); for Twilio, a JSON object of the form fields, from which the form body is rebuilt,
or the raw JSON body when the URL carries `bodySHA256`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.webhooks import get_provider, provider_names


def parse_header(option: str) -> tuple[str, str]:
    """`Name=Value` or `Name: Value`; names contain neither, values may (base64 "=")."""
    match = re.match(r"\s*([^=:\s]+)\s*[=:]\s?(.*)\Z", option, re.DOTALL)
    if not match:
        raise CommandError(f"--header must look like NAME=VALUE, not {option!r}")
    return match.group(1).lower(), match.group(2).strip()


class Command(BaseCommand):
    help = "Check a saved webhook body's signature (or secret token) as the webhook views do."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", required=True, choices=provider_names())
        parser.add_argument("--secret", required=True)
        parser.add_argument("--url", required=True)
        parser.add_argument("--header", action="append", default=[], dest="headers")
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        headers = dict(parse_header(h) for h in options["headers"])
        provider = get_provider(options["provider"])
        try:
            content = Path(options["file"]).read_bytes()
        except OSError as exc:
            self.stderr.write(f"cannot read {options['file']}: {exc.strerror or exc}")
            self.stdout.write(json.dumps({"valid": False}))
            return
        request = InboundRequest(
            body=provider.body_from_file(content, options["url"]),
            headers=headers,
            url=options["url"],
        )
        self.stdout.write(json.dumps({"valid": provider.verify(request, options["secret"])}))
