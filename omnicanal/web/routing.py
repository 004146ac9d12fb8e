from django.urls import path

from omnicanal.web.consumers import WorkspaceConsumer

websocket_urlpatterns = [path("ws/workspace/", WorkspaceConsumer.as_asgi())]
