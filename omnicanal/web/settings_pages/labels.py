"""Settings → Labels (placeholder until the page is written)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, supervisor_required


@require_GET
@supervisor_required
def labels_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "web/settings/base.html", {"section": "settings"})


urlpatterns = [
    path("settings/labels/", labels_page, name="settings_labels"),
]
