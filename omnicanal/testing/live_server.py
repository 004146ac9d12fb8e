"""A real ASGI server (uvicorn) in a background thread, for tests that need HTTP and websockets
end to end: a browser, or a client speaking to the API over the network.

Use the `asgi_live_server` fixture (it needs `transactional_db`: the server's threads open their
own database connections, so the test's data must be committed for them to see it; SQLite's
test database is a file for the same reason, see settings).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from django.conf import settings as django_settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class LiveServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url


def workspace_application() -> Any:
    """`omnicanal.asgi.application` with static files, as the demo command serves it."""
    from omnicanal.asgi import application

    return ASGIStaticFilesHandler(application)


@contextmanager
def serve(application: Any, host: str = HOST) -> Iterator[LiveServer]:
    """Run `application` on a free port until the block ends."""
    # Binding here, before the thread starts, reserves the port: no race with another worker.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application,
        lifespan="off",
        log_level="warning",
        # Open websockets would otherwise hold the shutdown until they close by themselves.
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"asgi-live-server-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The live ASGI server did not start.")
        time.sleep(0.01)
    try:
        yield LiveServer(host, port)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        sock.close()


@pytest.fixture
def asgi_live_server(transactional_db: None, settings: Any) -> Iterator[LiveServer]:
    """The whole application (HTTP, websockets, static files) on http://127.0.0.1:<port>."""
    if HOST not in django_settings.ALLOWED_HOSTS and "*" not in django_settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, HOST]
    with serve(workspace_application()) as server:
        yield server
