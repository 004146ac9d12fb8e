"""Outbound HTTP shared by adapters: one timeout, and which failures a retry can fix."""

from __future__ import annotations

import json
import urllib.error
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
