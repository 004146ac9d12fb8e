"""The public page and embeddable block of verified reviews (mounted at /reviews/)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "public_reviews"

urlpatterns: list[URLPattern] = []
