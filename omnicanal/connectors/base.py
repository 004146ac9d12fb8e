"""The one interface every channel adapter implements, and what adapters share.

An adapter is the only code that knows a channel's format. It owns the inbox settings'
schema, verifies an inbound request, parses it into typed events, prepares and sends an
outgoing message, fetches media, and says what its replies need (whom to address, windows).
It never writes conversations or contacts: `omnicanal.conversations.ingest.ingest()` does,
from the `InboundMessage`s returned here.

Code outside the adapters asks an adapter (`registry.adapter_for(inbox.channel)`) what the
channel can do instead of testing the channel's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
)

# The types adapters produce belong to the apps that consume them; adapters import them here.
from omnicanal.contacts.senders import IdentityKind, Sender, SenderIdentity
from omnicanal.conversations.attachments import MediaRules
from omnicanal.conversations.inbound import (
    AttachmentType,
    DeliveryStatus,
    DeliveryUpdate,
    EventKind,
    InboundAttachment,
    InboundMessage,
    ThreadHints,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from omnicanal.connectors.http import Response
    from omnicanal.connectors.message_templates import MessageTemplate
    from omnicanal.connectors.webhooks import Provider
    from omnicanal.conversations.models import Message

__all__ = [
    "AttachmentType",
    "BaseAdapter",
    "ChannelAdapter",
    "ChannelSettings",
    "CheckResult",
    "DeliveryStatus",
    "DeliveryUpdate",
    "EventKind",
    "HttpUrlText",
    "IdentityKind",
    "InboundAttachment",
    "InboundMessage",
    "InboundRequest",
    "MediaRules",
    "OptionalE164",
    "OptionalHttpUrlText",
    "OutboundMessage",
    "OutgoingAttachment",
    "ParsedWebhook",
    "SendError",
    "Sender",
    "SenderIdentity",
    "SettingsProblem",
    "TestDelivery",
    "ThreadHints",
    "TranslatedValueError",
    "secret",
    "settings_error",
    "settings_problems",
]


@dataclass(frozen=True)
class ParsedWebhook:
    messages: Sequence[InboundMessage] = ()
    updates: Sequence[DeliveryUpdate] = ()
    # Why nothing was ingested, when nothing was: answered 2xx so the provider stops retrying.
    ignored_reason: str = ""


@dataclass(frozen=True)
class InboundRequest:
    """A webhook as received: exact raw body, headers (lower-case names), full URL."""

    body: bytes
    headers: Mapping[str, str]
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class OutgoingAttachment:
    filename: str
    content_type: str
    content: bytes
    # A signed public link to the file (media_links), for providers that fetch it; "" when
    # the installation has no PUBLIC_URL.
    url: str = ""


@dataclass(frozen=True)
class OutboundMessage:
    """An agent's reply, addressed, ready for a provider."""

    message_id: int
    conversation_id: int
    recipient: str
    text: str
    html: str = ""
    subject: str = ""
    attachments: Sequence[OutgoingAttachment] = ()
    # E-mail threading headers, or the provider id of the customer's message being answered.
    in_reply_to: str = ""
    references: Sequence[str] = ()
    reply_to_external_id: str = ""
    sender_name: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    """One step of a "test connection": which server, whether it worked, what it answered
    (never a credential)."""

    step: str | Promise
    is_ok: bool
    detail: str | Promise = ""


