"""The e-mail channel adapter: raw MIME in, SMTP (or Django's e-mail backend) out."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import formataddr
from typing import TYPE_CHECKING, Any

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import escape, linebreaks

from omnicanal.connectors.base import (
    BaseAdapter,
    CheckResult,
    DeliveryUpdate,
    IdentityKind,
    InboundRequest,
    MediaRules,
    OutboundMessage,
    ParsedWebhook,
    SendError,
)
from omnicanal.connectors.email.config import EmailInboxSettings, EmailSettings
from omnicanal.connectors.email.parsing import ParsedEmail, parse_email, to_inbound_message
from omnicanal.connectors.email.threading import (
    external_id_for,
    our_message_id,
    reply_subject,
    with_thread_headers,
)
from omnicanal.core.exceptions import InvalidInput

if TYPE_CHECKING:
    from omnicanal.conversations.models import Message

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


@dataclass(frozen=True)
class ParsedEmailWebhook(ParsedWebhook):
    """What `EmailAdapter.parse` makes of one raw mail: the generic messages and updates,
    plus the parsed mail, whose delivery report `intake.receive_email` acts on (which of
    our messages it names, which address a hard bounce condemns)."""

    email: ParsedEmail | None = None


class EmailAdapter(BaseAdapter):
    kind = "email"
    work_kind = "email"
    settings_schema = EmailInboxSettings
    recipient_kinds = (IdentityKind.EMAIL,)
    has_global_addresses = True
    supports_html = True
    can_check_connection = True
    can_start_conversation = True
    has_subject = True

    def check_connection(self, settings: Mapping[str, Any]) -> list[CheckResult]:
        from omnicanal.connectors.email.checks import check_connection

        return check_connection(EmailSettings.parse(settings))

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        # Raw MIME comes through the API behind its bearer token; IMAP behind a login.
        return True

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedEmailWebhook:
        """One raw RFC 822 message (from IMAP or the raw-MIME route) to what ingest() takes.
        A bounce becomes failure updates for the bounced Message-IDs, a "delivered" report
        delivered updates; a customer's mail one message, its text cut to what ingest()
        stores (the full original stays in the mailboxes)."""
        from omnicanal.connectors.email.intake import bounced_message_ids

        parsed = parse_email(request.body)
        if parsed.report is not None and parsed.report.kind == "delivered":
            return ParsedEmailWebhook(
                updates=[
                    DeliveryUpdate(external_id=i, status="delivered", provider_status="delivered")
                    for i in bounced_message_ids(parsed)
                ],
                email=parsed,
            )
        if parsed.report is not None and parsed.report.kind == "complaint":
            # A spam complaint (ARF, SES) says the mail arrived: nothing failed.
            return ParsedEmailWebhook(ignored_reason="a complaint about our mail", email=parsed)
        if parsed.is_bounce:
            ids = bounced_message_ids(parsed)
            if not ids:
                return ParsedEmailWebhook(
                    ignored_reason="a bounce naming none of our messages", email=parsed
                )
            first = parsed.bounce_recipients[0] if parsed.bounce_recipients else None
            error = f"{first.status} {first.reason}: {first.diagnostic}" if first else "bounced"
            return ParsedEmailWebhook(
                updates=[
                    DeliveryUpdate(
                        external_id=i,
                        status="failed",
                        error=error,
                        recipient=first.recipient if first else "",
                    )
                    for i in ids
                ],
                email=parsed,
            )
        if parsed.sender is None or not parsed.sender.address:
            return ParsedEmailWebhook(ignored_reason="the mail has no sender address", email=parsed)
        own_address = str(settings.get("from_address") or "").strip().lower()
        if own_address and parsed.sender.address == own_address:
            # Our own mail come back (a Cc to the support address, a forwarding loop): storing
            # it would make the team a customer of itself.
            return ParsedEmailWebhook(
                ignored_reason="the mail comes from the inbox's own address", email=parsed
            )
        inbound = to_inbound_message(parsed)
        limit = django_settings.MESSAGE_TEXT_MAX_LENGTH
        # ingest() refuses longer text; a long mail is still a customer's mail, so it is cut.
        inbound = replace(
            inbound, external_id=external_id_for(parsed), text=inbound.text[:limit]
        )
        return ParsedEmailWebhook(messages=[inbound], email=parsed)

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        # Mail servers commonly refuse mails over 25 MB, and base64 adds a third.
        return MediaRules(max_count=10, max_bytes=18 * 1024 * 1024)

    def prepare_outbound(self, message: Message, outbound: OutboundMessage) -> OutboundMessage:
        # E-mail threads on headers built from the conversation's stored Message-IDs, and
        # goes to an e-mail identity (verified first), with the message's files.
        return with_thread_headers(message, outbound)

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
