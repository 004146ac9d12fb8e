"""A local stand-in for an OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp's server),
for tests: `POST /v1/chat/completions` with OpenAI's documented request and response JSON.

It "phrases" an answer from the passages in the prompt, as a well-behaved model would: the
first sentences of the first passage, prefixed so a test can tell it phrased them. With no
passage in the prompt, or when the question contains a word of `refuse_words`, it answers
the bot's CANNOT_ANSWER. A test may set `answer` to have every request answered with that
text. Every request body is kept in `requests` for assertions.

    with serve_llm_stub() as stub:
        settings.ASSISTANT_LLM_URL = stub.url   # http://127.0.0.1:PORT/v1
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "D'après notre aide : "
PREFIX_EN = "From our help center: "
CANNOT_ANSWER = "CANNOT_ANSWER"
# "[1] Title" opens each passage in the bot's prompt.
PASSAGE = re.compile(r"^\[(\d+)\] (.+)$", re.MULTILINE)


@dataclass
class LlmStub:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    refuse_words: tuple[str, ...] = ()
    answer: str = ""


def phrase(messages: list[dict[str, Any]], refuse_words: tuple[str, ...] = ()) -> str:
    """The answer the stub gives to these chat messages."""
    system = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
    user = str(next((m.get("content", "") for m in reversed(messages)
                     if m.get("role") == "user"), ""))
    question = user.rsplit("Question:", 1)[-1].strip().lower()
    if any(word in question for word in refuse_words):
        return CANNOT_ANSWER
    starts = list(PASSAGE.finditer(user))
    if not starts:
        return CANNOT_ANSWER
    end = starts[1].start() if len(starts) > 1 else user.find("\n\nQuestion:", starts[0].end())
    body = user[starts[0].end():end if end > 0 else None].strip()
    sentences = re.split(r"(?<=[.!?])\s+", body)
    prefix = PREFIX if "French" in system else PREFIX_EN
    return prefix + " ".join(sentences[:2]).strip()


def _handler(stub: LlmStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": "Not found", "type": "invalid_request"}})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                messages = list(body["messages"])
            except (ValueError, KeyError, TypeError):
                self._send(400, {"error": {"message": "Invalid body", "type": "invalid_request"}})
                return
            stub.requests.append(body)
            content = stub.answer or phrase(messages, stub.refuse_words)
            prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
            completion_tokens = len(content.split())
            self._send(200, {
                "id": f"chatcmpl-stub{len(stub.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "stub"),
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            })

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_llm_stub(refuse_words: tuple[str, ...] = ()) -> Iterator[LlmStub]:
    """The stub on a free local port until the block ends; its `url` is the base to configure
    as ASSISTANT_LLM_URL."""
    stub = LlmStub(url="", refuse_words=refuse_words)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, name="llm-stub", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
