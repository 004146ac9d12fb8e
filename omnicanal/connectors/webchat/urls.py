from __future__ import annotations

from django.urls import path

from omnicanal.connectors.webchat import views

app_name = "webchat"

urlpatterns = [
    path("widget.js", views.widget_js, name="widget_js"),
    path("webchat/<str:site_token>/config", views.widget_config, name="config"),
    path("webchat/<str:site_token>/messages", views.messages, name="messages"),
    path("webchat/<str:site_token>/email", views.leave_email, name="email"),
    path("webchat/<str:site_token>/typing", views.typing, name="typing"),
    path("webchat/<str:site_token>/read", views.read, name="read"),
    path(
        "webchat/agent-typing/<int:conversation_id>/", views.agent_typing, name="agent_typing"
    ),
]
