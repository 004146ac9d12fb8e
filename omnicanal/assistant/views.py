"""The copilot panel's views: thin, the work is in `assistant.copilot`. Every view is for
an agent who can see the conversation (`conversations.actions.access_conversation`: a
NotFound, so a 404, for anyone else)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.assistant import copilot, llm
from omnicanal.conversations.actions import access_conversation
from omnicanal.conversations.models import Status
from omnicanal.core.exceptions import DomainError
from omnicanal.knowledge.models import Article, Visibility


def draft_url(article: Article) -> str:
    return reverse("kb:edit", args=[article.pk])


@require_GET
@agent_required
def copilot_panel(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = access_conversation(request_agent(request), conversation_id)
    suggestions = copilot.suggestions_for(conversation)
    return render(request, "assistant/_copilot.html", {
        "conversation": conversation,
        "suggestions": suggestions,
        "summary": copilot.summarize(conversation),
        "is_resolved": conversation.status == Status.RESOLVED,
        "has_model": llm.is_configured(),
        "visibilities": Visibility.choices,
    })


@require_POST
@agent_required
def copilot_reply(request: HtmxHttpRequest, conversation_id: int) -> JsonResponse:
    """The suggested reply as JSON, for the panel's script to put into the composer: the
    server never sends it."""
    conversation = access_conversation(request_agent(request), conversation_id)
    reply = copilot.suggested_reply(conversation, request.POST.getlist("passage"))
    if reply is None:
        return JsonResponse({"text": "", "by_model": False}, status=404)
    return JsonResponse({"text": reply.text, "by_model": reply.by_model})


@require_POST
@agent_required
def copilot_draft(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Make a draft article from the resolved conversation, then open it."""
    agent = request_agent(request)
    conversation = access_conversation(agent, conversation_id)
    try:
        article = copilot.article_draft_from(
            conversation, agent, visibility=request.POST.get("visibility", Visibility.INTERNAL)
        )
    except DomainError as exc:
        if request.htmx:
            # Shown under the button (htmx swaps only a success).
            return render(request, "assistant/_draft_error.html", {"error": exc.message})
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    url = draft_url(article)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
