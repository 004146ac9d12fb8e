"""/api/v1/inboxes/{id}/statuses: the integrator tells us what became of a reply we
delivered to its webhook ("delivered", "read", "failed"), as a provider's status callback
would. It goes through the one writer of reported statuses
(`conversations.actions.apply_delivery_report`): statuses only move forward, a failure shows
to the agent with its reason, the same report twice changes nothing."""

from __future__ import annotations

import re
import time
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.errors import AuthorizationError
from ninja.security import APIKeyHeader, SessionAuth
from pydantic import StrictInt, field_validator

from omnicanal.accounts.auth import BearerTokenAuth
from omnicanal.connectors.api.adapter import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from omnicanal.conversations.actions import apply_delivery_report
from omnicanal.conversations.models import ChannelKind, DeliveryStatus, Inbox
from omnicanal.conversations.queries import intake_inbox
from omnicanal.core.api_boundary import ErrorOut
from omnicanal.core.exceptions import NotFound

router = Router(tags=["api channel"])

# A signed report older (or further ahead) than this is refused: a replayed capture.
SIGNATURE_MAX_AGE_SECONDS = 300
# Stored and shown when a "failed" report gives no reason.
NO_REASON = "The integrator reported the message as failed, without a reason."

# The Idempotency-Key of our webhook (`adapter.idempotency_key`).
_KEY_PATTERN = re.compile(r"omnicanal-message-([0-9]{1,19})")


class InboxSignatureAuth(APIKeyHeader):
    """The inbox's own signature, as we sign the replies we deliver to its webhook:
    `X-Omnicanal-Timestamp` (Unix seconds) and `X-Omnicanal-Signature`
    (`sha256=` + hex HMAC-SHA256 of "<timestamp>.<raw body>" with the inbox's secret). An
    integrator's receiver already holds that secret; no user token is needed."""

    param_name = SIGNATURE_HEADER
    openapi_description = (
        "X-Omnicanal-Signature: sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\" with the "
        "inbox's secret>, with X-Omnicanal-Timestamp: <Unix seconds>"
    )

    def authenticate(self, request: HttpRequest, key: str | None) -> Inbox | None:
        if not key:
            return None  # then a bearer token or the session
        match = request.resolver_match
        inbox_id = int(str(match.kwargs.get("inbox_id", 0))) if match else 0
        inbox = intake_inbox(inbox_id, ChannelKind.API)  # 404 / 409 as the route answers
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
            raise AuthorizationError(
                403, f"{TIMESTAMP_HEADER} is missing or more than "
                     f"{SIGNATURE_MAX_AGE_SECONDS} seconds away from now.",
            )
        if not verify_signature(inbox.secret, timestamp, request.body, key):
            raise AuthorizationError(403, "The signature does not match this inbox's secret.")
        return inbox


class StatusReportIn(Schema):
    message_id: StrictInt | str = Field(
        description="Our id of the message (`message_id` in the webhook), or the "
                    "Idempotency-Key we sent with it (`omnicanal-message-<id>`).",
    )
    status: Literal["delivered", "read", "failed"]
    error: str = Field("", max_length=2000, description="Why, for \"failed\": the agent sees it.")

    @field_validator("message_id")
    @classmethod
    def _our_id(cls, value: Any) -> int:
        if isinstance(value, str):
            text = value.strip()
            match = _KEY_PATTERN.fullmatch(text)
            if match:
                return int(match.group(1))
            if text.isascii() and text.isdigit() and len(text) <= 19:
                return int(text)
            raise ValueError(
                "Expected our message id (a number) or the Idempotency-Key we sent "
                "(omnicanal-message-<id>)."
            )
        if value < 1:
            raise ValueError("Expected a positive message id.")
        return int(value)


class StatusOut(Schema):
    message_id: int
    delivery_status: str
    failure_reason: str


@router.post(
    "/inboxes/{inbox_id}/statuses",
    response={200: StatusOut, 409: ErrorOut},
    auth=[InboxSignatureAuth(), BearerTokenAuth(), SessionAuth()],
    url_name="api_inbox_statuses",
)
def post_status(request: HttpRequest, inbox_id: int, payload: StatusReportIn) -> dict[str, Any]:
    """What became of a reply we delivered to the inbox's webhook, as the integrator knows
    it: `delivered` (it reached the customer), `read`, or `failed` (with `error`, shown to
    the agent as the reason the reply did not reach the customer). Name the message by the
    `message_id` of our webhook, or by the Idempotency-Key we sent with it.

    Authenticated like the inbox's intake (a bearer token) or by the inbox's own signature
    over the body, as we sign what we deliver (`X-Omnicanal-Timestamp`,
    `X-Omnicanal-Signature`); a bad signature or a stale timestamp answers 403.

    Statuses only move forward ("delivered" after "read" changes nothing); a failure always
    shows. The same report twice changes nothing and answers 200 again. Answers 200 with
    the message's status after the report; 404 when no reply of ours with that id left this
    inbox (another inbox's message included); 409 for an inbox of another channel."""
    inbox = intake_inbox(inbox_id, ChannelKind.API)
    message_id = int(payload.message_id)
    status = DeliveryStatus(payload.status)
    error = payload.error.strip()
    if status == DeliveryStatus.FAILED and not error:
        error = NO_REASON
    message = apply_delivery_report(inbox.pk, message_id, status, error)
    if message is None:
        raise NotFound(
            _("No reply %(message_id)s was sent from inbox %(inbox_id)s."),
            message_id=message_id, inbox_id=inbox.pk,
        )
    return {
        "message_id": message.pk,
        "delivery_status": message.delivery_status,
        "failure_reason": message.failure_reason,
    }
