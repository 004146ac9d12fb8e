"""Journey analytics: paths across channels and drop-off points (mounted at /reports/journeys/)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "journeys"

urlpatterns: list[URLPattern] = []
