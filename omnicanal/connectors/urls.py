"""Provider webhooks, one URL per inbox: /webhooks/<provider>/<inbox_id>/ (twilio,
whatsapp_cloud, messenger, instagram, telegram: each inbox's adapter says which it uses)."""

from __future__ import annotations

from django.urls import path

from omnicanal.connectors import views

app_name = "webhooks"

urlpatterns = [
    path("<slug:provider>/<int:inbox_id>/", views.webhook, name="webhook"),
]
