"""STAND-IN on the surveychannels branch: surveyflow's surveys/actions.py replaces this file
at merge (same signature). Only what the answer pages and the widget call."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from omnicanal.conversations.events import record_event
from omnicanal.conversations.models import Message
from omnicanal.surveys.models import (
    RequestStatus,
    ReviewStatus,
    SurveyRequest,
    SurveyResponse,
)


@transaction.atomic
def record_response(
    request: SurveyRequest, *, score: int | None, comment: str, source: str,
    message: Message | None = None, opt_out: bool = False, publish_consent: bool = False,
) -> SurveyResponse:
    response = SurveyResponse.objects.create(
        request=request, kind=request.kind, conversation=request.conversation,
        contact=request.contact, inbox=request.inbox, agent=request.agent, team=request.team,
        score=score, comment=comment, source=source, message=message,
        answered_at=timezone.now(), publish_consent=publish_consent,
        review_status=ReviewStatus.PENDING if publish_consent and comment
        else ReviewStatus.PRIVATE,
    )
    request.status = RequestStatus.ANSWERED
    request.save(update_fields=["status"])
    record_event("survey.answered", request.conversation, response_id=response.pk,
                 survey_kind=request.kind, score=score)
    return response
