"""Telegram Bot API: send text replies, download files.

Inbox settings (`Inbox.settings`, channel "telegram"):
    bot_token     from @BotFather; it is part of every API URL, so never logged or shown
    secret_token  given to setWebhook; Telegram sends it back in a header on every update
    api_base      default https://api.telegram.org (tests point it at a local stub)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import Field

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    ChannelSettings,
    HttpUrlText,
    IdentityKind,
    InboundRequest,
    MediaRules,
    OutboundMessage,
    OutgoingAttachment,
    ParsedWebhook,
    SendError,
)
from omnicanal.connectors.media_links import MB
from omnicanal.connectors.messaging import MessagingAdapter
from omnicanal.connectors.survey_choices import survey_choices
from omnicanal.connectors.telegram import webhook
from omnicanal.connectors.webhooks import Provider

if TYPE_CHECKING:
    from omnicanal.conversations.models import Message

API_BASE = "https://api.telegram.org"
# The Bot API refuses downloads over 20 MB (a local Bot API server lifts it).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# Uploads: 50 MB for a document, 10 MB for a photo; a caption is at most 1024 characters.
MAX_UPLOAD_BYTES = 50 * MB
PHOTO_MAX_BYTES = 10 * MB
CAPTION_MAX_LENGTH = 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def multipart(fields: Mapping[str, str], name: str, file: OutgoingAttachment) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578) with text fields and one file; its content type."""
    boundary = "omnicanal-" + uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     .encode() + value.encode() + b"\r\n")
    quoted = file.filename.replace("\\", "_").replace('"', "_").replace("\r", "").replace("\n", "")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{quoted}"\r\nContent-Type: {file.content_type}\r\n\r\n'.encode()
        + file.content + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def method_url(settings: Mapping[str, Any], method: str) -> str:
    base = str(settings.get("api_base") or API_BASE).rstrip("/")
    return f"{base}/bot{settings.get('bot_token', '')}/{method}"


def error_from(status: int, payload: Any) -> SendError:
    """`{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked..."}`."""
    body = payload if isinstance(payload, dict) else {}
    code = body.get("error_code", status)
    reason = f"Telegram error {code}: {body.get('description') or f'HTTP {status}'}"
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    retry_after = parameters.get("retry_after") if parameters else None
    if retry_after:
        reason += f" (retry after {retry_after} s)"
    # 429 (flood control) and 5xx pass; 400 (chat not found), 401 (bad token) and 403 (the
    # user blocked the bot) stay true on retry.
    is_permanent = 400 <= status < 500 and status != 429
    return SendError(reason, is_permanent=is_permanent)


class TelegramSettings(ChannelSettings):
    # "<bot id>:<secret>" as @BotFather gives it.
    bot_token: str = Field(pattern=r"^[0-9]+:[A-Za-z0-9_-]+$", repr=False,
                           json_schema_extra={"writeOnly": True, "format": "password"})
    # Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - (setWebhook).
    secret_token: str = Field(pattern=r"^[A-Za-z0-9_-]{1,256}$", repr=False,
                              json_schema_extra={"writeOnly": True, "format": "password",
                                                 "x-generate": "token"})
    api_base: HttpUrlText = API_BASE


