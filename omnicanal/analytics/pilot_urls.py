"""Pilots compared on KPIs (mounted at /reports/pilots/)."""

from django.urls import URLPattern, path

from omnicanal.analytics import pilot_views

app_name = "pilots"

urlpatterns: list[URLPattern] = [
    path("", pilot_views.pilot_list, name="list"),
    path("new/", pilot_views.pilot_form, name="new"),
    path("<int:pilot_id>/", pilot_views.pilot_detail, name="detail"),
    path("<int:pilot_id>/edit/", pilot_views.pilot_form, name="edit"),
]
