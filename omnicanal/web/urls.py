from django.urls import path

from omnicanal.web import views

app_name = "web"

urlpatterns = [
    path("", views.conversation_list, name="conversations"),
    path("conversations/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path(
        "conversations/<int:conversation_id>/reply/",
        views.conversation_reply,
        name="conversation_reply",
    ),
    path(
        "conversations/<int:conversation_id>/note/",
        views.conversation_note,
        name="conversation_note",
    ),
    path(
        "conversations/<int:conversation_id>/assign/",
        views.conversation_assign,
        name="conversation_assign",
    ),
    path(
        "conversations/<int:conversation_id>/status/",
        views.conversation_status,
        name="conversation_status",
    ),
]
