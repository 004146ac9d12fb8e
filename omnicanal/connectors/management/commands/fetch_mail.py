"""`omnicanal fetch_mail [--inbox ID] [--once] [--interval SECONDS]`: IMAP intake.

Reads every active e-mail inbox that has an `imap_host` (or only `--inbox`), stores new mail,
and then marks it processed (see omnicanal/connectors/email/imap.py for why in that order).
Without `--once` it polls every `--interval` seconds until stopped. One inbox failing (server
down, wrong password) is logged and the others are still read; with `--once` the command
then exits with an error status.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from omnicanal.connectors.email.imap import fetch_inbox
from omnicanal.conversations.models import ChannelKind, Inbox

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fetch new mail of e-mail inboxes over IMAP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inbox", type=int, help="only this inbox id")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="seconds between passes (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            failures = self.fetch_all(options["inbox"])
            if options["once"]:
                if failures:
                    raise CommandError(f"{failures} inbox(es) could not be read completely.")
                return
            # A long-running loop must not keep a connection the database has dropped.
            close_old_connections()
            time.sleep(options["interval"])

    def fetch_all(self, inbox_id: int | None) -> int:
        inboxes = Inbox.objects.filter(channel=ChannelKind.EMAIL, is_active=True)
        if inbox_id is not None:
            inboxes = inboxes.filter(pk=inbox_id)
            if not inboxes.exists():
                raise CommandError(f"No active e-mail inbox {inbox_id}.")
        failures = 0
        for inbox in inboxes:
            if not inbox.settings.get("imap_host"):
                continue
            try:
                report = fetch_inbox(inbox)
            except Exception as exc:
                # The exception names the server and its answer; settings (and so the
                # password) are never part of the message.
                logger.warning(
                    "inbox %s: IMAP read failed: %s: %s", inbox.pk, type(exc).__name__, exc
                )
                self.stderr.write(f"inbox {inbox.pk}: {type(exc).__name__}: {exc}")
                failures += 1
                continue
            self.stdout.write(str(report))
            if report.error:
                failures += 1
        return failures
