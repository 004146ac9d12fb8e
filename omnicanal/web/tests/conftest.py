from omnicanal.testing.live_server import asgi_live_server

__all__ = ["asgi_live_server"]
