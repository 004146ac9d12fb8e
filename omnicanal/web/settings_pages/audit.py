"""Settings → Audit log: who changed what in the settings, and when (administrators)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required
from omnicanal.accounts.models import AuditLogEntry

ENTRIES_PER_PAGE = 50


@dataclass(frozen=True)
class AuditRow:
    entry: AuditLogEntry
    target: str
    details: list[tuple[str, str]]


def _target(entry: AuditLogEntry) -> str:
    """"Inbox 3" rather than "conversations.Inbox #3": the model's own (translated) name."""
    if not entry.target_type:
        return ""
    try:
        name = str(apps.get_model(entry.target_type)._meta.verbose_name)
    except LookupError:
        name = entry.target_type
    return f"{name[:1].upper()}{name[1:]} {entry.target_id}".strip()


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _row(entry: AuditLogEntry) -> AuditRow:
    data = entry.data if isinstance(entry.data, dict) else {"": entry.data}
    return AuditRow(entry, _target(entry), [(key, _value(value)) for key, value in data.items()])


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
        "rows": [_row(entry) for entry in page.object_list],
    })


urlpatterns = [
    path("settings/audit/", audit_page, name="settings_audit"),
]
