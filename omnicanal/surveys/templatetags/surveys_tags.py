"""The survey answers shown on a conversation, in its header."""

from __future__ import annotations

from typing import Any

from django import template

from omnicanal.surveys.actions import is_detractor
from omnicanal.surveys.models import SurveyResponse

register = template.Library()


@register.inclusion_tag("surveys/_result_items.html")
def survey_results(conversation: Any) -> dict[str, Any]:
    responses = list(
        SurveyResponse.objects.filter(conversation_id=conversation.pk).order_by("answered_at")
    )
    return {"results": [
        {"response": response, "is_detractor": is_detractor(response.kind, response.score)}
        for response in responses
    ]}
