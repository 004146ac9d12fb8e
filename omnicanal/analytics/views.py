"""/reports/: the page, its exports and the channel costs form. Who sees which figures is
decided in analytics.reports (report_scope), not here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import agent_required, request_agent
from omnicanal.analytics import exports, reports
from omnicanal.conversations.models import ChannelKind
from omnicanal.core.exceptions import DomainError, InvalidInput


@require_GET
@agent_required
def report(request: HttpRequest) -> HttpResponse:
    user = request_agent(request)
    status, error = 200, ""
    try:
        period = reports.parse_period(request.GET)
    except InvalidInput as exc:
        # The page still answers (last 30 days) and says what was wrong with the request.
        status, error = 400, str(exc.message)
        period = reports.parse_period({})
    report_ = reports.build_report(user, period)
    context = {
        "section": "reports",
        "report": report_,
        "kpis": report_.table("kpis"),
        "tables": {table.key: table for table in report_.tables},
        "presets": reports.PRESETS,
        "error": error,
        "costs": reports.channel_costs() if user.is_administrator else None,
    }
    return render(request, "analytics/report.html", context, status=status)


def _export(request: HttpRequest, extension: str) -> HttpResponse:
    try:
        period = reports.parse_period(request.GET)
    except InvalidInput as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain")
    report_ = reports.build_report(request_agent(request), period)
    name = f"report-{period.first.isoformat()}-{period.last.isoformat()}.{extension}"
    if extension == "csv":
        response = HttpResponse(exports.report_csv(report_), content_type="text/csv")
    else:
        response = HttpResponse(
            exports.report_xlsx(report_),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@agent_required
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@require_GET
@agent_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


@require_POST
@agent_required
def costs(request: HttpRequest) -> HttpResponse:
    values = {
        channel: (request.POST.get(f"{channel}-per_minute", ""),
                  request.POST.get(f"{channel}-per_message", ""))
        for channel in ChannelKind.values
        if f"{channel}-per_minute" in request.POST or f"{channel}-per_message" in request.POST
    }
    try:
        reports.save_channel_costs(request_agent(request), values)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        messages.error(request, str(exc.message))
        return redirect(reverse("reports:report") + "#costs")
    messages.success(request, gettext("Channel costs saved."))
    return redirect(reverse("reports:report") + "#costs")
