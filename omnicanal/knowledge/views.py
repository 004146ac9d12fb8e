"""The public help center: /help/<locale>/ pages in French and English."""

from __future__ import annotations

import secrets

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from omnicanal.connectors.webchat.ratelimit import RateLimited, check_rate
from omnicanal.connectors.webchat.views import client_ip
from omnicanal.core.exceptions import DomainError
from omnicanal.knowledge import actions
from omnicanal.knowledge.models import BodyFormat, Locale

LOCALES = tuple(Locale.values)


def _activate(locale: str) -> None:
    if locale not in LOCALES:
        raise Http404
    translation.activate(locale)


def _page(request: HttpRequest, locale: str, template: str, context: dict, status: int = 200
          ) -> HttpResponse:
    response = render(request, template, {"locale": locale, "locales": LOCALES, **context},
                      status=status)
    response["Content-Language"] = locale
    return response


def home_redirect(request: HttpRequest) -> HttpResponse:
    """/help/ → the visitor's language."""
    language = translation.get_language_from_request(request)
    locale = language if language in LOCALES else LOCALES[0]
    return HttpResponseRedirect(reverse("knowledge:index", args=[locale]))


def index(request: HttpRequest, locale: str) -> HttpResponse:
    _activate(locale)
    groups = actions.categories_with_articles(locale)
    return _page(request, locale, "knowledge/index.html", {"groups": groups})


def search(request: HttpRequest, locale: str) -> HttpResponse:
    _activate(locale)
    query = request.GET.get("q", "").strip()[:200]
    results = list(actions.search_articles(locale, query)[:50]) if query else []
    return _page(request, locale, "knowledge/search.html", {"query": query, "results": results})


def article(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    _activate(locale)
    try:
        found = actions.published_article(locale, slug)
    except DomainError:
        raise Http404 from None
    thanks = request.GET.get("feedback") == "thanks"
    # Cleaned again at display: a row written around `save_article` must not inject markup.
    body_html = (
        actions.clean_body(found.body, found.body_format)
        if found.body_format == BodyFormat.HTML
        else ""
    )
    return _page(request, locale, "knowledge/article.html",
                 {"article": found, "body_html": body_html, "thanks": thanks})


@require_POST
def feedback(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    """"Was this helpful?": yes/no and an optional comment. CSRF-protected, rate-limited."""
    _activate(locale)
    try:
        found = actions.published_article(locale, slug)
    except DomainError:
        raise Http404 from None
    try:
        check_rate("feedback", ip=client_ip(request))
    except RateLimited as exc:
        return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return HttpResponse(gettext("Say yes or no."), status=422)
    actions.record_feedback(found, helpful == "yes", request.POST.get("comment", ""))
    return HttpResponseRedirect(found.get_absolute_url() + "?feedback=thanks#feedback")


class ContactForm(forms.Form):
    form_id = forms.CharField(widget=forms.HiddenInput, max_length=40)
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your e-mail"))
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    message = forms.CharField(label=_("Your message"), widget=forms.Textarea, max_length=5000)


def contact(request: HttpRequest, locale: str) -> HttpResponse:
    """A question for the team, stored as a conversation through ingest()."""
    _activate(locale)
    if request.method != "POST":
        form = ContactForm(initial={"form_id": secrets.token_urlsafe(16)})
        return _page(request, locale, "knowledge/contact.html", {"form": form})
    form = ContactForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            check_rate("contact", ip=client_ip(request))
            actions.submit_contact_form(
                form_id=form.cleaned_data["form_id"], name=form.cleaned_data["name"],
                email=form.cleaned_data["email"], subject=form.cleaned_data["subject"],
                text=form.cleaned_data["message"],
            )
        except RateLimited:
            return _page(request, locale, "knowledge/contact.html",
                         {"form": form, "error": _("Too many messages; try again later.")},
                         status=429)
        except DomainError as exc:
            error = exc.message
        else:
            return _page(request, locale, "knowledge/contact.html", {"sent": True})
    return _page(request, locale, "knowledge/contact.html", {"form": form, "error": error},
                 status=422)
