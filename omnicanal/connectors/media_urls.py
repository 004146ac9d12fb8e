"""/files/<token>/<filename>: the signed public links of our replies' files (media_links)."""

from __future__ import annotations

from django.urls import path

from omnicanal.connectors import media_links

app_name = "media_links"

urlpatterns = [
    path("<str:token>/<str:filename>", media_links.serve, name="file"),
]
