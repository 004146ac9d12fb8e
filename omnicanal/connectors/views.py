"""Provider webhooks, one URL per inbox: /webhooks/<provider>/<inbox_id>/. The inbox's
adapter (from the registry) says whether it receives on that provider, checks the signature,
parses, and answers Meta's subscription handshake; this view hands what it parsed to ingest.

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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from omnicanal.connectors.base import ChannelAdapter, InboundRequest, ParsedWebhook
from omnicanal.connectors.registry import adapter_for
from omnicanal.conversations.actions import apply_delivery_update
from omnicanal.conversations.ingest import apply_delivery_watermark, ingest_event
from omnicanal.conversations.models import DeliveryStatus, Inbox
from omnicanal.core.exceptions import InvalidInput
from omnicanal.core.text import clean_text

logger = logging.getLogger(__name__)

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


def find_inbox(inbox_id: int, provider: str) -> tuple[Inbox, ChannelAdapter] | None:
    """The active inbox and its adapter, when the inbox receives on this provider (a
    WhatsApp inbox on the Cloud API does not answer at /webhooks/twilio/)."""
    inbox = Inbox.objects.filter(pk=inbox_id, is_active=True).first()
    if inbox is None:
        return None
    try:
        adapter = adapter_for(inbox.channel)
    except LookupError:
        return None
    if adapter.webhook_provider(inbox.settings) != provider:
        return None
    return inbox, adapter


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, provider: str, inbox_id: int) -> HttpResponse:
    found = find_inbox(inbox_id, provider)
    if found is None:
        return text(f"No active {provider} inbox here.", 404)
    inbox, adapter = found
    settings = inbox.settings
    if request.method == "GET":
        if not adapter.answers_handshake(settings):
            return HttpResponse(status=405, headers={"Allow": "POST"})
        query = {key: request.GET.get(key, "") for key in request.GET}
        challenge = adapter.subscription_challenge(query, settings)
        if challenge is None:
            return text("The verify token does not match this inbox.", 403)
        return text(challenge, 200)
    url = adapter.received_url(request, settings)
    return handle(inbox, adapter, inbound_request(request, url), settings)


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
    adapter = adapter_for(inbox.channel)
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
    for update in parsed.updates:
        # Ids and errors are looked up and stored: minus NUL and unpaired surrogates.
        update = replace(
            update, external_id=clean_text(update.external_id), error=clean_text(update.error),
            recipient=clean_text(update.recipient),
        )
        status = DeliveryStatus(update.status)
        if update.external_id:
            apply_delivery_update(inbox.pk, update.external_id, status, update.error)
        elif update.timestamp and update.recipient and adapter.watermark_identity:
            apply_delivery_watermark(
                inbox, adapter.watermark_identity, update.recipient, status, update.timestamp,
            )
