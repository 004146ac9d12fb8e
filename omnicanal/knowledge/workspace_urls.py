"""The knowledge base in the workspace (`/knowledge/`): articles, their review, import and
upkeep. The help center's public pages are in `urls.py`."""

from django.urls import path  # noqa: F401

app_name = "kb"

urlpatterns: list = []
