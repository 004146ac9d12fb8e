"""Provider webhooks, one URL per inbox: /webhooks/<provider>/<inbox_id>/."""

from __future__ import annotations

from django.urls import path

from omnicanal.connectors.meta import views as meta
from omnicanal.connectors.telegram import views as telegram
from omnicanal.connectors.twilio import views as twilio
from omnicanal.connectors.whatsapp_cloud import views as whatsapp_cloud

app_name = "webhooks"

urlpatterns = [
    path("twilio/<int:inbox_id>/", twilio.webhook, name="twilio"),
    path("whatsapp_cloud/<int:inbox_id>/", whatsapp_cloud.webhook, name="whatsapp_cloud"),
    path("messenger/<int:inbox_id>/", meta.messenger_webhook, name="messenger"),
    path("instagram/<int:inbox_id>/", meta.instagram_webhook, name="instagram"),
    path("telegram/<int:inbox_id>/", telegram.webhook, name="telegram"),
]
