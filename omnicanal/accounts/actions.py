"""Accounts: tokens, roles and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import ApiToken, AuditLogEntry, User
from omnicanal.core.exceptions import PermissionDenied

TOKEN_PREFIX = "omc_"  # noqa: S105 - a public marker, not a secret


def hash_token(token: str) -> str:
    # Tokens are long random strings, so a fast unsalted hash is safe here and lets us look
    # a token up by its hash in one indexed query.
    return hashlib.sha256(token.encode()).hexdigest()


def record_audit(
    actor: User | None, action: str, target: Model | None = None, **data: Any
) -> AuditLogEntry:
    return AuditLogEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


def issue_token(user: User, *, name: str = "", actor: User | None = None) -> str:
    """Create a token for `user` and return it in clear: the only time it is ever shown."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            user=user, name=name, prefix=token[:12], token_hash=hash_token(token)
        )
        record_audit(actor, "api_token.issued", api_token, user=user.email, name=name)
    return token


def authenticate_token(token: str) -> User | None:
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    # Writing on every request would serialise API traffic on SQLite; a minute is precise enough.
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user


def revoke_token(api_token: ApiToken, *, actor: User) -> None:
    if actor != api_token.user and not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator can revoke another agent's token."))
    with transaction.atomic():
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])
        record_audit(actor, "api_token.revoked", api_token)


def require_administrator(user: User) -> None:
    if not user.is_administrator:
        raise PermissionDenied(_("This needs the administrator role."))


def require_supervisor(user: User) -> None:
    if not user.is_supervisor_or_above:
        raise PermissionDenied(_("This needs the supervisor or administrator role."))
