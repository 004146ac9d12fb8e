"""Public survey pages: a customer answers by the token of their survey, without logging in.

E-mail links are GETs that record nothing (mail scanners open every link before the customer
does): the page shows the chosen score, and a POST records it, sent at once by the page's
script or by its button when scripts are off. The chat widget answers in JSON from the
site's pages, under the web chat inbox's allowed origins (no cookies, hence no CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from omnicanal.connectors.webchat import actions as webchat
from omnicanal.connectors.webchat.views import json_body, request_origin, with_cors
from omnicanal.core.exceptions import DomainError, InvalidInput, PermissionDenied
from omnicanal.knowledge import branding
from omnicanal.surveys import answering
from omnicanal.surveys.messages import end_labels, question_for
from omnicanal.surveys.models import SCALES, AnswerSource, SurveyRequest


def _language(request: HttpRequest, survey: SurveyRequest | None) -> str:
    chosen = (survey.conversation.language if survey else "") or (
        translation.get_language_from_request(request)
    )
    return "en" if chosen.lower().startswith("en") else "fr"


def _page(
    request: HttpRequest, template: str, survey: SurveyRequest | None,
    context: dict[str, Any], status: int = 200,
) -> HttpResponse:
    language = _language(request, survey)
    with translation.override(language):
        response = render(request, template, {
            "theme": branding.theme(), "language": language, **context,
        }, status=status)
    response["Content-Language"] = language
    # The token is in the address: never passed on to another site ("no-referrer" would
    # make the browser send Origin: null with the form, which CSRF protection refuses).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _closed(request: HttpRequest, error: DomainError, survey: SurveyRequest | None) -> HttpResponse:
    with translation.override(_language(request, survey)):
        message = error.message
    return _page(request, "surveys/answer_closed.html", survey, {
        "survey": survey, "message": message, "status": error.status,
        "is_answered": isinstance(error, answering.SurveyClosed) and survey is not None
        and survey.status == "answered",
    }, status=error.status)


def _scale(survey: SurveyRequest) -> dict[str, Any]:
    low, high = SCALES[survey.kind]
    low_label, high_label = end_labels(survey.kind)
    return {
        "survey": survey, "question": question_for(survey),
        "scores": list(range(low, high + 1)), "low": low, "high": high,
        "low_label": low_label, "high_label": high_label,
    }


@require_GET
def scale(request: HttpRequest, token: str) -> HttpResponse:
    """The whole scale, each score a link to its page."""
    survey = None
    try:
        survey = answering.find(token)
        answering.check_open(survey)
    except DomainError as exc:
        return _closed(request, exc, survey)
    with translation.override(_language(request, survey)):
        context = _scale(survey)
    return _page(request, "surveys/answer_scale.html", survey, context)


@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """GET shows the chosen score with a comment box and records nothing; POST records it
    (JSON for the page's script, a redirect to the thank-you page for its form)."""
    survey = None
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        survey = answering.find(token)
        answering.check_open(survey)
        if request.method == "POST":
            answering.answer(
                token, request.POST.get("score", score), source=AnswerSource.LINK,
                comment=request.POST.get("comment", ""),
                publish_consent=request.POST.get("publish_consent") == "1",
            )
            if wants_json:
                return JsonResponse({"ok": True}, status=201)
            return redirect("survey_answer:thanks", token=token)
        with translation.override(_language(request, survey)):
            context = _scale(survey)
            answering.parse_score(survey, score)
    except DomainError as exc:
        if wants_json:
            with translation.override(_language(request, survey)):
                return JsonResponse({"error": exc.message}, status=exc.status)
        return _closed(request, exc, survey)
    return _page(request, "surveys/answer.html", survey, {**context, "score": score})


@require_http_methods(["GET", "POST"])
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """After the score: thanks, and the comment (with the consent to publish it) the customer
    may still add or change; POST saves them."""
    survey = None
    error = ""
    try:
        survey = answering.find(token)
        response = answering.response_of(survey)
        if request.method == "POST":
            try:
                response = answering.add_comment(
                    token, request.POST.get("comment", ""),
                    publish_consent=request.POST.get("publish_consent") == "1",
                )
                return redirect(reverse("survey_answer:thanks", args=[token]) + "?saved=1")
            except InvalidInput as exc:
                with translation.override(_language(request, survey)):
                    error = exc.message
    except DomainError as exc:
        return _closed(request, exc, survey)
    with translation.override(_language(request, survey)):
        context = _scale(survey)
    return _page(request, "surveys/answer_thanks.html", survey, {
        **context, "response": response, "saved": request.GET.get("saved") == "1",
        "error": error, "can_comment": not answering.is_expired(survey)
        and response.moderated_at is None,
    }, status=422 if error else 200)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def widget_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The chat widget's buttons: `{"score": 9}` → 201 `{"ok": true, "thanks": "…"}`. Like the
    widget's other endpoints: cookie-less, the web chat inbox's allowed origins only, errors
    as `{"error": "…"}` (403 origin, 404 token, 410 answered or expired, 422 score)."""
    origin = request_origin(request)
    allowed = ""
    survey = None
    try:
        survey = answering.find(token)
        if survey.inbox.channel != "webchat":
            raise PermissionDenied(_("This survey is not answered from the chat."))
        webchat.check_origin(survey.inbox, origin)
        allowed = origin
        if request.method == "OPTIONS":
            return with_cors(HttpResponse(status=204), allowed, "POST, OPTIONS")
        body = json_body(request)
        answering.answer(token, body.get("score"), source=AnswerSource.WIDGET,
                         comment=body.get("comment", ""))
        with translation.override(_language(request, survey)):
            result: HttpResponse = JsonResponse(
                {"ok": True, "thanks": str(_("Thank you for your answer!"))}, status=201
            )
    except DomainError as exc:
        with translation.override(_language(request, survey)):
            result = JsonResponse({"error": exc.message}, status=exc.status)
    return with_cors(result, allowed, "POST, OPTIONS") if allowed else result

