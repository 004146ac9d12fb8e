"""Outbound HTTP shared by adapters: one timeout, and which failures a retry can fix."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from omnicanal.connectors.base import SendError

# 408 (timeout), 425 (too early), 429 (rate limited) and server errors are worth retrying;
# any other 4xx means the request itself is wrong and will fail again.
RETRYABLE_STATUSES = {408, 425, 429}


def post(
    url: str, body: bytes, headers: Mapping[str, str], *, method: str = "POST"
) -> tuple[int, bytes]:
    """Send and return (status, body), or raise SendError saying whether to retry."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
    try:
        with urllib.request.urlopen(
            request, timeout=settings.OUTBOUND_HTTP_TIMEOUT_SECONDS
        ) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        is_permanent = exc.code < 500 and exc.code not in RETRYABLE_STATUSES
        raise SendError(f"HTTP {exc.code} from {url}: {detail}", is_permanent=is_permanent) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"Could not reach {url}: {reason}", is_permanent=False) from exc


def post_json(url: str, payload: Any, headers: Mapping[str, str]) -> tuple[int, Any]:
    status, body = post(
        url, json.dumps(payload).encode(), {"Content-Type": "application/json", **headers}
    )
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None


# --- calls whose error bodies the adapter reads itself ----------------------------------


class Response:
    """A provider's answer, error statuses included: adapters read their provider's errors."""

    def __init__(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)
MAX_REDIRECTS = 5


def call(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    label: str = "",
    max_bytes: int | None = None,
) -> Response:
    """Send a request and return the response whatever its status.

    `label` names the endpoint in errors instead of the URL, which for Telegram and the Graph
    API carries the bot token or access token and must not end up in a failure reason shown
    to agents. A network failure raises a retryable SendError. Redirects are followed here,
    not by urllib: urllib forwards the Authorization header to the new host, and Twilio's
    media redirect to a pre-signed storage URL that refuses a second credential. A body
    longer than `max_bytes` raises a permanent SendError (it will not shrink on retry).
    """
    name = label or url
    sent_headers = dict(headers or {})
    origin = urllib.parse.urlsplit(url).netloc
    for _ in range(MAX_REDIRECTS + 1):
        request = urllib.request.Request(url, data=body, headers=sent_headers, method=method)
        try:
            response = _opener.open(request, timeout=settings.OUTBOUND_HTTP_TIMEOUT_SECONDS)
            status, raw_headers, stream = response.status, response.headers, response
        except urllib.error.HTTPError as exc:
            status, raw_headers, stream = exc.code, exc.headers, exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"Could not reach {name}: {reason}", is_permanent=False) from exc
        with stream:
            if status in (301, 302, 303, 307, 308) and raw_headers.get("Location"):
                url = urllib.parse.urljoin(url, raw_headers["Location"])
                if urllib.parse.urlsplit(url).netloc != origin:
                    sent_headers.pop("Authorization", None)
                if status == 303:
                    method, body = "GET", None
                continue
            limit = max_bytes if max_bytes is not None else -1
            content = stream.read(limit + 1 if limit >= 0 else -1)
        if max_bytes is not None and len(content) > max_bytes:
            raise SendError(f"{name} is larger than {max_bytes} bytes.", is_permanent=True)
        return Response(status, content, {k.lower(): v for k, v in raw_headers.items()})
    raise SendError(f"Too many redirects from {name}.", is_permanent=True)


def json_body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
