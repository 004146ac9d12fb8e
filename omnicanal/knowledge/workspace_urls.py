"""The knowledge base in the workspace (`/knowledge/`): articles, their review, import and
upkeep. The help center's public pages are in `urls.py`."""

from django.urls import path

app_name = "kb"

urlpatterns: list = []

# Import (kb-import helper).
from omnicanal.knowledge import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.import_page, name="import"),
    path("import/<int:run_id>/", import_views.run_page, name="import_run"),
    path("import/<int:run_id>/progress/", import_views.run_progress, name="import_progress"),
]
