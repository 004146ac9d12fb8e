"""Pilots compared on KPIs (mounted at /reports/pilots/)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "pilots"

urlpatterns: list[URLPattern] = []
