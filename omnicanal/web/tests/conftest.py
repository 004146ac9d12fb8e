from omnicanal.testing.live_server import asgi_live_server
from omnicanal.web.tests.browser import playwright_page

__all__ = ["asgi_live_server", "playwright_page"]
