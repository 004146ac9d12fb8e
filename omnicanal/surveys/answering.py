"""A customer answering by the survey's token (one-click e-mail links, the chat widget): the
token is their only credential and answers that one survey, while it is open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnicanal.core.exceptions import DomainError, InvalidInput, NotFound
from omnicanal.core.text import clean_text, has_poison
from omnicanal.surveys import actions, reviews
from omnicanal.surveys.models import (
    SCALES,
    RequestStatus,
    SurveyRequest,
    SurveyResponse,
)

COMMENT_MAX_LENGTH = 2000


class SurveyClosed(DomainError):
    # Gone: the survey existed, and can no longer be answered.
    status = 410


def find(token: str) -> SurveyRequest:
    """The survey a token names, or NotFound (also for a survey never sent)."""
    # No token holds a NUL (PostgreSQL could not even compare one).
    request = (
        SurveyRequest.objects.select_related("conversation", "inbox")
        .filter(token=token)
        .exclude(status__in=[RequestStatus.SCHEDULED, RequestStatus.SKIPPED])
        .first()
    ) if token and not has_poison(token) else None
    if request is None:
        raise NotFound(_("This survey does not exist. The link may be incomplete."))
    return request


def is_expired(request: SurveyRequest, now: dt.datetime | None = None) -> bool:
    if request.status == RequestStatus.EXPIRED:
        return True
    now = now or timezone.now()
    return request.expires_at is not None and request.expires_at <= now


def check_open(request: SurveyRequest) -> None:
    """SurveyClosed when the survey was answered already or has expired."""
    if request.status == RequestStatus.ANSWERED:
        raise SurveyClosed(_("This survey has already been answered. Thank you!"))
    if is_expired(request):
        raise SurveyClosed(_("This survey has expired: it can no longer be answered."))


def parse_score(request: SurveyRequest, raw: Any) -> int:
    """The score if it is an integer on the survey's scale, else InvalidInput."""
    low, high = SCALES[request.kind]
    try:
        score = int(str(raw).strip())
    except (TypeError, ValueError):
        score = None
    if score is None or not low <= score <= high:
        raise InvalidInput(_("Choose a score from %(low)s to %(high)s."), low=low, high=high)
    return score


def _comment(raw: Any) -> str:
    comment = clean_text(str(raw or "")).strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise InvalidInput(_("The comment is too long (%(max)s characters at most)."),
                           max=COMMENT_MAX_LENGTH)
    return comment


def answer(
    token: str, raw_score: Any, *, source: str, comment: Any = "", publish_consent: bool = False
) -> SurveyResponse:
    """Record the customer's score (and comment) once; a second answer is refused."""
    with transaction.atomic():
        request = find(token)
        # Locked: two clicks at once (a double tap, a link and the widget) record one answer.
        request = SurveyRequest.objects.select_for_update().get(pk=request.pk)
        check_open(request)
        score = parse_score(request, raw_score)
        return actions.record_response(
            request, score=score, comment=_comment(comment), source=source,
            publish_consent=publish_consent,
        )


def response_of(request: SurveyRequest) -> SurveyResponse:
    response = SurveyResponse.objects.filter(request=request).first()
    if response is None:
        raise NotFound(_("This survey has no answer yet."))
    return response


def add_comment(token: str, comment: Any, *, publish_consent: bool) -> SurveyResponse:
    """The comment (and the consent to publish it) a customer adds after their score, on the
    thank-you page, while the survey has not expired."""
    with transaction.atomic():
        request = find(token)
        if is_expired(request):
            raise SurveyClosed(_("This survey has expired: it can no longer be answered."))
        response = SurveyResponse.objects.select_for_update().filter(request=request).first()
        if response is None:
            raise NotFound(_("This survey has no answer yet."))
        if response.moderated_at is not None:
            # A moderator decided on what was there; a changed text would bypass them.
            raise SurveyClosed(_("Your review has already been read; it can no longer be "
                                 "changed."))
        response.comment = _comment(comment)
        response.publish_consent = publish_consent
        response.save(update_fields=["comment", "publish_consent"])
        # Whether it now goes to moderation is the reviews' rule.
        return reviews.consider_for_review(response)
