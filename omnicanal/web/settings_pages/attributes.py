"""Settings → Contact attributes (placeholder until the page is written)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required


@require_GET
@administrator_required
def attributes_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "web/settings/base.html", {"section": "settings"})


urlpatterns = [
    path("settings/attributes/", attributes_page, name="settings_attributes"),
]
