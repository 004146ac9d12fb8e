"""What every provider's webhook view shares: the request as received, the inbox lookup,
the signature check, and handing the parsed events to ingest.

Each `ingest_event` / `apply_delivery_update` commits on its own before the view answers;
a crash midway answers 500, the provider retries, and the events already stored are
recognised by their ids (ingest is idempotent on them), so the retry completes the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse

from omnicanal.connectors.base import ChannelAdapter, IdentityKind, InboundRequest, ParsedWebhook
from omnicanal.connectors.media import MEDIA_CHANNELS, enqueue_media_fetches
from omnicanal.conversations.actions import apply_delivery_update
from omnicanal.conversations.ingest import apply_delivery_watermark, ingest_event
from omnicanal.conversations.models import DeliveryStatus, Inbox
from omnicanal.core.exceptions import InvalidInput
from omnicanal.core.text import clean_text

logger = logging.getLogger(__name__)

# Whose identity a status without a message id names, per channel (Messenger watermarks).
WATERMARK_IDENTITIES = {"messenger": IdentityKind.MESSENGER, "instagram": IdentityKind.INSTAGRAM}


def text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def inbound_request(request: HttpRequest, url: str = "") -> InboundRequest:
    """The exact raw body and the URL the provider called (what signatures cover)."""
    return InboundRequest(
        body=request.body,
        headers={name.lower(): value for name, value in request.headers.items()},
        url=url or request.build_absolute_uri(),
        method=request.method or "POST",
    )


def find_inbox(inbox_id: int, channels: tuple[str, ...], provider: str = "") -> Inbox | None:
    """The active inbox of one of these channels; `provider` must match when given.

    A WhatsApp inbox without "provider" is a Cloud API inbox (the default).
    """
    inbox = Inbox.objects.filter(pk=inbox_id, channel__in=channels, is_active=True).first()
    if inbox is None or not provider:
        return inbox
    configured = inbox.settings.get("provider") or (
        "whatsapp_cloud" if inbox.channel == "whatsapp" else "twilio"
    )
    return inbox if configured == provider else None


def handle(
    inbox: Inbox, adapter: ChannelAdapter, request: InboundRequest, settings: Mapping[str, Any]
) -> HttpResponse:
    """Verify, parse and ingest one webhook; 2xx only once everything is committed."""
    if not adapter.verify(request, settings):
        logger.warning("webhook for inbox %s refused: bad signature", inbox.pk)
        return text("The signature does not match this inbox's secret.", 403)
    parsed = adapter.parse(request, settings)
    receive(inbox, parsed)
    if parsed.ignored_reason:
        # Answered 200 all the same: a retry of something we cannot use would never end.
        logger.info("webhook for inbox %s ignored: %s", inbox.pk, parsed.ignored_reason)
    return text("ok", 200)


def receive(inbox: Inbox, parsed: ParsedWebhook) -> None:
    for inbound in parsed.messages:
        try:
            result = ingest_event(inbox, inbound)
        except InvalidInput as exc:
            # Malformed for good (no sender, text over the limit): a retry brings the same.
            logger.warning(
                "inbox %s: %s %r not ingested: %s", inbox.pk, inbound.kind, inbound.external_id,
                exc,
            )
            continue
        if result.ignored_reason:
            logger.info("inbox %s: %s", inbox.pk, result.ignored_reason)
        if result.is_new_message and result.message_id and inbox.channel in MEDIA_CHANNELS:
            enqueue_media_fetches(result.message_id)
    for update in parsed.updates:
        # Ids and errors are looked up and stored: minus NUL and unpaired surrogates.
        update = replace(
            update, external_id=clean_text(update.external_id), error=clean_text(update.error),
            recipient=clean_text(update.recipient),
        )
        status = DeliveryStatus(update.status)
        if update.external_id:
            apply_delivery_update(inbox.pk, update.external_id, status, update.error)
        elif update.timestamp and update.recipient and inbox.channel in WATERMARK_IDENTITIES:
            apply_delivery_watermark(
                inbox, WATERMARK_IDENTITIES[inbox.channel], update.recipient, status,
                update.timestamp,
            )
