"""Settings → Audit log: who changed what in the settings, and when (administrators)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required
from omnicanal.accounts.models import AuditLogEntry

ENTRIES_PER_PAGE = 50


@require_GET
@administrator_required
def audit_page(request: HtmxHttpRequest) -> HttpResponse:
    entries = AuditLogEntry.objects.select_related("actor").order_by("-created_at", "-pk")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/settings/audit.html", {
        "section": "settings", "page": page, "action": action,
    })


urlpatterns = [
    path("settings/audit/", audit_page, name="settings_audit"),
]
