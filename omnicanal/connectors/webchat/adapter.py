"""The web chat channel: agents' replies go to the visitor's open widget.

Inbound messages do not come through webhooks but through the widget's socket and HTTP
endpoints (`consumers.py`, `views.py`), which call `actions.post_message` → ingest().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from pydantic import Field, field_validator

from omnicanal.connectors.base import (
    BaseAdapter,
    ChannelSettings,
    HttpUrlText,
    IdentityKind,
    MediaRules,
    OutboundMessage,
    SenderIdentity,
    TranslatedValueError,
)
from omnicanal.connectors.webchat.actions import (
    FORM_VISITOR_PREFIX,
    contact_groups,
)
from omnicanal.connectors.webchat.config import DEFAULT_COLOR, BusinessHours, WebchatSettings
from omnicanal.contacts.models import AttributeDefinition
from omnicanal.conversations.models import Message
from omnicanal.core.exceptions import InvalidInput


def provider_id(message_id: int) -> str:
    return f"webchat:{message_id}"


class WebchatInboxSettings(ChannelSettings):
    """What `config.WebchatSettings` reads, checked when the inbox is saved."""

    # Public (it is in the embed snippet and the socket URL): a URL-safe name for the inbox.
    site_token: str = Field(pattern=r"^[A-Za-z0-9_-]{8,100}$",
                            json_schema_extra={"x-generate": "token"})
    allowed_origins: list[HttpUrlText] = []
    # Chosen among routing's business calendars (a select on the settings page).
    business_calendar_id: int | None = Field(None, json_schema_extra={"x-business-calendar": True})
    business_hours: dict[str, Any] | None = None
    wait_message: str | dict[str, str] = ""
    email_inbox_id: int | None = Field(None, json_schema_extra={"x-inbox-channel": "email"})
    away_after_seconds: int = Field(120, ge=0, le=7 * 24 * 3600)
    help_center_url: HttpUrlText | None = None
    # The launcher's and the header's colour (white text on it).
    color: str = Field(DEFAULT_COLOR, pattern=r"^#[0-9a-fA-F]{6}$",
                       json_schema_extra={"format": "color"})
    position: Literal["right", "left"] = "right"
    greeting: str | dict[str, str] = ""
    prechat_name: Literal["off", "optional", "required"] = "off"
    prechat_email: Literal["off", "optional", "required"] = "off"
    prechat_phone: Literal["off", "optional", "required"] = "off"
    prechat_attributes: list[str] = []
    sound: bool = True

    @field_validator("prechat_attributes")
    @classmethod
    def _attributes(cls, value: list[str]) -> list[str]:
        keys = [line.strip().rstrip("*").strip() for line in value if line.strip()]
        known = set(AttributeDefinition.objects.filter(key__in=keys).values_list("key", flat=True))
        unknown = [key for key in keys if key not in known]
        if unknown:
            refused = ", ".join(unknown)
            raise TranslatedValueError(lazy(lambda: str(
                _("No custom attribute has the key %(keys)s.")
                % {"keys": refused}), str)())
        return [line.strip() for line in value if line.strip()]

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        try:
            BusinessHours.parse(value)
        except InvalidInput as exc:
            refusal = exc  # `exc` is unbound after the except block; the lambda reads it later
            # Lazy: the refusal reads in the language of the API reader or the admin's page.
            raise TranslatedValueError(lazy(lambda: refusal.message, str)()) from None
        return value


class WebchatAdapter(BaseAdapter):
    """Inbound messages come through the widget's socket and HTTP endpoints, not webhooks."""

    kind = "webchat"
    settings_schema = WebchatInboxSettings
    has_typing_indicator = True
    has_embed_snippet = True
    takes_contact_form = True

    def contact_form_identities(self, inbox_id: int, form_id: str) -> list[SenderIdentity]:
        # The form's writer is a visitor of the web chat: the verified handle that lets the
        # customer's mail answer find this conversation again (mail.py).
        return [SenderIdentity(IdentityKind.WEBCHAT, f"{inbox_id}:{FORM_VISITOR_PREFIX}{form_id}")]

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        # The visitor downloads the files from signed links (media_links.visitor_links).
        return MediaRules(max_count=10, max_bytes=25 * 1024 * 1024)

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        """The reply is already in the visitor's open widgets: `actions.push_reply_on_creation`
        pushed it when it was stored (a widget polling or reconnecting later reads it too).
        Sending records that, and if no widget shows it within `away_after_seconds`,
        `tasks.email_unseen_reply` sends it by e-mail."""
        from omnicanal.connectors.webchat.tasks import email_unseen_reply

        stored = (
            Message.objects.select_related("conversation")
            .filter(pk=message.message_id)
            .first()
        )
        if stored is None:
            return provider_id(message.message_id)
        conversation = stored.conversation
        groups = contact_groups(conversation.inbox_id, conversation.contact_id)
        config = WebchatSettings.parse(settings)
        # No widget ever opened (a help-center form): no reason to wait.
        delay = config.away_after_seconds if groups else 0
        email_unseen_reply.using(
            run_after=timezone.now() + dt.timedelta(seconds=delay)
        ).enqueue(stored.pk)
        return provider_id(stored.pk)
