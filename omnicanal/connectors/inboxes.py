"""/api/v1/inboxes: create an inbox, list them, change its settings, name or state, delete it.

Settings are checked against the channel's schema when saved (422 naming each wrong field)
and returned with their secrets masked: a token given once is never read back.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from omnicanal.accounts.models import User
from omnicanal.connectors import actions
from omnicanal.connectors.registry import channel_kinds
from omnicanal.conversations.models import Inbox

router = Router(tags=["inboxes"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class InboxIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    channel: str = Field(json_schema_extra={"enum": list(channel_kinds())})
    settings: dict[str, Any] = Field(default_factory=dict)


class InboxSettingsIn(Schema):
    # Keys to change; null removes one; a secret sent back as "********" keeps its value.
    settings: dict[str, Any]


class InboxOut(Schema):
    id: int
    name: str
    channel: str
    is_active: bool
    # Secrets masked ("********" when set).
    settings: dict[str, Any]

    @staticmethod
    def resolve_settings(inbox: Inbox) -> dict[str, Any]:
        return actions.masked_settings(inbox)


class InboxCreatedOut(InboxOut):
    # Shown to the administrator who creates the inbox, to verify our webhook signatures.
    secret: str


class SettingsProblemOut(Schema):
    field: str
    reason: str


class InvalidSettingsOut(Schema):
    # A sentence for settings the channel refuses; the request's own validation errors
    # (a missing "name") come as a list, without `errors`.
    detail: Any
    errors: list[SettingsProblemOut] = []


@router.post("/inboxes", response={201: InboxCreatedOut, 422: InvalidSettingsOut})
def create_inbox(request: HttpRequest, payload: InboxIn) -> Status:
    """Create an inbox (administrators). `settings` are the channel's (see each provider's
    NOTES.md); a wrong one answers 422 with every problem in `errors` (`field`, `reason`).
    `settings.webhook_url` on an `api` inbox receives agents' replies, signed with `secret`
    (X-Omnicanal-Signature: sha256=HMAC over "<X-Omnicanal-Timestamp>.<body>"); an `api`
    inbox without it can exist, and its replies then fail at once, saying so."""
    inbox = actions.create_inbox(
        _user(request), name=payload.name, channel=payload.channel, settings=payload.settings
    )
    return Status(201, inbox)


@router.get("/inboxes", response=list[InboxOut])
def list_inboxes(request: HttpRequest) -> Any:
    """Every inbox, its settings' secrets masked."""
    return Inbox.objects.all()


@router.patch(
    "/inboxes/{inbox_id}/settings", response={200: InboxOut, 422: InvalidSettingsOut}
)
def update_inbox_settings(request: HttpRequest, inbox_id: int, payload: InboxSettingsIn) -> Any:
    """Change some of an inbox's settings (administrators), checked as a whole."""
    return actions.update_inbox_settings(_user(request), inbox_id, payload.settings)


class InboxPatchIn(Schema):
    # Each only when given.
    name: str | None = Field(None, min_length=1, max_length=100)
    is_active: bool | None = None


class InboxDeleteIn(Schema):
    # Required when the inbox has conversations: its name, typed as a confirmation.
    confirmation: str = ""


class ErrorOut(Schema):
    detail: str


class DeletedOut(Schema):
    # How many conversations (with their messages and attachments) went with the inbox.
    deleted_conversations: int


@router.patch(
    "/inboxes/{inbox_id}",
    response={200: InboxOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidSettingsOut},
)
def update_inbox(request: HttpRequest, inbox_id: int, payload: InboxPatchIn) -> Any:
    """Rename an inbox or enable/disable it (administrators). A disabled inbox receives
    nothing (its webhooks answer 404, its mail is not fetched, its web chat does not load)
    and sends nothing (a reply fails at once); its conversations stay readable."""
    return actions.update_inbox(
        _user(request), inbox_id, name=payload.name, is_active=payload.is_active
    )


@router.delete(
    "/inboxes/{inbox_id}",
    response={200: DeletedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def delete_inbox(request: HttpRequest, inbox_id: int, payload: InboxDeleteIn | None = None) -> Any:
    """Delete an inbox (administrators). Without conversations it goes at once. With
    conversations, they are deleted with it — messages and attachments too, for good — and
    the body must confirm with the inbox's name (`{"confirmation": "<name>"}`), else 422.
    409 when replies in other inboxes' conversations were sent through it. To keep the
    history, disable it instead (PATCH `is_active: false`)."""
    confirmation = payload.confirmation if payload is not None else ""
    count = actions.delete_inbox(_user(request), inbox_id, confirmation=confirmation)
    return {"deleted_conversations": count}
