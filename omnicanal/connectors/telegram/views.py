"""Telegram webhook: POST /webhooks/telegram/<inbox_id>/, registered with setWebhook
(url=…, secret_token=<the inbox's secret_token>)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from omnicanal.connectors.telegram.adapter import TelegramAdapter
from omnicanal.connectors.views import find_inbox, handle, inbound_request, text


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = find_inbox(inbox_id, ("telegram",))
    if inbox is None:
        return text("No active Telegram inbox here.", 404)
    return handle(inbox, TelegramAdapter(), inbound_request(request), inbox.settings)
