"""Account mails (invitations, password resets), sent by the worker in the recipient's
language, plain text, with an absolute link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from omnicanal.accounts.agents import (
    AgentState,
    agent_state,
    invitation_path,
    password_reset_path,
)
from omnicanal.accounts.models import User

logger = logging.getLogger(__name__)

KINDS = ("invitation", "password_reset")
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def system_mail_connection() -> BaseEmailBackend:
    """SMTP to EMAIL_HOST; with no EMAIL_HOST, the log (console): an administrator without a
    mail server still finds the link there, and Settings → Agents offers it to copy. Read at
    send time, since `omnicanal demo` sets its mail server after settings are loaded. Only
    for system mails: an inbox reply with no server must fail visibly, not be logged."""
    if settings.EMAIL_BACKEND == SMTP_BACKEND and not settings.EMAIL_HOST:
        return get_connection(CONSOLE_BACKEND)
    return get_connection()


@task()
def send_account_mail(kind: str, agent_id: int, base_url: str) -> str:
    """Mail `kind` to the agent. The link is made now, from the account as it is: an agent
    deleted meanwhile, or an invitation accepted or revoked before the worker ran, gets
    nothing. A failure to reach the mail server raises (the task shows as failed)."""
    if kind not in KINDS:
        raise ValueError(f"unknown account mail {kind!r}")
    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    if agent is None:
        return "no such active agent"
    if kind == "invitation":
        if agent_state(agent) != AgentState.INVITED:
            return "invitation already accepted"
        path = invitation_path(agent)
    else:
        path = password_reset_path(agent)
    context = {
        "agent": agent,
        "link": base_url.rstrip("/") + path,
        "expiry_days": settings.INVITATION_EXPIRY_DAYS,
        "expiry_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    with translation.override(agent.language):
        subject = render_to_string(f"accounts/emails/{kind}_subject.txt", context)
        body = render_to_string(f"accounts/emails/{kind}.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [agent.email],
              connection=system_mail_connection())
    logger.info("sent %s mail to agent %s", kind, agent.pk)
    return "sent"
