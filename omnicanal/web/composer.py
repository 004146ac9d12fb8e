"""The conversation page's composer: what it needs to render (the agent's draft, send key,
signature, whether the channel takes rich text) and the endpoint that keeps drafts.

Writes are `conversations.drafts`'; whether a channel takes HTML is its adapter's answer
(`supports_html`), never a test on the channel's name.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.accounts.models import SendShortcut, User
from omnicanal.accounts.profile import signature_for
from omnicanal.connectors.registry import adapter_for
from omnicanal.conversations import drafts
from omnicanal.conversations.models import Conversation, DraftMode
from omnicanal.conversations.richtext import has_markup, markdown_to_html
from omnicanal.core.exceptions import DomainError


def takes_rich_text(conversation: Conversation) -> bool:
    """Whether a reply on the conversation's own channel may carry HTML (e-mail)."""
    try:
        return adapter_for(conversation.inbox.channel).supports_html
    except LookupError:
        return False


def reply_html(conversation: Conversation, text: str, via: str) -> str:
    """The HTML part of a reply whose text uses the composer's formatting, on a channel that
    takes HTML; empty otherwise (plain text is sent as written). Another channel chosen
    (`via`) gets the plain text. `actions.reply` sanitises it and derives the text part."""
    if via or not has_markup(text) or not takes_rich_text(conversation):
        return ""
    return markdown_to_html(text)


def composer_context(agent: User, conversation: Conversation) -> dict[str, Any]:
    draft = drafts.draft_for(agent, conversation.pk)
    signature = signature_for(agent, conversation.inbox.channel)
    return {
        "draft": draft,
        "draft_mode": draft.mode if draft else DraftMode.REPLY,
        "draft_url": reverse("web:conversation_draft", args=[conversation.pk]),
        "send_with_enter": agent.send_shortcut == SendShortcut.ENTER,
        "rich_text": takes_rich_text(conversation),
        "reply_signature": signature,
        # Shown on one line under the box: its lines joined.
        "reply_signature_line": " · ".join(line for line in signature.splitlines() if line),
    }


@require_POST
@agent_required
def conversation_draft(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Keep the agent's unsent text (posted by composer.js a moment after they stop
    typing): `text` and `mode` (reply or note). Answers with
    when it was saved, or 4xx with the reason."""
    agent = request_agent(request)
    try:
        draft = drafts.save_draft(
            agent, conversation_id,
            text=request.POST.get("text", ""),
            mode=request.POST.get("mode", DraftMode.REPLY),
        )
    except DomainError as exc:
        return JsonResponse({"error": str(exc.message)}, status=exc.status)
    if draft is None:
        return JsonResponse({"saved": False})
    saved_at = timezone.localtime(draft.updated_at)
    return JsonResponse({"saved": True, "saved_at": formats.time_format(saved_at, "TIME_FORMAT")})
