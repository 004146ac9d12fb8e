"""HTTP and websockets in one ASGI application."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
# Django must be set up before anything imports models (the consumers do).
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from omnicanal.web.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        # Each route carries its own origin check: agents' pages versus customers' sites.
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
