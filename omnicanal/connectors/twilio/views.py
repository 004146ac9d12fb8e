"""Twilio webhooks: POST /webhooks/twilio/<inbox_id>/ for messages and status callbacks.

One URL serves an SMS inbox or a WhatsApp inbox with provider "twilio"; set it as the
number's "A message comes in" webhook and as the status callback.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from omnicanal.connectors.twilio.adapter import TwilioAdapter, TwilioWhatsAppAdapter
from omnicanal.connectors.views import find_inbox, handle, inbound_request, text


def received_url(request: HttpRequest, *, trust_forwarded: bool) -> str:
    """The URL Twilio signed. Behind a TLS-terminating proxy the request arrives as http on
    an internal host; X-Forwarded-Proto/Host give back what Twilio called, but only when the
    inbox says a proxy sets them (otherwise anyone could choose the URL we check against)."""
    scheme, host = request.scheme or "http", request.get_host()
    if trust_forwarded:
        scheme = (request.headers.get("X-Forwarded-Proto") or scheme).split(",")[0].strip()
        host = (request.headers.get("X-Forwarded-Host") or host).split(",")[0].strip()
    return f"{scheme}://{host}{request.get_full_path()}"


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = find_inbox(inbox_id, ("sms", "whatsapp"), provider="twilio")
    if inbox is None:
        return text("No active Twilio inbox here.", 404)
    settings = inbox.settings
    url = received_url(request, trust_forwarded=settings.get("trust_forwarded_headers") is True)
    adapter = TwilioWhatsAppAdapter() if inbox.channel == "whatsapp" else TwilioAdapter()
    return handle(inbox, adapter, inbound_request(request, url), settings)
