"""Twilio Programmable Messaging, shared by the SMS adapter and the WhatsApp adapter's Twilio
provider: the inbox settings, the Messages REST resource, media downloads and the URL
Twilio signed. Not an adapter: the adapters call it.

Inbox settings (`Inbox.settings`):
    provider        "twilio" (WhatsApp inboxes; SMS inboxes are always Twilio)
    account_sid     "AC..."; auth_token: signs webhooks and authenticates API calls
    from_number     our number in E.164 (or messaging_service_sid "MG..." instead)
    status_callback optional public URL of this inbox's webhook, for delivery statuses
    mms             the number sends MMS (US, Canada): an SMS reply's files go as MediaUrl
    trust_forwarded_headers  true behind a proxy that sets X-Forwarded-Proto/Host
    api_base        default https://api.twilio.com (tests point it at a local stub)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from pydantic import Field, model_validator

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    ChannelSettings,
    HttpUrlText,
    OptionalE164,
    OptionalHttpUrlText,
    OutboundMessage,
    SendError,
    secret,
)
from omnicanal.connectors.message_templates import (
    TEMPLATE_EXTRA,
    VARIABLES_EXTRA,
    MessageTemplate,
    TwilioTemplateLine,
)

API_BASE = "https://api.twilio.com"
# Twilio errors a retry cannot fix although their HTTP status is 429 or 5xx never happen;
# the reverse does: these 4xx codes are rate limits or queue overflows, worth retrying.
RETRYABLE_CODES = {20429, 14107, 30022, 63018}


class TwilioSettings(ChannelSettings):
    provider: Literal["twilio"] = "twilio"
    account_sid: str = Field(pattern=r"^AC[0-9a-fA-F]{32}$")
    auth_token: str = secret("Signs Twilio's webhooks and authenticates our API calls",
                             required=True)
    from_number: OptionalE164 = ""
    messaging_service_sid: str = Field("", pattern=r"^(MG[0-9a-fA-F]{32})?$")
    status_callback: OptionalHttpUrlText = ""
    # SMS inboxes: Twilio numbers send MMS in the US and Canada only; elsewhere a reply's
    # files are refused rather than failing at Twilio.
    mms: bool = Field(False, description="The number sends MMS (US and Canada numbers)")
    trust_forwarded_headers: bool = False
    api_base: HttpUrlText = API_BASE

    @model_validator(mode="after")
    def _a_sender(self) -> TwilioSettings:
        if not (self.from_number or self.messaging_service_sid):
            raise ValueError("Give from_number (E.164) or messaging_service_sid.")
        return self


class TwilioWhatsAppSettings(TwilioSettings):
    """A WhatsApp inbox on Twilio: its number's approved Content templates besides."""

    templates: list[TwilioTemplateLine] = Field(
        default_factory=list,
        description="One per line: content SID | name | language | body with {{1}}…",
    )


def basic_auth(settings: Mapping[str, Any]) -> str:
    pair = f"{settings.get('account_sid', '')}:{settings.get('auth_token', '')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def api_base(settings: Mapping[str, Any]) -> str:
    return str(settings.get("api_base") or API_BASE).rstrip("/")


def received_url(request: HttpRequest, settings: Mapping[str, Any]) -> str:
    """The URL Twilio signed. Behind a TLS-terminating proxy the request arrives as http on
    an internal host; X-Forwarded-Proto/Host give back what Twilio called, but only when the
    inbox says a proxy sets them (otherwise anyone could choose the URL we check against)."""
    scheme, host = request.scheme or "http", request.get_host()
    if settings.get("trust_forwarded_headers") is True:
        scheme = (request.headers.get("X-Forwarded-Proto") or scheme).split(",")[0].strip()
        host = (request.headers.get("X-Forwarded-Host") or host).split(",")[0].strip()
    return f"{scheme}://{host}{request.get_full_path()}"


def send(message: OutboundMessage, settings: Mapping[str, Any], address_prefix: str = "") -> str:
    """POST to the Messages resource; WhatsApp addresses are "whatsapp:+E164" on both sides
    of Twilio's API. Returns the message SID."""
    sid = str(settings.get("account_sid", ""))
    if not sid or not settings.get("auth_token"):
        raise SendError("This inbox has no Twilio account SID and auth token.",
                        is_permanent=True)
    if not message.recipient:
        raise SendError("The contact has no number to text.", is_permanent=True)
    fields: list[tuple[str, str]] = [("To", address_prefix + message.recipient)]
    template = message.extra.get(TEMPLATE_EXTRA)
    if isinstance(template, MessageTemplate):
        # An approved Content template (a WhatsApp conversation started by us): Twilio
        # takes its SID and the variables as a JSON object keyed "1", "2"…, not a body.
        fields.append(("ContentSid", template.content_sid))
        variables = message.extra.get(VARIABLES_EXTRA) or []
        if variables:
            fields.append(("ContentVariables", json.dumps(
                {str(n): value for n, value in enumerate(variables, start=1)},
                ensure_ascii=False,
            )))
    elif message.text or not message.attachments:
        fields.append(("Body", message.text))
    for attachment in message.attachments:
        # Twilio fetches each MediaUrl (up to 10) itself, and checks its Content-Type.
        if not attachment.url:
            raise SendError("The attachment has no public link: set PUBLIC_URL.",
                            is_permanent=True)
        fields.append(("MediaUrl", attachment.url))
    if settings.get("messaging_service_sid"):
        fields.append(("MessagingServiceSid", str(settings["messaging_service_sid"])))
    elif settings.get("from_number"):
        fields.append(("From", address_prefix + str(settings["from_number"])))
    else:
        raise SendError("This inbox has no sending number.", is_permanent=True)
    if settings.get("status_callback"):
        fields.append(("StatusCallback", str(settings["status_callback"])))
    response = http.call(
        "POST",
        f"{api_base(settings)}/2010-04-01/Accounts/{sid}/Messages.json",
        body=urlencode(fields).encode(),
        headers={
            "Authorization": basic_auth(settings),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        label="Twilio",
    )
    payload = response.json()
    if response.status >= 400 or not isinstance(payload, dict) or not payload.get("sid"):
        raise error_from(response.status, payload)
    return str(payload["sid"])


def fetch_media(ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
    # Media URLs need basic auth when the account enforces it; the credentials go to
    # Twilio only, never to whatever host a URL in a payload names.
    headers = {}
    if ref.startswith(api_base(settings) + "/"):
        headers["Authorization"] = basic_auth(settings)
    return http.call("GET", ref, headers=headers, label="Twilio media", max_bytes=max_bytes)


def error_from(status: int, payload: Any) -> SendError:
    """Twilio's JSON error: {"code": 21211, "message": "...", "more_info": ..., "status"}."""
    body = payload if isinstance(payload, dict) else {}
    code, text = body.get("code"), body.get("message") or f"HTTP {status}"
    reason = f"Twilio error {code}: {text}" if code else f"Twilio: {text}"
    # 429 and 5xx are Twilio being busy; other 4xx (bad number, unverified sender, auth)
    # fail again on retry.
    is_permanent = 400 <= status < 500 and status != 429 and code not in RETRYABLE_CODES
    if status < 400:  # a 2xx without a sid: Twilio's contract broken, try again later
        is_permanent = False
    return SendError(reason, is_permanent=is_permanent)
