"""WhatsApp Cloud API (Meta), the WhatsApp adapter's default provider: the inbox settings,
sending text replies, fetching media. Not an adapter: `whatsapp/adapter.py` calls it.

Inbox settings (`Inbox.settings`, channel "whatsapp"):
    provider         "whatsapp_cloud" (default) or "twilio" (see twilio/client.py)
    phone_number_id  the Cloud API id of our number (not the number itself)
    access_token     a system-user token with whatsapp_business_messaging
    app_secret       signs webhooks (X-Hub-Signature-256)
    verify_token     what we answer Meta's subscription handshake with
    api_base, api_version  default https://graph.facebook.com, 21.0 (tests use a stub)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    ChannelSettings,
    HttpUrlText,
    OutboundMessage,
    OutgoingAttachment,
    SendError,
    secret,
)
from omnicanal.connectors.message_templates import (
    TEMPLATE_EXTRA,
    VARIABLES_EXTRA,
    CloudTemplateLine,
    MessageTemplate,
)
from omnicanal.connectors.meta.graph import API_BASE, API_VERSION, graph_error, graph_url
from omnicanal.connectors.survey_choices import BUTTON_EXTRA, survey_choices


class WhatsAppCloudSettings(ChannelSettings):
    provider: Literal["whatsapp_cloud"] = "whatsapp_cloud"
    phone_number_id: str = Field(pattern=r"^[0-9]{1,32}$")
    access_token: str = secret("System-user token with whatsapp_business_messaging",
                               required=True)
    app_secret: str = secret("Signs Meta's webhooks (X-Hub-Signature-256)", required=True)
    verify_token: str = secret("Answers Meta's subscription handshake", required=True)
    api_base: HttpUrlText = API_BASE
    api_version: str = Field(API_VERSION, pattern=r"^v?[0-9]+\.[0-9]+$")
    templates: list[CloudTemplateLine] = Field(
        default_factory=list,
        description="One per line: name | language | body with {{1}}…",
    )


def bearer(settings: Mapping[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.get('access_token', '')}"}


# Images over 5 MB are refused as images, not as documents (up to 100 MB); a caption is at
# most 1024 characters, and audio takes none.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
CAPTION_MAX_LENGTH = 1024


def media_object(attachment: OutgoingAttachment, caption: str) -> tuple[str, dict[str, Any]]:
    """The message type and its object for a file the Cloud API fetches from `link`."""
    if not attachment.url:
        raise SendError("The attachment has no public link: set PUBLIC_URL.", is_permanent=True)
    kind = attachment.content_type.split("/")[0]
    if kind == "image" and len(attachment.content) > IMAGE_MAX_BYTES:
        kind = "document"
    if kind not in ("image", "audio", "video"):
        kind = "document"
    media: dict[str, Any] = {"link": attachment.url}
    if caption and kind != "audio":
        media["caption"] = caption
    if kind == "document":
        media["filename"] = attachment.filename
    return kind, media


def send(message: OutboundMessage, settings: Mapping[str, Any]) -> str:
    """The reply as a text message, or its file as a media message with the text as the
    caption. Text that cannot be a caption (too long, or an audio file) goes first on its own;
    the id returned is the file's, whose statuses the agent sees."""
    phone_number_id = str(settings.get("phone_number_id", ""))
    if not phone_number_id or not settings.get("access_token"):
        raise SendError("This inbox has no WhatsApp phone number id and access token.",
                        is_permanent=True)
    if not message.recipient:
        raise SendError("The contact has no WhatsApp number.", is_permanent=True)
    template = message.extra.get(TEMPLATE_EXTRA)
    if isinstance(template, MessageTemplate):
        return _post(settings, phone_number_id, message, {"type": "template", "template": (
            template_payload(template, message.extra.get(VARIABLES_EXTRA) or [])
        )})
    listed = survey_list(message)
    if listed is not None:
        return _post(settings, phone_number_id, message, listed)
    if not message.attachments:
        return _post(settings, phone_number_id, message,
                     {"type": "text", "text": {"body": message.text, "preview_url": False}})
    attachment = message.attachments[0]
    is_audio = attachment.content_type.startswith("audio/")
    caption = message.text if len(message.text) <= CAPTION_MAX_LENGTH and not is_audio else ""
    if message.text and not caption:
        _post(settings, phone_number_id, message,
              {"type": "text", "text": {"body": message.text, "preview_url": False}})
    kind, media = media_object(attachment, caption)
    return _post(settings, phone_number_id, message, {"type": kind, kind: media})


# An interactive list holds 10 rows at most, titles of 24 characters, a body of 1024 and a
# button label of 20: a survey that does not fit (NPS has 11 scores) goes as text, answered
# by typing the number.
LIST_MAX_ROWS = 10
LIST_TITLE_MAX_LENGTH = 24
LIST_BODY_MAX_LENGTH = 1024
LIST_BUTTON_MAX_LENGTH = 20


def survey_list(message: OutboundMessage) -> dict[str, Any] | None:
    """A survey's scores as an interactive list message, or None when it cannot be one."""
    choices = survey_choices(message)
    button = str(message.extra.get(BUTTON_EXTRA) or "")[:LIST_BUTTON_MAX_LENGTH]
    if (
        not choices or len(choices) > LIST_MAX_ROWS or message.attachments or not button
        or not message.text or len(message.text) > LIST_BODY_MAX_LENGTH
        or any(len(choice.title) > LIST_TITLE_MAX_LENGTH for choice in choices)
    ):
        return None
    return {"type": "interactive", "interactive": {
        "type": "list",
        "body": {"text": message.text},
        "action": {
            "button": button,
            "sections": [{"rows": [{"id": c.id, "title": c.title} for c in choices]}],
        },
    }}


def _post(
    settings: Mapping[str, Any], phone_number_id: str, message: OutboundMessage,
    content: dict[str, Any],
) -> str:
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        # wa_ids are the digits of the E.164 number, without "+".
        "to": message.recipient.removeprefix("+"),
        **content,
    }
    response = http.call(
        "POST",
        graph_url(settings, f"{phone_number_id}/messages"),
        body=http.json_body(payload),
        headers={**bearer(settings), "Content-Type": "application/json"},
        label="WhatsApp Cloud API",
    )
    body = response.json()
    messages = body.get("messages") if isinstance(body, dict) else None
    if response.status >= 400 or not isinstance(messages, list) or not messages:
        raise graph_error(response.status, body, "WhatsApp")
    return str(messages[0].get("id", ""))


def template_payload(template: MessageTemplate, variables: list[str]) -> dict[str, Any]:
    """An approved template by name and language, its body's {{n}} filled in order."""
    payload: dict[str, Any] = {
        "name": template.name,
        "language": {"policy": "deterministic", "code": template.language},
    }
    if variables:
        payload["components"] = [{
            "type": "body",
            "parameters": [{"type": "text", "text": value} for value in variables],
        }]
    return payload


def fetch_media(ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
    """Media come as ids: GET the id for a short-lived URL, then GET that URL, both with the
    token (the URL alone answers 401)."""
    described = http.call("GET", graph_url(settings, ref), headers=bearer(settings),
                          label="WhatsApp media lookup")
    info = described.json()
    if described.status >= 400 or not isinstance(info, dict) or not info.get("url"):
        raise graph_error(described.status, info, "WhatsApp media")
    size = info.get("file_size")
    if isinstance(size, int) and size > max_bytes:
        raise SendError(f"The media is {size} bytes, over the {max_bytes} limit.",
                        is_permanent=True)
    return http.call("GET", str(info["url"]), headers=bearer(settings),
                     label="WhatsApp media", max_bytes=max_bytes)
