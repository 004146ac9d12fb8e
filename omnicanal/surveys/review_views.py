"""Review moderation (supervisors and administrators) and the public pages of reviews."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import supervisor_required
from omnicanal.accounts.models import User
from omnicanal.core.exceptions import DomainError
from omnicanal.surveys import reviews
from omnicanal.surveys.models import ReviewStatus, SurveyResponse

TABS = (ReviewStatus.PENDING, ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN)
MODERATION_PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 20
EMBED_SIZE = 2
LOCALES = tuple(code for code, _name in settings.LANGUAGES)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _tab(request: HttpRequest) -> str:
    tab = request.GET.get("tab") or request.POST.get("tab") or ReviewStatus.PENDING
    return tab if tab in TABS else ReviewStatus.PENDING


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return max(1, int(value)) if value.isdigit() and len(value) < 6 else 1


def _moderation(request: HttpRequest, *, status: int = 200, error: DomainError | None = None,
                failed_pk: int | None = None) -> HttpResponse:
    tab, page = _tab(request), _page_number(request)
    start = (page - 1) * MODERATION_PAGE_SIZE
    rows = list(reviews.reviews().filter(review_status=tab)[start:start + MODERATION_PAGE_SIZE + 1])
    embed_url = request.build_absolute_uri(reverse("public_reviews:embed"))
    return render(request, "surveys/review_moderation.html", {
        "section": "settings",
        "tab": tab,
        "tabs": [(value, ReviewStatus(value).label, count)
                 for value, count in reviews.tab_counts().items()],
        "rows": [
            {"row": row, "public": reviews.public_review(row),
             "reason": reviews.reason_label(row.hidden_reason) if row.hidden_reason else "",
             "note": reviews.hidden_note(row.hidden_reason)}
            for row in rows[:MODERATION_PAGE_SIZE]
        ],
        "page_number": page,
        "has_next": len(rows) > MODERATION_PAGE_SIZE,
        "reasons": list(reviews.HideReason.LABELS.items()),
        "summary": reviews.public_summary(),
        "public_url": request.build_absolute_uri(reverse("public_reviews:home")),
        "embed_snippet": (
            f'<iframe src="{embed_url}?lang={translation.get_language() or LOCALES[0]}" '
            f'title="{gettext("Customer reviews")}" width="100%" height="720" '
            'style="border:0" loading="lazy"></iframe>'
        ),
        "error": error,
        "failed_pk": failed_pk,
    }, status=status)


@require_GET
@supervisor_required
def moderation(request: HttpRequest) -> HttpResponse:
    return _moderation(request)


def _response(pk: int) -> SurveyResponse:
    row = reviews.reviews().filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    row = _response(pk)
    try:
        if action == "publish":
            reviews.publish(user, row)
            done = gettext("Review published.")
        elif action == "hide":
            reviews.hide(user, row, request.POST.get("reason", ""), request.POST.get("note", ""))
            done = gettext("Review hidden. It still counts on the public page.")
        else:
            reviews.reply(user, row, request.POST.get("text", ""))
            done = gettext("Answer saved.")
    except DomainError as error:
        return _moderation(request, status=error.status, error=error, failed_pk=pk)
    messages.success(request, done)
    query = urlencode({"tab": _tab(request)})
    return HttpResponseRedirect(f"{reverse('reviews:moderation')}?{query}#review-{pk}"
                                if action == "reply" else
                                f"{reverse('reviews:moderation')}?{query}")


@require_POST
@supervisor_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "publish")


@require_POST
@supervisor_required
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "hide")


@require_POST
@supervisor_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reply")


# Public pages.

def _visitor_locale(request: HttpRequest) -> str:
    asked = request.GET.get("lang") or translation.get_language_from_request(request)
    return asked if asked in LOCALES else LOCALES[0]


def _json_ld(request: HttpRequest, summary: reviews.Summary) -> SafeString:
    """schema.org AggregateRating over what the page counts (published and hidden alike)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": getattr(settings, "ORGANISATION_NAME", "") or request.get_host(),
        "url": settings.PUBLIC_URL or request.build_absolute_uri("/"),
    }
    if summary.count:
        data["aggregateRating"] = {
            "@type": "AggregateRating", "ratingValue": summary.average,
            "ratingCount": summary.count, "bestRating": reviews.STARS[-1],
            "worstRating": reviews.STARS[0],
        }
    # Escaped as json_script does, so that no value can close the script element.
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_ESCAPES))


def public_home(request: HttpRequest) -> HttpResponse:
    """/reviews/ → the visitor's language."""
    return HttpResponseRedirect(reverse("public_reviews:page", args=[_visitor_locale(request)]))


@require_GET
def public_page(request: HttpRequest, locale: str) -> HttpResponse:
    if locale not in LOCALES:
        raise Http404
    translation.activate(locale)
    page = _page_number(request)
    start = (page - 1) * PUBLIC_PAGE_SIZE
    rows = list(reviews.published_reviews()[start:start + PUBLIC_PAGE_SIZE + 1])
    summary = reviews.public_summary()
    response = render(request, "surveys/review_public.html", {
        "locale": locale,
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES.get(code, code), "current": code == locale,
             "url": reverse("public_reviews:page", args=[code])}
            for code in LOCALES
        ],
        "summary": summary,
        "reviews": [reviews.public_review(row) for row in rows[:PUBLIC_PAGE_SIZE]],
        "page_number": page,
        "has_next": len(rows) > PUBLIC_PAGE_SIZE,
        "json_ld": _json_ld(request, summary),
    })
    response["Content-Language"] = locale
    return response


@require_GET
@xframe_options_exempt
def embed(request: HttpRequest) -> HttpResponse:
    """The compact block a company puts in an <iframe> on its own site: the only page of
    ours any site may frame (it shows public figures and holds no action)."""
    locale = _visitor_locale(request)
    translation.activate(locale)
    response = render(request, "surveys/review_embed.html", {
        "locale": locale,
        "summary": reviews.public_summary(),
        "reviews": [reviews.public_review(row)
                    for row in reviews.published_reviews()[:EMBED_SIZE]],
        "page_url": request.build_absolute_uri(reverse("public_reviews:page", args=[locale])),
    })
    response["Content-Language"] = locale
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
        "frame-ancestors *"
    )
    return response
