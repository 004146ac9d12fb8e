"""The knowledge upkeep page (`/knowledge/upkeep/`): content gaps, duplicate articles and
stale articles, each row with the one action that fixes it. For supervisors and
administrators (they run the knowledge base); other agents get the 403 page.

The reports are computed in `knowledge.upkeep` (bounded, embeddings memoised per text); the
views only read the request and render. An action posted by htmx swaps its row for a line
saying what happened; without JavaScript it redirects back to the tab with a message.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, request_agent, supervisor_required
from omnicanal.accounts.models import User
from omnicanal.core.exceptions import DomainError
from omnicanal.knowledge import upkeep
from omnicanal.knowledge.models import Article

TABS = ("gaps", "duplicates", "stale")
PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 90
REVIEW_IN_DAYS = 14


def article_link(article: Article) -> str:
    return reverse("kb:edit", args=[article.pk])


def _period(request: HtmxHttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_PERIOD))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _reviewers() -> list[User]:
    return list(User.objects.filter(is_active=True).order_by("name", "email"))


@require_GET
@supervisor_required
def upkeep_page(request: HtmxHttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "gaps")
    if tab not in TABS:
        tab = "gaps"
    days = _period(request)
    today = timezone.localdate()
    gaps = upkeep.content_gaps(timezone.now() - datetime.timedelta(days=days))
    duplicates = upkeep.duplicate_articles()
    stale = upkeep.stale_articles(today)
    for pair in duplicates:
        pair.keep.link = article_link(pair.keep)  # type: ignore[attr-defined]
        pair.remove.link = article_link(pair.remove)  # type: ignore[attr-defined]
    for item in stale:
        item.article.link = article_link(item.article)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "section": "knowledge",
        "tab": tab,
        "days": days,
        "periods": PERIODS,
        "gaps": gaps,
        "duplicates": duplicates,
        "stale": stale,
        "today": today,
        "review_default": today + datetime.timedelta(days=REVIEW_IN_DAYS),
        "reviewers": _reviewers(),
        "counts": {"gaps": len(gaps), "duplicates": len(duplicates), "stale": len(stale)},
        "topic_window": upkeep.TOPIC_WINDOW_DAYS,
    }
    return render(request, "knowledge/upkeep/page.html", context)


def _done(
    request: HtmxHttpRequest, tab: str, text: str, *, link: str = "", link_text: str = "",
    error: bool = False,
) -> HttpResponse:
    if request.htmx:
        return render(request, "knowledge/upkeep/_done.html", {
            "text": text, "link": link, "link_text": link_text, "error": error,
        })
    (messages.error if error else messages.success)(request, text)
    return redirect(reverse("kb:upkeep") + "?" + urlencode({"tab": tab}))


@require_POST
@supervisor_required
def draft_from_gap(request: HtmxHttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.get("questions", "").split(",")
           if value.strip().isdigit()][:upkeep.MAX_QUESTIONS]
    gap = upkeep.gap_of(ids)
    if gap is None:
        return _done(request, "gaps", gettext("These questions are already answered."),
                     error=True)
    article = upkeep.draft_from_gap(gap, request_agent(request))
    return _done(
        request, "gaps",
        gettext("Draft “%(title)s” created; the %(count)s questions are linked to it.")
        % {"title": article.title, "count": gap.count},
        link=article_link(article), link_text=gettext("Open the draft"),
    )


@require_POST
@supervisor_required
def merge_articles(request: HtmxHttpRequest) -> HttpResponse:
    keep = get_object_or_404(Article, pk=request.POST.get("keep"))
    remove = get_object_or_404(Article, pk=request.POST.get("remove"))
    try:
        upkeep.merge_articles(keep, remove, request_agent(request))
    except DomainError as exc:
        return _done(request, "duplicates", str(exc.message), error=True)
    return _done(
        request, "duplicates",
        gettext("“%(removed)s” is archived; “%(kept)s” stays.")
        % {"removed": remove.title, "kept": keep.title},
        link=article_link(keep), link_text=gettext("Open the kept article"),
    )


@require_POST
@supervisor_required
def assign_review(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    owner = get_object_or_404(User, pk=request.POST.get("owner") or 0)
    try:
        review_by = datetime.date.fromisoformat(request.POST.get("review_by", ""))
    except ValueError:
        return _done(request, "stale", gettext("Give a review date."), error=True)
    if review_by < timezone.localdate():
        return _done(request, "stale", gettext("The review date is in the past."), error=True)
    try:
        upkeep.assign_review(article, owner, review_by, request_agent(request))
    except DomainError as exc:
        return _done(request, "stale", str(exc.message), error=True)
    return _done(
        request, "stale",
        gettext("%(owner)s reviews “%(title)s” by %(date)s.")
        % {"owner": owner.name or owner.email, "title": article.title,
           "date": review_by.isoformat()},
        link=article_link(article), link_text=gettext("Open the article"),
    )
