"""Review moderation and the team's answers (mounted at /surveys/reviews/)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "reviews"

urlpatterns: list[URLPattern] = []
