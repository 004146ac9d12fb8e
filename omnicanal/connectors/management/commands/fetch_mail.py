"""`omnicanal fetch_mail [--inbox ID] [--once] [--interval SECONDS]`: IMAP intake.

Reads every active e-mail inbox that has an `imap_host` (or only `--inbox`), stores new mail,
and then marks it processed (see omnicanal/connectors/email/imap.py for why in that order).
Without `--once` it runs until stopped: between passes it waits with IMAP IDLE on the inboxes
whose server offers it (a new mail starts the next pass within about a second; the IDLE is
renewed at least every 29 minutes, `--idle-refresh`), and polls the others every
`--interval` seconds. One inbox failing (server down, wrong password) is logged and the
others are still read (a failing inbox is polled, not idled on, until it reads cleanly);
with `--once` the command then exits with an error status. `--max-cycles N` stops after N
passes (tests, supervised one-shot runs).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from omnicanal.connectors.email.imap import IDLE_REFRESH_SECONDS, fetch_inbox, wait_for_mail
from omnicanal.conversations.models import ChannelKind, Inbox

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fetch new mail of e-mail inboxes over IMAP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inbox", type=int, help="only this inbox id")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="seconds between passes for servers without IDLE (default 60)",
        )
        parser.add_argument(
            "--idle-refresh",
            type=float,
            default=IDLE_REFRESH_SECONDS,
            help="longest IDLE before a new pass, in seconds (default and maximum 1740)",
        )
        parser.add_argument("--max-cycles", type=int, help="stop after this many passes")

    def handle(self, *args: Any, **options: Any) -> None:
        cycles = 0
        while True:
            failed = self.fetch_all(options["inbox"])
            cycles += 1
            if options["once"]:
                if failed:
                    raise CommandError(f"{len(failed)} inbox(es) could not be read completely.")
                return
            if options["max_cycles"] is not None and cycles >= options["max_cycles"]:
                return
            # A long-running loop must not keep a connection the database has dropped.
            close_old_connections()
            waited = wait_for_mail(
                self.imap_inboxes(options["inbox"]),
                interval=options["interval"],
                refresh=options["idle_refresh"],
                poll_only=failed,
            )
            logger.debug(
                "waited %.1fs: woken by %s, idled on %s, polled %s",
                waited.seconds, waited.woken, waited.idled, waited.polled,
            )
            # The wait may have lasted up to 29 minutes: the database may have dropped us.
            close_old_connections()

    def imap_inboxes(self, inbox_id: int | None) -> list[Inbox]:
        inboxes = Inbox.objects.filter(channel=ChannelKind.EMAIL, is_active=True)
        if inbox_id is not None:
            inboxes = inboxes.filter(pk=inbox_id)
            if not inboxes.exists():
                raise CommandError(f"No active e-mail inbox {inbox_id}.")
        return [inbox for inbox in inboxes if inbox.settings.get("imap_host")]

    def fetch_all(self, inbox_id: int | None) -> set[int]:
        """Read every inbox once; the ids of those that could not be read completely."""
        failed: set[int] = set()
        for inbox in self.imap_inboxes(inbox_id):
            try:
                report = fetch_inbox(inbox)
            except Exception as exc:
                # The exception names the server and its answer; settings (and so the
                # password) are never part of the message.
                logger.warning(
                    "inbox %s: IMAP read failed: %s: %s", inbox.pk, type(exc).__name__, exc
                )
                self.stderr.write(f"inbox {inbox.pk}: {type(exc).__name__}: {exc}")
                failed.add(inbox.pk)
                continue
            self.stdout.write(str(report))
            if report.error:
                failed.add(inbox.pk)
        return failed
