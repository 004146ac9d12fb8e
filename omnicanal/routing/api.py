"""/api/v1 for the composer: canned replies and macros to pick, and applying a macro."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from omnicanal.accounts.models import User
from omnicanal.routing import macros
from omnicanal.routing.models import Macro

router = Router(tags=["canned replies and macros"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class CannedReplyOut(Schema):
    id: int
    shortcut: str
    title: str
    # Rendered for the conversation when one is given, else with its {{variables}}.
    text: str


class MacroOut(Schema):
    id: int
    shortcut: str
    name: str
    # The kinds of its steps, so the composer can say what picking it will do.
    steps: list[str]


class MacroAppliedOut(Schema):
    reply_text: str
    applied: list[str]


@router.get("/canned-replies", response=list[CannedReplyOut])
def list_canned_replies(
    request: HttpRequest, conversation_id: int | None = None
) -> list[CannedReplyOut]:
    """Every canned reply; with `conversation_id`, texts are rendered for that conversation
    and the calling agent."""
    return [
        CannedReplyOut(id=canned.pk, shortcut=canned.shortcut, title=canned.title, text=text)
        for canned, text in macros.canned_replies_for(_user(request), conversation_id)
    ]


@router.get("/macros", response=list[MacroOut])
def list_macros(request: HttpRequest) -> list[MacroOut]:
    _user(request)
    return [
        MacroOut(id=macro.pk, shortcut=macro.shortcut, name=macro.name,
                 steps=[step["type"] for step in macro.actions])
        for macro in Macro.objects.all()
    ]


@router.post("/conversations/{conversation_id}/macros/{macro_id}", response=MacroAppliedOut)
def apply_macro(request: HttpRequest, conversation_id: int, macro_id: int) -> MacroAppliedOut:
    """Apply a macro's steps to the conversation as the calling agent; its reply text comes
    back rendered, for the agent to review and send."""
    result = macros.apply_macro(_user(request), conversation_id, macro_id)
    return MacroAppliedOut(reply_text=result.reply_text, applied=result.applied)
