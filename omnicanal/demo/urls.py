"""/demo/…: the demo's sinks (views.py). Every route answers 404 unless DEMO_SINKS is on."""

from __future__ import annotations

from django.urls import path

from omnicanal.demo import views
from omnicanal.demo.sinks import TWILIO_PATH

app_name = "demo"

urlpatterns = [
    path("demo/outbox/", views.outbox, name="outbox"),
    path("demo/webhooks/api/<int:inbox_id>/", views.api_webhook, name="api_webhook"),
    path(
        f"{TWILIO_PATH}/2010-04-01/Accounts/<str:account_sid>/Messages.json",
        views.twilio_messages,
        name="twilio_messages",
    ),
]
