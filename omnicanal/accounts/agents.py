"""Agents' accounts: invitations, role, teams, language, deactivation, and passwords set from
a link (an invitation or a reset). Capacity and skills are routing's (`configure_agent`).

An invitation is an account with an unusable password and a signed link. The link carries the
account's id and a fingerprint of what changes once it is used or replaced (the password hash,
the invitation date, whether the account is active): setting a password, resending the
invitation or deactivating the account makes every earlier link stop working, without a table
of tokens. The signature's timestamp makes it expire after `INVITATION_EXPIRY_DAYS`.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import Language, Role, Team, User
from omnicanal.core.exceptions import InvalidInput, PermissionDenied

INVITATION_SALT = "omnicanal.accounts.invitation"


class AgentState(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def agent_state(agent: User) -> AgentState:
    if not agent.is_active:
        return AgentState.DEACTIVATED
    if not agent.has_usable_password():
        return AgentState.INVITED
    return AgentState.ACTIVE


# Links.


def _fingerprint(agent: User) -> str:
    value = f"{agent.pk}:{agent.password}:{agent.date_joined.timestamp()}:{agent.is_active}"
    return salted_hmac(INVITATION_SALT, value, algorithm="sha256").hexdigest()[:32]


def invitation_token(agent: User) -> str:
    return signing.dumps({"agent": agent.pk, "check": _fingerprint(agent)}, salt=INVITATION_SALT)


class LinkProblem(enum.StrEnum):
    EXPIRED = "expired"
    # Used already, replaced by a newer one, revoked, or never ours.
    INVALID = "invalid"


@dataclass(frozen=True)
class CheckedLink:
    agent: User | None
    problem: LinkProblem | None = None


def check_invitation(token: str) -> CheckedLink:
    """The invited agent the link is for, or why it does not work any more."""
    max_age = settings.INVITATION_EXPIRY_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return CheckedLink(None, LinkProblem.EXPIRED)
    except signing.BadSignature:
        return CheckedLink(None, LinkProblem.INVALID)
    agent = User.objects.filter(pk=payload.get("agent")).first()
    if (
        agent is None
        or agent_state(agent) != AgentState.INVITED
        or not constant_time_compare(str(payload.get("check")), _fingerprint(agent))
    ):
        return CheckedLink(None, LinkProblem.INVALID)
    return CheckedLink(agent)


def invitation_path(agent: User) -> str:
    return f"/invitation/{invitation_token(agent)}/"


def password_reset_path(agent: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(agent.pk))
    return f"/password/reset/{uidb64}/{default_token_generator.make_token(agent)}/"


def check_password_reset(uidb64: str, token: str) -> User | None:
    """The agent a reset link is for, if it is still valid (Django's token: expires after
    `PASSWORD_RESET_TIMEOUT`, and stops working once the password or last login changed)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    agent = User.objects.filter(pk=pk, is_active=True).first()
    if agent is None or not default_token_generator.check_token(agent, token):
        return None
    return agent


# Changes.


def _enqueue_mail(kind: str, agent: User, base_url: str) -> None:
    from omnicanal.accounts.tasks import send_account_mail

    # The task row is written in this transaction (database queue) and the worker picks it up
    # after commit; a rolled-back invitation sends nothing. The link is made in the task, so
    # that no token sits in the task table.
    send_account_mail.enqueue(kind, agent.pk, base_url)


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip()).lower()
    if not email or "@" not in email:
        raise InvalidInput(_("Enter a valid e-mail address."))
    return email


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise InvalidInput(_("Unknown role: %(role)s."), role=role)
    return role


def _check_language(language: str) -> str:
    if language not in Language.values:
        raise InvalidInput(_("Unknown language: %(language)s."), language=language)
    return language


def invite_agent(
    actor: User,
    *,
    email: str,
    name: str = "",
    role: str = Role.AGENT,
    language: str = Language.FRENCH,
    teams: Collection[Team] = (),
    base_url: str,
) -> User:
    """Create the account (no password yet) and e-mail them a link to set one. `base_url` is
    the site's address as the administrator reached it, for the link in the mail."""
    require_administrator(actor)
    email = _clean_email(email)
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise InvalidInput(_("An agent with this e-mail address already exists."))
        agent = User(
            email=email, name=name.strip(), role=_check_role(role),
            language=_check_language(language),
        )
        agent.set_unusable_password()
        agent.save()
        agent.teams.set(teams)
        record_audit(actor, "agent.invited", agent, email=email, role=role,
                     teams=sorted(team.name for team in teams))
        _enqueue_mail("invitation", agent, base_url)
    return agent


