from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from omnicanal.connectors.webchat.consumers import WebchatConsumer
from omnicanal.web.consumers import WorkspaceConsumer


class OwnSiteOriginValidator(OriginValidator):
    """Agents' sockets come from our own pages, so their origin must be one of ALLOWED_HOSTS.

    Unlike Channels' AllowedHostsOriginValidator, the setting is read per connection rather
    than copied at import, so a changed setting (tests, reloads) applies.
    """

    def __init__(self, application: Any) -> None:
        super().__init__(application, [])

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        self.allowed_origins = list(settings.ALLOWED_HOSTS)
        return bool(super().valid_origin(parsed_origin))


websocket_urlpatterns = [
    path(
        "ws/workspace/",
        OwnSiteOriginValidator(AuthMiddlewareStack(WorkspaceConsumer.as_asgi())),
    ),
    # The widget runs on customers' sites, other origins by design: its consumer checks the
    # origin against the web chat inbox's own allowed origins.
    path("ws/webchat/<str:site_token>/", WebchatConsumer.as_asgi()),
]
