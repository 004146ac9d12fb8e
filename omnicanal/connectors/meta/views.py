"""Messenger and Instagram webhooks: /webhooks/messenger/<inbox_id>/ and
/webhooks/instagram/<inbox_id>/ (GET subscription handshake, POST events)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from omnicanal.connectors.meta.adapter import InstagramAdapter, MessengerAdapter
from omnicanal.connectors.meta.signature import verify_subscription
from omnicanal.connectors.views import find_inbox, handle, inbound_request, text


def subscription_handshake(request: HttpRequest, settings: Mapping[str, Any]) -> HttpResponse:
    """Meta's GET `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: echo the
    challenge when the token is the inbox's, else 403."""
    query = {key: request.GET.get(key, "") for key in request.GET}
    challenge = verify_subscription(query, str(settings.get("verify_token", "")))
    if challenge is None:
        return text("The verify token does not match this inbox.", 403)
    return text(challenge, 200)


def _webhook(request: HttpRequest, inbox_id: int, channel: str) -> HttpResponse:
    inbox = find_inbox(inbox_id, (channel,))
    if inbox is None:
        return text(f"No active {channel} inbox here.", 404)
    if request.method == "GET":
        return subscription_handshake(request, inbox.settings)
    adapter = InstagramAdapter() if channel == "instagram" else MessengerAdapter()
    return handle(inbox, adapter, inbound_request(request), inbox.settings)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messenger_webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    return _webhook(request, inbox_id, "messenger")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def instagram_webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    return _webhook(request, inbox_id, "instagram")
