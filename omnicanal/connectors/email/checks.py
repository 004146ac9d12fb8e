""""Test connection" for an e-mail inbox: really connect, as the channel will, and say
what each step answered — IMAP (connect, log in, select the folder) and SMTP (connect,
EHLO, STARTTLS when asked, log in). Errors name the server's answer, never a credential."""

from __future__ import annotations

import contextlib
import smtplib
import ssl

from django.utils.translation import gettext_lazy as _
from imapclient.exceptions import IMAPClientError

from omnicanal.connectors.base import CheckResult
from omnicanal.connectors.email.config import EmailSettings
from omnicanal.connectors.email.imap import _scrub, connect
from omnicanal.core.exceptions import InvalidInput

TIMEOUT_SECONDS = 15


def _reason(exc: BaseException, *secrets: str) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, bytes | bytearray):  # pragma: no cover - defensive
        text = exc.decode(errors="replace")
    for secret in secrets:
        text = _scrub(text, secret)
    return text[:300]


def check_imap(config: EmailSettings) -> CheckResult:
    step = _("IMAP %(host)s:%(port)s") % {"host": config.imap_host, "port": config.imap_port}
    if not config.imap_host:
        return CheckResult(_("IMAP"), False, _("No IMAP server: incoming mail is not fetched."))
    try:
        with connect(config) as client:
            info = client.select_folder(config.imap_mailbox, readonly=True)
            count = int(info.get(b"EXISTS", 0))
    except InvalidInput as exc:
        return CheckResult(step, False, exc.message)
    except (IMAPClientError, OSError, ssl.SSLError, TimeoutError) as exc:
        return CheckResult(step, False, _reason(exc, config.imap_password,
                                                config.imap_access_token))
    return CheckResult(step, True, _(
        "Logged in as %(user)s; folder %(folder)s opened (%(count)s messages)."
    ) % {"user": config.imap_username, "folder": config.imap_mailbox, "count": count})


def check_smtp(config: EmailSettings) -> CheckResult:
    if not config.smtp_host:
        return CheckResult(_("SMTP"), True, _(
            "No SMTP server: replies go through the server's own e-mail settings."
        ))
    step = _("SMTP %(host)s:%(port)s") % {"host": config.smtp_host, "port": config.smtp_port}
    context = ssl.create_default_context()
    try:
        server: smtplib.SMTP
        if config.smtp_security == "ssl":
            server = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port,
                                      timeout=TIMEOUT_SECONDS, context=context)
        else:
            server = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS)
        try:
            code, _answer = server.ehlo()
            if code != 250:
                return CheckResult(step, False, _("EHLO refused (%(code)s).") % {"code": code})
            if config.smtp_security == "starttls":
                server.starttls(context=context)
                server.ehlo()
            if config.smtp_username:
                server.login(config.smtp_username, config.smtp_password)
        finally:
            # Closing a connection the server may already have dropped.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                server.quit()
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        return CheckResult(step, False, _reason(exc, config.smtp_password))
    if config.smtp_username:
        return CheckResult(step, True, _("Connected, EHLO accepted, logged in as %(user)s.")
                           % {"user": config.smtp_username})
    return CheckResult(step, True, _("Connected, EHLO accepted (no login configured)."))


def check_connection(config: EmailSettings) -> list[CheckResult]:
    """Every server the inbox uses, each really connected to."""
    return [check_imap(config), check_smtp(config)]
