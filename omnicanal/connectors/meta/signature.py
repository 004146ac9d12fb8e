"""Meta's webhook security, shared by WhatsApp Cloud API, Messenger and Instagram.

Every POST carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed with
the app secret; subscribing the URL is a GET handshake echoing `hub.challenge`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.webhooks import header

SIGNATURE_HEADER = "X-Hub-Signature-256"


def compute_signature(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for this body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(request: InboundRequest, secret: str) -> bool:
    """Whether the body was signed with the app secret (over the exact bytes received)."""
    received = header(request, SIGNATURE_HEADER)
    if not secret or not received:
        return False
    scheme, _, digest = received.strip().partition("=")
    if scheme.lower() != "sha256" or not digest:
        return False
    expected = compute_signature(request.body, secret).partition("=")[2]
    # Hex digits are case-insensitive; compare_digest needs equal-length ASCII to be useful.
    return hmac.compare_digest(expected.encode(), digest.lower().encode("ascii", "replace"))


def verify_subscription(query: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to answer a subscription handshake with, or None to refuse (403).

    Meta calls the callback URL with GET `?hub.mode=subscribe&hub.verify_token=...&
    hub.challenge=...` and expects the challenge echoed as the response body.
    """
    if not verify_token or query.get("hub.mode") != "subscribe":
        return None
    token = query.get("hub.verify_token", "")
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    challenge = query.get("hub.challenge")
    return challenge if challenge else None
