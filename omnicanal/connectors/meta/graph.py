"""The Graph API calls WhatsApp Cloud, Messenger and Instagram share: URLs and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicanal.connectors.base import SendError

API_BASE = "https://graph.facebook.com"
API_VERSION = "21.0"

# Graph error codes a later retry can fix: throttling and Meta's own transient failures.
# Everything else in a 4xx (bad recipient, expired token, outside the messaging window,
# user blocked the page) fails again. https://developers.facebook.com/docs/graph-api/guides/error-handling
RETRYABLE_CODES = {
    1,  # unknown error, "possibly temporary"
    2,  # service temporarily unavailable
    4,  # application request limit
    17,  # user request limit
    32,  # page request limit
    613,  # calls within one hour exceed the limit
    1200,  # Messenger: temporary send failure
    80007,  # WhatsApp business account rate limit
    130429,  # WhatsApp throughput reached
    131000,  # WhatsApp "something went wrong"
    131016,  # WhatsApp service unavailable
    131048,  # WhatsApp spam rate limit
    131056,  # WhatsApp too many messages to one customer
}


def graph_url(settings: Mapping[str, Any], path: str) -> str:
    base = str(settings.get("api_base") or API_BASE).rstrip("/")
    version = str(settings.get("api_version") or API_VERSION).removeprefix("v")
    return f"{base}/v{version}/{path.lstrip('/')}"


def graph_error(status: int, payload: Any, product: str) -> SendError:
    """A SendError from `{"error": {"message", "type", "code", "error_subcode", ...}}`."""
    error = payload.get("error") if isinstance(payload, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    text = str(error.get("message") or f"HTTP {status}")
    details = error.get("error_data", {}).get("details") if isinstance(
        error.get("error_data"), dict
    ) else None
    reason = f"{product} error {code}: {text}" if code is not None else f"{product}: {text}"
    if details and details not in text:
        reason += f" ({details})"
    is_permanent = (400 <= status < 500 and status != 429) and code not in RETRYABLE_CODES
    return SendError(reason, is_permanent=is_permanent)
