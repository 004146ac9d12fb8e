"""Local stand-ins for provider APIs: a real HTTP server on 127.0.0.1 that records every
request and answers as the provider documents it (paths, auth, bodies, error shapes)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def form_lists(self) -> dict[str, list[str]]:
        """Every value of each field (Twilio's MediaUrl may repeat)."""
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def multipart(self) -> dict[str, tuple[str, str, bytes]]:
        """A multipart/form-data body: field -> (filename, content type, bytes)."""
        from email import message_from_bytes, policy

        head = f"Content-Type: {self.headers.get('content-type', '')}\r\n\r\n".encode()
        parsed = message_from_bytes(head + self.body, policy=policy.HTTP)
        fields = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = (part.get_filename() or "", part.get_content_type(),
                                 part.get_payload(decode=True) or b"")
        return fields


@dataclass
class Fetched:
    """A media URL the provider fetched, as a provider does on receiving it."""

    url: str
    status: int
    content_type: str
    body: bytes


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def as_json(status: int, payload: Any) -> Answer:
    return Answer(status, json.dumps(payload).encode())


class StubServer:
    """Subclasses implement `answer(request)`; `queue(answer)` forces the next API answers."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.queued: list[Answer] = []
        self.fetched: list[Fetched] = []
        self.fetch_links = False
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                recorded = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                stub.requests.append(recorded)
                answer = stub.queued.pop(0) if stub.queued else stub.answer(recorded)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def answer(self, request: Recorded) -> Answer:  # pragma: no cover - overridden
        return Answer(404)

    def fetch(self, url: str) -> Fetched:
        """GET a media URL we were given, without credentials, as the provider would; with
        `fetch_links` off (tests without a live server to fetch from), only note the URL for
        the test to open itself."""
        if not self.fetch_links:
            self.fetched.append(Fetched(url, 0, "", b""))
            return Fetched(url, 200, "", b"")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                fetched = Fetched(url, response.status,
                                  response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as exc:
            fetched = Fetched(url, exc.code, exc.headers.get("Content-Type", ""), exc.read())
        self.fetched.append(fetched)
        return fetched

    def queue(self, answer: Answer) -> None:
        self.queued.append(answer)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def running(stub: StubServer) -> Iterator[StubServer]:
    try:
        yield stub
    finally:
        stub.close()
