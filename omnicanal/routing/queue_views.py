"""The place-in-line badge of the conversation page, on its own: the workspace script re-reads
it when a queue moves (another conversation taken, closed, arrived or reprioritised), which
the header's live refresh does not follow. Thin: the place is `queries.queue_status`'s."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required
from omnicanal.accounts.models import User
from omnicanal.conversations.actions import access_conversation
from omnicanal.routing.queries import queue_status


@require_GET
@agent_required
def queue_badge(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The badge while the conversation waits; nothing once it no longer does, which removes
    the badge (and its listening) from the page."""
    user = request.user
    assert isinstance(user, User)
    conversation = access_conversation(user, conversation_id)
    context = {"conversation": conversation, "queue": queue_status(conversation.pk)}
    return render(request, "routing/_queue_badge.html", context)
