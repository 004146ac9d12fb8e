"""The e-mail channel adapter: raw MIME in, SMTP (or Django's e-mail backend) out."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import replace
from email.utils import formataddr
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import escape, linebreaks

from omnicanal.connectors.base import (
    DeliveryUpdate,
    InboundRequest,
    OutboundMessage,
    ParsedWebhook,
    SendError,
)
from omnicanal.connectors.email.config import EmailSettings
from omnicanal.connectors.email.parsing import parse_email, to_inbound_message
from omnicanal.connectors.email.threading import (
    external_id_for,
    our_message_id,
    reply_subject,
)
from omnicanal.core.exceptions import InvalidInput

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def classify_smtp_error(exc: Exception) -> SendError:
    """Which SMTP failures a retry can fix (RFC 5321 §4.2.1: 4yz transient, 5yz permanent).

    The messages name the server's reply, never the settings: no password reaches a log.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{address}: {code} {_decode(text)}" for address, (code, text) in exc.recipients.items()
        )
        # Every recipient refused for good is permanent; one greylisted (4xx) is worth a retry.
        is_permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return SendError(f"Recipient refused: {detail}", is_permanent=is_permanent)
    if isinstance(exc, smtplib.SMTPResponseException):
        # Sender refused, data refused, authentication failed, HELO refused, connect refused
        # with a reply: the reply code decides.
        code = exc.smtp_code
        text = f"SMTP {code} {_decode(exc.smtp_error)}"
        return SendError(text, is_permanent=500 <= code < 600)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # STARTTLS or AUTH not offered: the inbox's settings are wrong; retrying cannot help.
        return SendError(f"SMTP server does not support it: {exc}", is_permanent=True)
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        # Disconnected, refused connection, timeout, DNS or TLS handshake failure: transient.
        return SendError(f"Could not reach the SMTP server: {exc}", is_permanent=False)
    return SendError(f"Unexpected e-mail failure: {type(exc).__name__}", is_permanent=False)


def text_to_html(text: str) -> str:
    return linebreaks(escape(text))


def _connection(config: EmailSettings) -> BaseEmailBackend:
    timeout = getattr(django_settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    if not config.smtp_host:
        return get_connection(fail_silently=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        fail_silently=False,
        host=config.smtp_host,
        port=config.smtp_port,
        username=config.smtp_username or None,
        password=config.smtp_password or None,
        use_tls=config.smtp_security == "starttls",
        use_ssl=config.smtp_security == "ssl",
        timeout=timeout,
    )


def build_email(message: OutboundMessage, config: EmailSettings) -> EmailMultiAlternatives:
    """The MIME message for an agent's reply: our Message-ID, the thread headers, the subject
    with the conversation token, a text part, a sanitised HTML part, the files."""
    from omnicanal.conversations.ingest import sanitize_html

    if not config.from_address:
        raise SendError("This e-mail inbox has no from_address.", is_permanent=True)
    headers = {"Message-ID": our_message_id(message.message_id, config.domain)}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    references = list(message.references)
    if message.in_reply_to and message.in_reply_to not in references:
        references.append(message.in_reply_to)
    if references:
        headers["References"] = " ".join(references)
    # The agent's name with the team's address: customers see who answers, replies come back
    # to the shared inbox.
    display = message.sender_name or config.from_name
    if message.sender_name and config.from_name:
        display = f"{message.sender_name} ({config.from_name})"
    email = EmailMultiAlternatives(
        subject=reply_subject(
            message.subject, message.conversation_id, is_reply=bool(message.in_reply_to)
        ),
        body=message.text,
        from_email=formataddr((display, config.from_address)),
        to=[message.recipient],
        headers=headers,
    )
    html = sanitize_html(message.html) if message.html else text_to_html(message.text)
    email.attach_alternative(html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment.filename, attachment.content, attachment.content_type)
    return email


class EmailAdapter:
    kind = "email"

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        # Raw MIME comes through the API behind its bearer token; IMAP behind a login.
        return True

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        """One raw RFC 822 message to what ingest() takes. A bounce becomes failure updates
        for the bounced Message-IDs (see `intake.receive_email` for the whole handling)."""
        from omnicanal.connectors.email.intake import bounced_message_ids

        parsed = parse_email(request.body)
        if parsed.is_bounce:
            ids = bounced_message_ids(parsed)
            if not ids:
                return ParsedWebhook(ignored_reason="a bounce naming none of our messages")
            first = parsed.bounce_recipients[0] if parsed.bounce_recipients else None
            error = f"{first.status} {first.reason}: {first.diagnostic}" if first else "bounced"
            return ParsedWebhook(
                updates=[
                    DeliveryUpdate(
                        external_id=i,
                        status="failed",
                        error=error,
                        recipient=first.recipient if first else "",
                    )
                    for i in ids
                ]
            )
        inbound = to_inbound_message(parsed)
        return ParsedWebhook(messages=[replace(inbound, external_id=external_id_for(parsed))])

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        """Send over the inbox's SMTP server; returns our Message-ID, the provider id that
        bounces and replies are matched against."""
        try:
            config = EmailSettings.parse(settings)
        except InvalidInput as exc:
            raise SendError(f"Invalid e-mail settings: {exc.message}", is_permanent=True) from exc
        if not message.recipient or "@" not in message.recipient:
            raise SendError("The contact has no deliverable e-mail address.", is_permanent=True)
        email = build_email(message, config)
        try:
            with _connection(config) as connection:
                connection.send_messages([email])
        except Exception as exc:
            error = classify_smtp_error(exc)
            logger.info("e-mail for message %s not sent: %s", message.message_id, error.message)
            raise error from exc
        return str(email.extra_headers["Message-ID"])
