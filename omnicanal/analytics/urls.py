"""Reports: KPIs with charts and exports (mounted at /reports/)."""

from django.urls import URLPattern, path

from omnicanal.analytics import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("", views.report, name="report"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("costs/", views.costs, name="costs"),
]
