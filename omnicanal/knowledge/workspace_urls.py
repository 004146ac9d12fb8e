"""The knowledge base in the workspace (`/knowledge/`): articles, their review, import and
upkeep. The help center's public pages are in `urls.py`."""

from django.urls import path

from omnicanal.knowledge import import_views, upkeep_views
from omnicanal.knowledge import workspace_views as views

app_name = "kb"

urlpatterns: list = [
    path("", views.article_list, name="articles"),
    path("new/", views.article_new, name="new"),
    path("preview/", views.preview, name="preview"),
    path("categories/", views.categories, name="categories"),
    path("files/<int:pk>/<str:name>", views.article_file, name="file"),
    path("<int:article_id>/", views.article_edit, name="edit"),
    path("<int:article_id>/status/", views.transition, name="transition"),
    path("<int:article_id>/translate/", views.translate, name="translate"),
    path("<int:article_id>/files/", views.upload, name="upload"),
    path("<int:article_id>/versions/", views.versions, name="versions"),
    path("<int:article_id>/versions/diff/", views.diff, name="diff"),
    path("<int:article_id>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("import/", import_views.import_page, name="import"),
    path("import/<int:run_id>/", import_views.run_page, name="import_run"),
    path("import/<int:run_id>/progress/", import_views.run_progress, name="import_progress"),
    path("upkeep/", upkeep_views.upkeep_page, name="upkeep"),
    path("upkeep/gaps/draft/", upkeep_views.draft_from_gap, name="upkeep_draft"),
    path("upkeep/duplicates/merge/", upkeep_views.merge_articles, name="upkeep_merge"),
    path("upkeep/stale/<int:article_id>/review/", upkeep_views.assign_review,
         name="upkeep_review"),
]
