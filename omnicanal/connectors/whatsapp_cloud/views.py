"""WhatsApp Cloud API webhooks: /webhooks/whatsapp_cloud/<inbox_id>/.

GET answers Meta's subscription handshake with the inbox's verify_token; POST carries
messages, statuses and echoes, signed with the app secret.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from omnicanal.connectors.meta.views import subscription_handshake
from omnicanal.connectors.views import find_inbox, handle, inbound_request, text
from omnicanal.connectors.whatsapp_cloud.adapter import WhatsAppCloudAdapter


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = find_inbox(inbox_id, ("whatsapp",), provider="whatsapp_cloud")
    if inbox is None:
        return text("No active WhatsApp Cloud inbox here.", 404)
    if request.method == "GET":
        return subscription_handshake(request, inbox.settings)
    return handle(inbox, WhatsAppCloudAdapter(), inbound_request(request), inbox.settings)
