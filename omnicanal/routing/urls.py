from django.urls import path

from omnicanal.routing import queue_views, views

app_name = "routing"

urlpatterns = [
    path("presence/", views.presence, name="presence"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/reassign/", views.reassign, name="reassign"),
    path("conversations/<int:conversation_id>/queue/", queue_views.queue_badge,
         name="queue_badge"),
]
