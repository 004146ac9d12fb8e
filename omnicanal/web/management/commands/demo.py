import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.demo.data import DEMO_LOGINS, demo_password
from omnicanal.settings import env_int


class Command(BaseCommand):
    help = (
        "The product with demo data (`make demo`): migrate, load the demo once, print the "
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
        password = demo_password()
        lines = [
            "",
            f"Omnicanal: http://{shown_host}:{options['port']}/",
            f"Demo logins (password for all: {password}):",
            *(f"  {account.role.value:<14} {account.email}" for account in DEMO_LOGINS),
            "Ctrl-C stops the server and the worker.",
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
        call_command("serve", host=host, port=options["port"], no_worker=options["no_worker"],
                     stdout=self.stdout, stderr=self.stderr)
