from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.demo.data import DEFAULT_SEED, DemoDataConflict, load_demo_data


class Command(BaseCommand):
    help = (
        "Load the demo: a French customer-service team's last thirty days (accounts, teams, "
        "inboxes, ~200 contacts, ~1,000 conversations). A second run adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0,
            help="Fraction of the full size (contacts and conversations); 0.05 for a quick load.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Seed of the random story (the same seed tells the same story).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo_data(scale=options["scale"], seed=options["seed"])
        except (DemoDataConflict, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        counts = summary.counts
        if summary.is_already_loaded:
            self.stdout.write("Demo data already loaded; nothing added.")
            if not summary.is_password_current:
                self.stderr.write(
                    "The demo accounts have another password than the one configured now "
                    "(DEMO_PASSWORD or the demo_password file changed since the first load)."
                )
        else:
            self.stdout.write(f"Demo data loaded in {summary.seconds:.1f} s.")
        self.stdout.write(
            f"{counts['accounts']} accounts, {counts['teams']} teams, {counts['inboxes']} inboxes, "
            f"{counts['contacts']} contacts ({counts['identities']} identities, "
            f"{counts['merge_suggestions']} merge suggestions), "
            f"{counts['conversations']} conversations (open {counts['conversations_open']}, "
            f"pending {counts['conversations_pending']}, "
            f"snoozed {counts['conversations_snoozed']}, "
            f"resolved {counts['conversations_resolved']}), {counts['messages']} messages "
            f"({counts['messages_incoming']} from customers, {counts['messages_outgoing']} "
            f"replies, {counts['messages_note']} notes, {counts['messages_activity']} activity "
            "lines)."
        )
