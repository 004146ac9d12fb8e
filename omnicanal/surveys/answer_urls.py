"""Customers answering a survey without logging in: one-click e-mail links, the chat widget
(mounted at /survey/)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "survey_answer"

urlpatterns: list[URLPattern] = []
