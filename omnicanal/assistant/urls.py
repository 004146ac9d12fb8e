"""The copilot panel beside an open conversation (mounted at /assistant/)."""

from django.urls import path

from omnicanal.assistant import views

app_name = "assistant"

urlpatterns = [
    path("conversations/<int:conversation_id>/copilot/", views.copilot_panel,
         name="copilot"),
    path("conversations/<int:conversation_id>/copilot/reply/", views.copilot_reply,
         name="copilot_reply"),
    path("conversations/<int:conversation_id>/copilot/draft/", views.copilot_draft,
         name="copilot_draft"),
]