@dataclass(frozen=True)
class TestDelivery:
    """What a receiver answered to a test event: its HTTP status, or why it was not reached."""

    status: int | None
    error: str = ""

    @property
    def is_ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class SendError(Exception):
    """A send that failed. `is_permanent` says whether retrying can help."""

    def __init__(self, message: str, *, is_permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.is_permanent = is_permanent


# --- settings ----------------------------------------------------------------------------


def is_storable(value: Any) -> bool:
    """Whether every text in a JSON-like value can be stored: no NUL, no lone surrogate."""
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return all(is_storable(k) and is_storable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(is_storable(v) for v in value)
    return True


_SECRET_EXTRA: dict[str, JsonValue] = {"writeOnly": True, "format": "password"}


def secret(description: str = "", *, required: bool = False) -> Any:
    """A setting that is a credential: accepted on input, never returned or shown again
    (masked by `ChannelSettings.masked`), kept out of the model's repr."""
    if required:
        return Field(repr=False, description=description, min_length=1,
                     json_schema_extra=_SECRET_EXTRA)
    return Field(default="", repr=False, description=description,
                 json_schema_extra=_SECRET_EXTRA)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Not an http(s) URL.")
    return value


def _optional_http_url(value: str) -> str:
    return _http_url(value) if value else value


# Kept as the text given (pydantic's URL types would add a trailing slash to a base URL).
HttpUrlText = Annotated[str, AfterValidator(_http_url)]
# The same, or "" for none (one type rather than a union, so an error names the field alone).
OptionalHttpUrlText = Annotated[str, AfterValidator(_optional_http_url)]
# An international number, or "" for none.
OptionalE164 = Annotated[
    str, Field(pattern=r"^(\+[1-9][0-9]{6,14})?$", description="E.164, e.g. +33612345678")
]


class ChannelSettings(BaseModel):
    """An inbox's settings for one channel kind, validated when the inbox is saved.

    Unknown keys are refused: a misspelt `auth_tokne` would otherwise be accepted and fail
    at the first send, days later.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Any inbox may be the one the help center's contact form lands in (knowledge app).
    help_center_contact: bool = False

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        # PostgreSQL's jsonb refuses NUL, and no database stores a lone surrogate: refused
        # here, named, rather than a server error when the inbox is saved.
        if not is_storable(value):
            raise ValueError(str(_("Contains a NUL character or an unpaired surrogate.")))
        return value

    @classmethod
    def secret_fields(cls) -> frozenset[str]:
        return frozenset(
            name for name, info in cls.model_fields.items()
            if isinstance(info.json_schema_extra, dict)
            and info.json_schema_extra.get("writeOnly") is True
        )

    @classmethod
    def masked(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The stored settings as they may be shown: a secret becomes "********" when set
        (so an administrator sees that it is), "" when empty."""
        hidden = cls.secret_fields()
        return {
            key: ("********" if value else "") if key in hidden else value
            for key, value in settings.items()
        }


class NoSettings(ChannelSettings):
    pass


class TranslatedValueError(ValueError):
    """A settings validator's refusal whose reason is lazy: `settings_problems` keeps it so,
    and it renders in the language of whoever reads it, not of the request that validated."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class SettingsProblem:
    """One wrong setting: where ("settings.auth_token", "settings.days.mon.0") and why."""

    field: str
    # Lazy where it is ours: rendered in the language of whoever reads it.
    reason: str | Promise


def settings_problems(exc: ValidationError, prefix: str = "settings") -> list[SettingsProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        # Values are never quoted back: the wrong one may be a secret.
        path = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        reason: str | Promise = str(error["msg"]).removeprefix("Value error, ")
        refusal = (error.get("ctx") or {}).get("error")
        if isinstance(refusal, TranslatedValueError):
            reason = refusal.reason
        if error["type"] == "extra_forbidden":
            reason = _("Unknown setting for this channel.")
        elif error["type"] == "missing":
            reason = _("Required.")
        problems.append(SettingsProblem(path, reason))
    return problems


def settings_error(exc: ValidationError, prefix: str = "") -> str:
    """Every problem on one line, for an exception message or a log."""
    return "; ".join(
        f"{p.field}: {p.reason}" if p.field else str(p.reason)
        for p in settings_problems(exc, prefix)
    )


# --- adapters ------------------------------------------------------------------------------


class ChannelAdapter(Protocol):
    """What every channel provides. `settings` are the inbox's stored channel settings
    (validated against `settings_schema` when the inbox was saved), plus "secret", the
    inbox's own signing secret, when sending."""

    kind: ClassVar[str]
    settings_schema: ClassVar[type[ChannelSettings]]
    # Identity kinds a reply on the channel can be addressed to, best first; empty: any.
    recipient_kinds: ClassVar[tuple[IdentityKind, ...]]
    # Addresses that any of our inboxes on the channel reaches (an e-mail address, a phone
    # number), so an agent may answer another channel's conversation through it. Page-scoped
    # ids (Messenger, Instagram, Telegram) are not.
    has_global_addresses: ClassVar[bool]
    # A free-form reply is only allowed within some time of the customer's last message.
    has_reply_window: ClassVar[bool]
    supports_html: ClassVar[bool]
    # Inbound attachments come as references to download after ingest.
    fetches_media: ClassVar[bool]
    # The customer's client shows and reports typing (the web chat widget).
    has_typing_indicator: ClassVar[bool]
    # Whose identity a delivery update without a message id names (Messenger watermarks).
    watermark_identity: ClassVar[IdentityKind | None]
    # The help center's contact form lands in such an inbox when none is chosen.
    takes_contact_form: ClassVar[bool]
    # The kind of work a conversation is for an agent, which routing counts capacity by: a
    # WhatsApp thread, an SMS exchange and a web chat occupy an agent alike ("chat"), an
    # e-mail or a call does not.
    work_kind: ClassVar[str]
    # The providers an inbox of the channel may run on, by its settings' "provider" (each
    # with its own schema, `schema_for`); empty when there is one way.
    providers: ClassVar[tuple[str, ...]]
    # What the settings page offers for the channel: "Test connection" (really connect to
    # the servers the settings name), "Send test" (a signed test event to the inbox's own
    # webhook), registering our webhook URL at the provider for the administrator, and a
    # snippet to embed with a live preview.
    can_check_connection: ClassVar[bool]
    can_send_test_event: ClassVar[bool]
    can_register_webhook: ClassVar[bool]
    has_embed_snippet: ClassVar[bool]
    # An agent may start a conversation with a customer on the channel (to one of the
    # `recipient_kinds` identities), rather than only answer one; and whether such a first
    # message has a subject. On a channel with a reply window, the window is closed for a
    # new conversation: only one of the inbox's `message_templates` may be sent.
    can_start_conversation: ClassVar[bool]
    has_subject: ClassVar[bool]

    def message_templates(self, settings: Mapping[str, Any]) -> list[MessageTemplate]:
        """The provider-approved templates the inbox's settings list (none by default)."""
        ...

    def check_connection(self, settings: Mapping[str, Any]) -> list[CheckResult]:
        """Connect to each server the settings name, as the channel will; one result each."""
        ...

    def send_test_event(self, settings: Mapping[str, Any]) -> TestDelivery:
        """POST a signed test event where replies go (`settings` with the inbox's "secret"
        and "inbox_id")."""
        ...

    def register_webhook(self, settings: Mapping[str, Any], url: str) -> str:
        """Tell the provider to call `url`; its answer, or SendError with its refusal."""
        ...

    def contact_form_identities(self, inbox_id: int, form_id: str) -> list[SenderIdentity]:
        """Identities the channel gives a help-center form's writer, besides the address."""
        ...

    def schema_for(self, settings: Mapping[str, Any]) -> type[ChannelSettings]:
        """The schema these settings answer to (WhatsApp: by their "provider")."""
        ...

    def validate_settings(self, settings: Mapping[str, Any]) -> ChannelSettings:
        """The settings parsed; raises pydantic's ValidationError naming every wrong one."""
        ...

    def webhook_provider(self, settings: Mapping[str, Any]) -> str | None:
        """The name in /webhooks/<provider>/<inbox id>/ this inbox receives on, if any."""
        ...

    def webhook_formats(self) -> Sequence[Provider]:
        """The webhook formats the channel receives (for the webhook_parse/verify commands)."""
        ...

    def received_url(self, request: HttpRequest, settings: Mapping[str, Any]) -> str:
        """The URL the provider called, as its signature covers it."""
        ...

    def answers_handshake(self, settings: Mapping[str, Any]) -> bool:
        """Whether a GET on the webhook is a subscription handshake (Meta)."""
        ...

    def subscription_challenge(
        self, query: Mapping[str, str], settings: Mapping[str, Any]
    ) -> str | None:
        """What to echo to a valid handshake, or None (answered 403)."""
        ...

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool: ...

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook: ...

    def prepare_outbound(self, message: Message, outbound: OutboundMessage) -> OutboundMessage:
        """The reply addressed and completed with what the channel needs (thread headers,
        the customer's last message time for a window...). Reads, never writes."""
        ...

    def reply_window_error(
        self, last_customer_message: dt.datetime | None, now: dt.datetime
    ) -> SendError | None:
        """The permanent error a free-form reply now deserves, or None."""
        ...

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        """Deliver the message; return the provider's id for it, or raise SendError."""
        ...

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        """What files an agent's reply through an inbox with these settings may carry (how
        many, how large, which types), or why none (`MediaRules.refusal`, shown to the
        agent). `send` delivers them from `OutboundMessage.attachments`."""
        ...

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> Response: ...


class BaseAdapter:
    """Defaults for the capabilities and steps a channel does not have."""

    kind: ClassVar[str] = ""
    settings_schema: ClassVar[type[ChannelSettings]] = NoSettings
    recipient_kinds: ClassVar[tuple[IdentityKind, ...]] = ()
    has_global_addresses: ClassVar[bool] = False
    has_reply_window: ClassVar[bool] = False
    supports_html: ClassVar[bool] = False
    fetches_media: ClassVar[bool] = False
    has_typing_indicator: ClassVar[bool] = False
    watermark_identity: ClassVar[IdentityKind | None] = None
    takes_contact_form: ClassVar[bool] = False
    work_kind: ClassVar[str] = "chat"
    providers: ClassVar[tuple[str, ...]] = ()
    can_check_connection: ClassVar[bool] = False
    can_send_test_event: ClassVar[bool] = False
    can_register_webhook: ClassVar[bool] = False
    has_embed_snippet: ClassVar[bool] = False
    can_start_conversation: ClassVar[bool] = False
    has_subject: ClassVar[bool] = False

    def message_templates(self, settings: Mapping[str, Any]) -> list[MessageTemplate]:
        return []

    def check_connection(self, settings: Mapping[str, Any]) -> list[CheckResult]:
        raise SendError(f"The {self.kind} channel has no connection to test.", is_permanent=True)

    def send_test_event(self, settings: Mapping[str, Any]) -> TestDelivery:
        raise SendError(f"The {self.kind} channel sends no test event.", is_permanent=True)

    def register_webhook(self, settings: Mapping[str, Any], url: str) -> str:
        raise SendError(f"The {self.kind} channel registers no webhook.", is_permanent=True)

    def contact_form_identities(self, inbox_id: int, form_id: str) -> list[SenderIdentity]:
        return []

    def schema_for(self, settings: Mapping[str, Any]) -> type[ChannelSettings]:
        return self.settings_schema

    def validate_settings(self, settings: Mapping[str, Any]) -> ChannelSettings:
        return self.schema_for(settings).model_validate(dict(settings))

    def webhook_provider(self, settings: Mapping[str, Any]) -> str | None:
        return None

    def webhook_formats(self) -> Sequence[Provider]:
        return ()

    def received_url(self, request: HttpRequest, settings: Mapping[str, Any]) -> str:
        return request.build_absolute_uri()

    def answers_handshake(self, settings: Mapping[str, Any]) -> bool:
        return False

    def subscription_challenge(
        self, query: Mapping[str, str], settings: Mapping[str, Any]
    ) -> str | None:
        return None

    def verify(self, request: InboundRequest, settings: Mapping[str, Any]) -> bool:
        return False

    def parse(self, request: InboundRequest, settings: Mapping[str, Any]) -> ParsedWebhook:
        return ParsedWebhook(ignored_reason=f"the {self.kind} channel receives no webhooks")

    def prepare_outbound(self, message: Message, outbound: OutboundMessage) -> OutboundMessage:
        recipient = self.recipient_for(message)
        return replace(outbound, recipient=recipient) if recipient else outbound

    def recipient_for(self, message: Message) -> str:
        """The contact's deliverable identity of the best kind the channel addresses (the
        first one by value, for a stable choice), or any identity when it names no kind."""
        identities = message.conversation.contact.identities.filter(is_undeliverable=False)
        if not self.recipient_kinds:
            first = identities.order_by("id").values_list("value", flat=True).first()
            return first or ""
        found = dict.fromkeys(self.recipient_kinds, "")
        for kind, value in identities.filter(kind__in=self.recipient_kinds).order_by(
            "value"
        ).values_list("kind", "value"):
            found[IdentityKind(kind)] = found[IdentityKind(kind)] or value
        return next((value for value in found.values() if value), "")

    def reply_window_error(
        self, last_customer_message: dt.datetime | None, now: dt.datetime
    ) -> SendError | None:
        return None

    def send(self, message: OutboundMessage, settings: Mapping[str, Any]) -> str:
        raise SendError(f"The {self.kind} channel cannot send replies.", is_permanent=True)

    def outgoing_media(self, settings: Mapping[str, Any]) -> MediaRules:
        from omnicanal.conversations.models import ChannelKind

        label = ChannelKind(self.kind).label if self.kind in ChannelKind.values else self.kind
        return MediaRules(refusal=_(
            "The %(channel)s channel cannot send attachments: send the text alone, or reply "
            "on a channel that takes files (e-mail, WhatsApp…)."
        ) % {"channel": label})

    def fetch_media(self, ref: str, settings: Mapping[str, Any], max_bytes: int) -> Response:
        raise SendError(f"The {self.kind} channel cannot fetch media.", is_permanent=True)
