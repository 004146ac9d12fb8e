"""The knowledge base in the workspace (`/knowledge/`): articles, their review, import and
upkeep. The help center's public pages are in `urls.py`."""

from django.urls import path

from omnicanal.knowledge import upkeep_views

app_name = "kb"

urlpatterns: list = []

# Knowledge upkeep: content gaps, duplicates, stale articles.
urlpatterns += [
    path("upkeep/", upkeep_views.upkeep_page, name="upkeep"),
    path("upkeep/gaps/draft/", upkeep_views.draft_from_gap, name="upkeep_draft"),
    path("upkeep/duplicates/merge/", upkeep_views.merge_articles, name="upkeep_merge"),
    path("upkeep/stale/<int:article_id>/review/", upkeep_views.assign_review,
         name="upkeep_review"),
]
