"""First run: while no account exists, the setup page creates the first administrator.

Once anyone exists the page is gone for good. Two submissions racing each other cannot both
succeed: the check and the insert run in one transaction that holds the user table's write
lock (SQLite takes it when the transaction starts, see settings; PostgreSQL is asked for it).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import Role, User
from omnicanal.core.exceptions import Conflict


def setup_needed() -> bool:
    """True while the database holds no account at all (a fresh installation)."""
    return not User.objects.exists()


def _lock_user_table() -> None:
    # An empty table has no row to lock with SELECT … FOR UPDATE: lock the table itself, in
    # a mode that conflicts with itself and with writes but lets reads (logins) go on.
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(User._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def create_first_administrator(*, name: str, email: str, password: str, language: str) -> User:
    """Create the installation's first account, an administrator who may also open Django's
    technical administration (superuser). Refused once any account exists."""
    with transaction.atomic():
        _lock_user_table()
        if not setup_needed():
            raise Conflict(_("Omnicanal is already set up: log in instead."))
        user = User.objects.create_user(
            email, password, name=name, language=language,
            role=Role.ADMINISTRATOR, is_superuser=True,
        )
        record_audit(user, "setup.first_administrator_created", user, email=user.email)
    return user
