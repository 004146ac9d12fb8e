from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.accounts.actions import issue_token
from omnicanal.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for the agent with this e-mail address (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="cli", help="A label to tell tokens apart.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active agent with the e-mail {options['email']}.")
        token = issue_token(user, name=options["name"])
        self.stdout.write(f"Token for {user.email} (store it now, it is not shown again):")
        self.stdout.write(token)
