"""Messenger and Instagram through the Messenger Platform Send API.

Inbox settings (`Inbox.settings`, channel "messenger" or "instagram"):
    page_access_token  the Page token the Send API authenticates with
    app_secret         signs webhooks (X-Hub-Signature-256)
    verify_token       what we answer Meta's subscription handshake with
    app_id             our app's id: echoes of messages this app sent are not stored twice
    api_base, api_version  default https://graph.facebook.com, 21.0 (tests use a stub)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from pydantic import Field

from omnicanal.connectors import http
from omnicanal.connectors.base import (
    ChannelSettings,
    HttpUrlText,
    IdentityKind,
    InboundMessage,
    InboundRequest,
    MediaRules,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    secret,
)
from omnicanal.connectors.media_links import AUDIO, GIF_WEBP, IMAGES, MB, VIDEO, by_url
from omnicanal.connectors.messaging import (
    META_STANDARD_WINDOW,
    MessagingAdapter,
    last_message_from_extra,
    meta_window_error,
)
from omnicanal.connectors.meta import signature, webhook
from omnicanal.connectors.meta.graph import API_BASE, API_VERSION, graph_error, graph_url
from omnicanal.connectors.survey_choices import survey_choices
from omnicanal.connectors.webhooks import Provider


class MetaSettings(ChannelSettings):
    page_access_token: str = secret("The Page token the Send API authenticates with",
                                    required=True)
    app_secret: str = secret("Signs Meta's webhooks (X-Hub-Signature-256)", required=True)
    verify_token: str = secret("Answers Meta's subscription handshake", required=True)
    # Without it our own replies' echoes are recognised by their id only, which may land
    # after the echo: optional, but recommended.
    app_id: str = Field("", pattern=r"^[0-9]*$")
    api_base: HttpUrlText = API_BASE
    api_version: str = Field(API_VERSION, pattern=r"^v?[0-9]+\.[0-9]+$")


class MessengerAdapter(MessagingAdapter):
    kind = "messenger"
    product = "Messenger"
    settings_schema = MetaSettings
    recipient_kinds = (IdentityKind.MESSENGER,)
    has_reply_window = True
    # Messenger read receipts are watermarks: "everything sent to this PSID before then".
    watermark_identity = IdentityKind.MESSENGER
    # One attachment per message, up to 25 MB, any file.
    media_rules = MediaRules(max_count=1, max_bytes=25 * MB)

    def webhook_provider(self, settings: Mapping[str, Any]) -> str | None:
        return self.kind

    def webhook_formats(self) -> Sequence[Provider]:
        return (Provider("messenger", signature.verify, webhook.parse_messenger,
                         webhook.messenger_events),)

    def answers_handshake(self, settings: Mapping[str, Any]) -> bool:
        return True

    def subscription_challenge(
        self, query: Mapping[str, str], settings: Mapping[str, Any]
    ) -> str | None:
        return signature.verify_subscription(query, str(settings.get("verify_token", "")))

    def reply_window_error(
        self, last_customer_message: dt.datetime | None, now: dt.datetime
    ) -> SendError | None:
        return meta_window_error(last_customer_message, now)

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return signature.verify(request, str(settings.get("app_secret", "")))

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        parsed = webhook.parse(request, "instagram" if self.kind == "instagram" else "messenger")
        app_id = str(settings.get("app_id", ""))
        if not app_id:
            return parsed
        # Meta echoes every message the page sends, ours included. An echo carrying our
        # app_id is a reply already stored, and it can land before our send has recorded
        # the message id that would otherwise recognise it.
        kept = [m for m in parsed.messages if not (m.is_outgoing_echo and _app_id(m) == app_id)]
        if len(kept) == len(parsed.messages):
            return parsed
        reason = parsed.ignored_reason or ("" if kept or parsed.updates else "our own echo")
        return replace(parsed, messages=kept, ignored_reason=reason)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        now = timezone.now()
        last = last_message_from_extra(message)
        error = self.reply_window_error(last, now)
        if error:
            raise error
        token = str(settings.get("page_access_token", ""))
        if not token:
            raise SendError("This inbox has no page access token.", is_permanent=True)
        if not message.recipient:
            raise SendError(f"The contact has no {self.product} id.", is_permanent=True)
        tagged = last is None or now - last >= META_STANDARD_WINDOW
        # The Send API takes text or one attachment per message, not both: the text goes
        # first, the file after it; the id returned is the last one sent.
        contents: list[dict[str, Any]] = []
        if message.text or not message.attachments:
            contents.append({"text": message.text})
        replies = quick_replies(message)
        if replies and contents and not message.attachments:
            contents[0]["quick_replies"] = replies
        for attachment in message.attachments:
            if not attachment.url:
                raise SendError("The attachment has no public link: set PUBLIC_URL.",
                                is_permanent=True)
            contents.append({"attachment": {
                "type": attachment_type(attachment.content_type),
                "payload": {"url": attachment.url, "is_reusable": False},
            }})
        message_id = ""
        for content in contents:
            message_id = self._post(token, settings, message.recipient, content, tagged)
        return message_id

    def _post(
        self, token: str, settings: Mapping[str, Any], recipient: str,
        content: dict[str, Any], tagged: bool,
    ) -> str:
        payload: dict[str, Any] = {
            "recipient": {"id": recipient},
            "message": content,
            "messaging_type": "RESPONSE",
        }
        if tagged:
            # After 24 h only a tagged message goes through; HUMAN_AGENT (7 days) is the tag
            # for a person answering, and needs the app's Human Agent permission.
            payload.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        # The Send API takes the token in the query string, not a header.
        url = graph_url(settings, "me/messages") + "?" + urlencode({"access_token": token})
        response = http.call(
            "POST",
            url,
            body=http.json_body(payload),
            headers={"Content-Type": "application/json"},
            label=f"{self.product} Send API",
        )
        body = response.json()
        if response.status >= 400 or not isinstance(body, dict) or not body.get("message_id"):
            raise graph_error(response.status, body, self.product)
        return str(body["message_id"])

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        return by_url(self.media_rules, self.product)

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> http.Response:
        # Attachment URLs are pre-signed CDN links: no token, and they expire, hence the
        # fetch right after ingest.
        return http.call("GET", ref, label=f"{self.product} media", max_bytes=max_bytes)


# The Send API takes 13 quick replies at most, titles of 20 characters, with a text of 2000.
QUICK_REPLIES_MAX = 13
QUICK_REPLY_TITLE_MAX_LENGTH = 20
QUICK_REPLY_TEXT_MAX_LENGTH = 2000


def quick_replies(message: OutboundMessage) -> list[dict[str, str]]:
    """A survey's scores as quick replies (every kind fits), or [] when they cannot be."""
    choices = survey_choices(message)
    if (
        not choices or len(choices) > QUICK_REPLIES_MAX or not message.text
        or len(message.text) > QUICK_REPLY_TEXT_MAX_LENGTH
        or any(len(choice.title) > QUICK_REPLY_TITLE_MAX_LENGTH for choice in choices)
    ):
        return []
    return [{"content_type": "text", "title": c.title, "payload": c.id} for c in choices]


def attachment_type(content_type: str) -> str:
    """The Send API's attachment type for a file: image, audio, video, or file."""
    kind = content_type.split("/")[0]
    return kind if kind in ("image", "audio", "video") else "file"


def _app_id(message: InboundMessage) -> str:
    body = message.raw.get("message")
    return str(body.get("app_id", "")) if isinstance(body, dict) else ""


class InstagramAdapter(MessengerAdapter):
    kind = "instagram"
    product = "Instagram"
    recipient_kinds = (IdentityKind.INSTAGRAM,)
    watermark_identity = IdentityKind.INSTAGRAM
    # Images, audio and video only (8 MB for an image, 25 MB for the others).
    media_rules = MediaRules(max_count=1, max_bytes=8 * MB,
                             content_types=IMAGES | GIF_WEBP | AUDIO | VIDEO)

    def webhook_formats(self) -> Sequence[Provider]:
        return (Provider("instagram", signature.verify, webhook.parse_instagram,
                         webhook.instagram_events),)
