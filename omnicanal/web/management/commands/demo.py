import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.accounts.models import Language
from omnicanal.demo.data import DEMO_LOGINS, INBOXES, demo_password
from omnicanal.demo.sinks import SmtpSink, connect_demo_inboxes
from omnicanal.settings import env_int


class Command(BaseCommand):
    help = (
        "The product with demo data (`make demo`): migrate, load the demo once, start the "
        "local sinks replies are delivered to (an SMTP receiver, /demo/ stand-ins), print the "
        "logins, then serve with the task worker. Ctrl-C stops everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000),
                            help="Port to listen on (default: PORT, else 8000).")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the worker.")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Size of the demo data, as a fraction of the full size.")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            self.stdout.write("Migrating the database…")
            # A fresh database applies dozens of migrations; their names only help debugging.
            call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
            self.stdout.write(f"Database ready in {time.monotonic() - started:.1f} s.")
            call_command("load_demo_data", scale=options["scale"], verbosity=verbosity,
                         stdout=self.stdout, stderr=self.stderr)
        except KeyboardInterrupt:
            # The load is one transaction: an interrupted one leaves nothing to clean up.
            raise CommandError("Interrupted before the server started; run it again.") from None

        host = options["host"]
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        base_url = f"http://{shown_host}:{options['port']}"
        smtp = SmtpSink().start()
        try:
            self.use_sinks(smtp, base_url)
            self.stdout.write(self.banner(base_url, smtp))
            self.stdout.flush()
            call_command("serve", host=host, port=options["port"],
                         no_worker=options["no_worker"], stdout=self.stdout, stderr=self.stderr)
        finally:
            smtp.stop()

    def use_sinks(self, smtp: SmtpSink, base_url: str) -> None:
        """The SMTP receiver becomes the system mail server of this process and of the worker
        `serve` starts (which reads its settings from the environment); the /demo/ sinks are
        served; the demo inboxes send to them."""
        sink_environment = {
            "EMAIL_HOST": smtp.host, "EMAIL_PORT": str(smtp.port), "DEMO_SINKS": "true",
            # The provider stand-ins fetch a reply's files from their signed links here.
            "PUBLIC_URL": settings.PUBLIC_URL or base_url,
        }
        os.environ.update(sink_environment)
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
        settings.PUBLIC_URL = sink_environment["PUBLIC_URL"]
        settings.DEMO_SINKS = True
        connect_demo_inboxes(base_url, [name for name, _, _ in INBOXES])

    def banner(self, base_url: str, smtp: SmtpSink) -> str:
        lines = [
            "",
            f"Omnicanal: {base_url}/",
            f"Demo logins (password for all: {demo_password()}):",
        ]
        for language, heading in ((Language.FRENCH, "in French"),
                                  (Language.ENGLISH, "in English")):
            lines.append(f"  {heading}:")
            lines.extend(
                f"    {account.role.value:<14} {account.email:<30} {account.name}"
                for account in DEMO_LOGINS if account.language == language
            )
        lines += [
            f"Replies, mails and provider calls stay on this machine: see {base_url}/demo/outbox/",
            f"(SMTP receiver on {smtp.host}:{smtp.port}).",
            "Ctrl-C stops the server and the worker.",
            "",
        ]
        return "\n".join(lines)
