"""`omnicanal webhook_parse --provider P FILE...`: what a webhook body holds, as JSON lines.

Pure parsing: no database, no network. Each FILE holds one webhook body as the provider
posts it (JSON; for Twilio a JSON object of the form fields). The choices per provider are in
NOTES.md of each connector folder (meta/ for Messenger and Instagram); every line:

- one line per event, in payload order; a body with nothing to ingest (an opt-in, an inline
  query, a voice call...) prints exactly one `ignored` line; a file that cannot be read or is
  not JSON prints one `ignored` line with `error` set, and the next files are still parsed.
- every key is always present; a value the payload does not give is null, never "".
- `kind`: message, status, reaction, edit, delete, unsupported (content we cannot show,
  kept raw), ignored. Postbacks, quick replies, button/list replies, callback queries and bot
  commands are messages whose `text` is the visible label the customer chose.
- `direction`: "out" for an echo of what the business sent and for every status (a status
  is news about a message the business sent); "in" otherwise.
- `external_id`: the provider's id of this message; for a status, of our message it is about;
  null when the event has none of its own (a Messenger reaction or read watermark).
- `from` / `to`: as the payload states them, E.164 for phone numbers, provider ids otherwise.
- `status`: sent, delivered, read or failed; null when the provider's value says nothing
  about delivery yet (Twilio queued/accepted/sending); `provider_status` keeps that value.
- `timestamp`: ISO 8601 UTC (`+00:00`), from the payload only; null when it has none (Twilio).
- `reply_to`: the message quoted/answered, or for reaction/edit/delete the message affected.
- `attachments[].url_or_id`: provider URL or media/file id; `geo:lat,lon` for a location,
  `tel:+E164` for a shared contact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from omnicanal.connectors.webhooks import (
    decode_json,
    error_line,
    lines_for_payload,
    provider_names,
)


class Command(BaseCommand):
    help = "Parse webhook bodies saved in files and print one JSON object per event found."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", required=True, choices=provider_names())
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        provider: str = options["provider"]
        for file in options["files"]:
            for line in self._lines(provider, file):
                self.stdout.write(json.dumps(line))

    def _lines(self, provider: str, file: str) -> list[dict[str, Any]]:
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            return [error_line(file, f"cannot read the file: {exc.strerror or exc}")]
        payload = decode_json(content)
        if payload is None and content.strip() != b"null":
            return [error_line(file, "the file is not valid JSON")]
        return lines_for_payload(provider, file, payload)