def resend_invitation(actor: User, agent: User, *, base_url: str) -> User:
    """A new link, valid for the full period again; the previous links stop working."""
    require_administrator(actor)
    with transaction.atomic():
        agent = User.objects.select_for_update().get(pk=agent.pk)
        if agent_state(agent) != AgentState.INVITED:
            raise InvalidInput(_("This agent has no pending invitation."))
        agent.date_joined = timezone.now()
        agent.save(update_fields=["date_joined"])
        record_audit(actor, "agent.invitation_resent", agent, email=agent.email)
        _enqueue_mail("invitation", agent, base_url)
    return agent


def revoke_invitation(actor: User, agent: User) -> None:
    """Take back an invitation nobody accepted: the account goes (it never logged in, so it
    holds nothing), and the address can be invited again."""
    require_administrator(actor)
    with transaction.atomic():
        agent = User.objects.select_for_update().get(pk=agent.pk)
        if agent_state(agent) != AgentState.INVITED or agent.last_login is not None:
            raise InvalidInput(_("This agent has no pending invitation."))
        record_audit(actor, "agent.invitation_revoked", agent, email=agent.email)
        agent.delete()


def _other_active_administrators(agent: User) -> bool:
    # Locked, so that two administrators demoting each other at once cannot leave none.
    admins = User.objects.select_for_update().filter(role=Role.ADMINISTRATOR, is_active=True)
    return any(pk != agent.pk for pk in admins.values_list("pk", flat=True))


def update_agent(
    actor: User,
    agent: User,
    *,
    name: str,
    role: str,
    language: str,
    teams: Collection[Team],
    is_active: bool,
) -> User:
    """Change an agent's account. The last active administrator can be neither demoted nor
    deactivated: nobody would be left to manage the helpdesk."""
    require_administrator(actor)
    role = _check_role(role)
    language = _check_language(language)
    with transaction.atomic():
        agent = User.objects.select_for_update().get(pk=agent.pk)
        loses_admin = agent.is_administrator and agent.is_active and (
            role != Role.ADMINISTRATOR or not is_active
        )
        if loses_admin and not _other_active_administrators(agent):
            raise PermissionDenied(_(
                "This is the last active administrator: make another agent an administrator "
                "first."
            ))
        changes: dict[str, object] = {}
        for field, value in (("name", name.strip()), ("role", role), ("language", language),
                             ("is_active", is_active)):
            if getattr(agent, field) != value:
                changes[field] = value
                setattr(agent, field, value)
        if changes:
            agent.save(update_fields=list(changes))
        before = set(agent.teams.values_list("pk", flat=True))
        after = {team.pk for team in teams}
        if before != after:
            agent.teams.set(teams)
            changes["teams"] = sorted(team.name for team in teams)
        if changes:
            record_audit(actor, "agent.updated", agent, **changes)
    return agent


def accept_invitation(agent: User, password: str) -> User:
    """The invited agent chose their password (already validated): the account is theirs."""
    with transaction.atomic():
        agent.set_password(password)
        agent.save(update_fields=["password"])
        record_audit(agent, "agent.invitation_accepted", agent)
    return agent


def request_password_reset(email: str, *, base_url: str) -> None:
    """Mail a reset link if an active account has this address; say nothing either way (the
    page answers the same, so that it tells nobody who has an account here). An invited agent
    who lost their invitation gets a link too: it sets their first password."""
    with transaction.atomic():
        agent = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if agent is not None:
            _enqueue_mail("password_reset", agent, base_url)


def reset_password(agent: User, password: str) -> User:
    """Set the password chosen from a reset link (already validated); the link stops working
    since the token depends on the password."""
    with transaction.atomic():
        agent.set_password(password)
        agent.save(update_fields=["password"])
        record_audit(agent, "agent.password_reset", agent)
    return agent
