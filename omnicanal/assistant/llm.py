"""An OpenAI-compatible chat endpoint on the team's own network (Ollama, vLLM, llama.cpp's
server), used to phrase the bot's answers and the copilot's suggestions when an administrator
configured one (`ASSISTANT_LLM_URL`). Without one, `complete` returns None and callers fall
back to the retrieved passage itself."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system", "user" or "assistant"
    content: str


def is_configured() -> bool:
    return bool(settings.ASSISTANT_LLM_URL)


def complete(messages: list[ChatMessage], *, max_tokens: int = 400,
             temperature: float = 0.2) -> str | None:
    """The endpoint's answer to `messages` (POST {url}/chat/completions), or None when no
    endpoint is configured or it failed (logged): the caller answers without it."""
    if not is_configured():
        return None
    body = {
        "model": settings.ASSISTANT_LLM_MODEL or "default",
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stream": False,
    }
    request = urllib.request.Request(
        settings.ASSISTANT_LLM_URL.rstrip("/") + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {settings.ASSISTANT_LLM_API_KEY}"}
                    if settings.ASSISTANT_LLM_API_KEY else {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ASSISTANT_LLM_TIMEOUT_SECONDS) as r:
            answer = json.load(r)
        content = answer["choices"][0]["message"]["content"]
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.warning("The language model endpoint failed: %s", exc)
        return None
    return content.strip() if isinstance(content, str) and content.strip() else None
