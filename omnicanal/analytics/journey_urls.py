"""Journey analytics: paths across channels and drop-off points (mounted at /reports/journeys/)."""

from django.urls import URLPattern, path

from omnicanal.analytics import journey_views

app_name = "journeys"

urlpatterns: list[URLPattern] = [
    path("", journey_views.journey_page, name="journeys"),
]
