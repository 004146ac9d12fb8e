"""Survey follow-ups for supervisors (mounted at /surveys/)."""

from django.urls import URLPattern, path

from omnicanal.surveys import views

app_name = "surveys"

urlpatterns: list[URLPattern] = [
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:task_id>/done/", views.follow_up_done, name="follow_up_done"),
]
