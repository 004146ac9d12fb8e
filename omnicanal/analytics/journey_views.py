"""The journeys page (/reports/journeys/): paths across channels and drop-off points."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, supervisor_required
from omnicanal.accounts.models import Team
from omnicanal.analytics.journeys import InvalidFilter, JourneyFilters, journeys, topics
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import ChannelKind


@require_GET
@supervisor_required
def journey_page(request: HtmxHttpRequest) -> HttpResponse:
    """Supervisors and administrators; a filter that means nothing is said so (400), with the
    form kept as typed to correct it."""
    context = {
        "section": "reports",
        "query": request.GET,
        "segments": ValueTier.choices,
        "channels": ChannelKind.choices,
        "teams": list(Team.objects.order_by("name")),
        "topics": topics(),
    }
    try:
        filters = JourneyFilters.from_query(request.GET)
    except InvalidFilter as error:
        return render(
            request, "analytics/journeys.html", {**context, "error": str(error)}, status=400
        )
    return render(
        request, "analytics/journeys.html", {**context, "filters": filters, **journeys(filters)}
    )