class TelegramAdapter(MessagingAdapter):
    kind = "telegram"
    settings_schema = TelegramSettings
    recipient_kinds = (IdentityKind.TELEGRAM,)
    can_register_webhook = True

    def register_webhook(self, settings: Mapping[str, Any], url: str) -> str:
        return set_webhook(settings, url)

    def webhook_provider(self, settings: Mapping[str, Any]) -> str | None:
        return "telegram"

    def webhook_formats(self) -> Sequence[Provider]:
        return (Provider("telegram", webhook.verify, webhook.parse, webhook.events),)

    def prepare_outbound(self, message: Message, outbound: OutboundMessage) -> OutboundMessage:
        outbound = super().prepare_outbound(message, outbound)
        if ":" in outbound.reply_to_external_id:
            # Telegram ids are "<chat>:<message>": answer in the chat the customer wrote in,
            # which for a group is not the customer's own id.
            return replace(outbound, recipient=outbound.reply_to_external_id.split(":", 1)[0])
        return outbound

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return webhook.verify(request, str(settings.get("secret_token", "")))

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        return webhook.parse(request)

    def _call(
        self, settings: Mapping[str, Any], method: str, payload: Mapping[str, Any],
        file: tuple[str, OutgoingAttachment] | None = None,
    ) -> Any:
        """One Bot API method: JSON, or multipart/form-data when it uploads `file` (the
        field name and the file)."""
        if not settings.get("bot_token"):
            raise SendError("This inbox has no Telegram bot token.", is_permanent=True)
        if file is None:
            body, content_type = http.json_body(payload), "application/json"
        else:
            body, content_type = multipart(
                {key: str(value) for key, value in payload.items()}, *file
            )
        response = http.call(
            "POST",
            method_url(settings, method),
            body=body,
            headers={"Content-Type": content_type},
            label=f"Telegram {method}",
        )
        body = response.json()
        if response.status >= 400 or not isinstance(body, dict) or body.get("ok") is not True:
            raise error_from(response.status if response.status >= 400 else 500, body)
        return body.get("result")

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        if not message.recipient:
            raise SendError("The contact has no Telegram chat.", is_permanent=True)
        if message.attachments:
            result = self._send_file(message, settings, message.attachments[0])
        else:
            payload: dict[str, Any] = {"chat_id": message.recipient, "text": message.text}
            keyboard = inline_keyboard(message)
            if keyboard:
                payload["reply_markup"] = {"inline_keyboard": keyboard}
            result = self._call(settings, "sendMessage", payload)
        result = result if isinstance(result, dict) else {}
        chat = result.get("chat") if isinstance(result.get("chat"), dict) else {}
        chat_id = (chat or {}).get("id", message.recipient)
        # The same "<chat>:<message>" form as inbound ids, so that a customer's reaction to
        # our message finds it.
        return f"{chat_id}:{result.get('message_id', '')}"

    def _send_file(
        self, message: OutboundMessage, settings: Mapping[str, Any], file: OutgoingAttachment
    ) -> Any:
        """sendPhoto for a picture Telegram can show, sendDocument otherwise, uploaded (no
        public link needed), with the text as caption; a longer text goes first alone."""
        caption = message.text if len(message.text) <= CAPTION_MAX_LENGTH else ""
        if message.text and not caption:
            self._call(settings, "sendMessage", {"chat_id": message.recipient,
                                                 "text": message.text})
        is_photo = file.content_type in PHOTO_TYPES and len(file.content) <= PHOTO_MAX_BYTES
        method, field = ("sendPhoto", "photo") if is_photo else ("sendDocument", "document")
        fields = {"chat_id": message.recipient}
        if caption:
            fields["caption"] = caption
        return self._call(settings, method, fields, (field, file))

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        # One file per message (an album is another method), uploaded: no public link.
        return MediaRules(max_count=1, max_bytes=MAX_UPLOAD_BYTES)

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        """getFile turns a file_id into a path valid for an hour, downloaded under /file/."""
        result = self._call(settings, "getFile", {"file_id": ref})
        result = result if isinstance(result, dict) else {}
        path = result.get("file_path")
        if not isinstance(path, str) or not path:
            raise SendError("Telegram gave no file path (file over 20 MB?).", is_permanent=True)
        base = str(settings.get("api_base") or API_BASE).rstrip("/")
        url = f"{base}/file/bot{settings.get('bot_token', '')}/{quote(path)}"
        return http.call("GET", url, label="Telegram file",
                         max_bytes=min(max_bytes, MAX_DOWNLOAD_BYTES))




# callback_data is 1 to 64 bytes; six buttons a row keep NPS's 11 scores on two rows.
CALLBACK_DATA_MAX_BYTES = 64
KEYBOARD_ROW_LENGTH = 6


def inline_keyboard(message: OutboundMessage) -> list[list[dict[str, str]]]:
    """A survey's scores as inline buttons whose callback_data is the choice id."""
    choices = survey_choices(message)
    if not choices or any(
        len(choice.id.encode()) > CALLBACK_DATA_MAX_BYTES for choice in choices
    ):
        return []
    buttons = [{"text": c.title, "callback_data": c.id} for c in choices]
    return [
        buttons[start:start + KEYBOARD_ROW_LENGTH]
        for start in range(0, len(buttons), KEYBOARD_ROW_LENGTH)
    ]


# Every kind of update the webhook parses; the others are not sent at all.
ALLOWED_UPDATES = (*webhook.MESSAGE_UPDATES, *webhook.EDIT_UPDATES, "callback_query")


def set_webhook(settings: Mapping[str, Any], url: str) -> str:
    """Bot API setWebhook: Telegram then POSTs the bot's updates to `url`, carrying the
    inbox's `secret_token` in X-Telegram-Bot-Api-Secret-Token. Telegram's description
    ("Webhook was set"), or SendError with its refusal (an http:// URL is refused: Telegram
    only calls HTTPS)."""
    if not settings.get("bot_token"):
        raise SendError("This inbox has no Telegram bot token.", is_permanent=True)
    response = http.call(
        "POST",
        method_url(settings, "setWebhook"),
        body=http.json_body({
            "url": url,
            "secret_token": str(settings.get("secret_token", "")),
            "allowed_updates": list(ALLOWED_UPDATES),
        }),
        headers={"Content-Type": "application/json"},
        label="Telegram setWebhook",
    )
    body = response.json()
    if response.status >= 400 or not isinstance(body, dict) or body.get("ok") is not True:
        raise error_from(response.status if response.status >= 400 else 500, body)
    return str(body.get("description") or "Webhook was set")
