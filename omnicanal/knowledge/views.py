"""The public help center: /help/<locale>/ pages in French and English."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from omnicanal.connectors.webchat.ratelimit import RateLimited, check_rate
from omnicanal.connectors.webchat.views import client_ip
from omnicanal.core.exceptions import DomainError
from omnicanal.knowledge import actions, branding
from omnicanal.knowledge import search as knowledge_search
from omnicanal.knowledge.content import Heading, outline
from omnicanal.knowledge.markdown import render_markdown
from omnicanal.knowledge.models import ArticleFile, BodyFormat, Locale

LOCALES = tuple(Locale.values)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
VISITOR_COOKIE = "omnicanal_help_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 3600


def _activate(locale: str) -> None:
    if locale not in LOCALES:
        raise Http404
    translation.activate(locale)


def _page(request: HttpRequest, locale: str, template: str, context: dict[str, Any],
          status: int = 200, *, switch_to: str = "knowledge:index", switch_args: tuple = (),
          switch_query: str = "", switch_urls: dict[str, str] | None = None) -> HttpResponse:
    """Render a help-center page with the theme, the contact details and the language
    switch (the same page in the other language where it exists, else its home)."""
    row = branding.current_settings()
    languages = [
        {"code": code, "name": LANGUAGE_NAMES[code], "current": code == locale,
         "url": (switch_urls or {}).get(code)
         or reverse(switch_to, args=[code, *switch_args]) + switch_query}
        for code in LOCALES
    ]
    response = render(request, template, {
        "locale": locale, "locales": LOCALES, "languages": languages,
        "theme": branding.theme(row), "help_settings": row, **context,
    }, status=status)
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
    return _page(request, locale, "knowledge/index.html",
                 {"groups": groups, "popular": actions.popular_articles(locale)})


def category(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    _activate(locale)
    try:
        found, articles = actions.published_category(locale, slug)
    except DomainError:
        raise Http404 from None
    return _page(request, locale, "knowledge/category.html",
                 {"category": found, "articles": articles, "trail": [(None, found.name)]})


def search(request: HttpRequest, locale: str) -> HttpResponse:
    _activate(locale)
    query = request.GET.get("q", "").strip()[:200]
    hits = knowledge_search.search(locale, query) if query else []
    return _page(request, locale, "knowledge/search.html",
                 {"query": query, "hits": hits, "trail": [(None, gettext("Search"))]},
                 switch_to="knowledge:search",
                 switch_query="?" + urlencode({"q": query}) if query else "")


def article(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    _activate(locale)
    try:
        found = actions.published_article(locale, slug)
    except DomainError:
        raise Http404 from None
    headings: list[Heading] = []
    # Cleaned again at display: a row written around `save_article` must not inject markup.
    body_html = ""
    if found.body_format == BodyFormat.HTML:
        body_html, headings = outline(actions.clean_body(found.body, found.body_format))
    elif found.body_format == BodyFormat.MARKDOWN:
        body_html, headings = outline(render_markdown(found.body, public=True))
    # The language switch goes to the published translation, where there is one.
    switch_urls = {other.locale: other.get_absolute_url()
                   for other in actions.published_translations(found)}
    vote = actions.has_voted(found, request.COOKIES.get(VISITOR_COOKIE, ""))
    return _page(request, locale, "knowledge/article.html", {
        "article": found, "body_html": body_html, "headings": headings, "vote": vote,
        "thanks": request.GET.get("feedback") == "thanks" or vote is not None,
        "related": actions.related_articles(found), "trail": [
            *([(reverse("knowledge:category", args=[locale, found.category.slug]),
                found.category.name)] if found.category else []),
            (None, found.title),
        ],
    }, switch_urls=switch_urls)


@require_POST
def feedback(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    """"Was this helpful?": yes/no and an optional comment, one vote per visitor (a cookie
    of its own). CSRF-protected, rate-limited per visitor and per address."""
    _activate(locale)
    try:
        found = actions.published_article(locale, slug)
    except DomainError:
        raise Http404 from None
    visitor = request.COOKIES.get(VISITOR_COOKIE, "")[:64]
    try:
        check_rate("feedback", visitor=visitor, ip=client_ip(request))
    except RateLimited as exc:
        return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return HttpResponse(gettext("Say yes or no."), status=422,
                            content_type="text/plain; charset=utf-8")
    visitor = visitor or secrets.token_urlsafe(24)
    actions.record_feedback(found, helpful == "yes", request.POST.get("comment", ""),
                            visitor=visitor)
    response = HttpResponseRedirect(found.get_absolute_url() + "?feedback=thanks#feedback")
    response.set_cookie(VISITOR_COOKIE, visitor, max_age=VISITOR_COOKIE_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure(),
                        path=reverse("knowledge:home"))
    return response


@require_GET
def public_file(request: HttpRequest, pk: int, name: str) -> HttpResponseBase:
    """An image or document of a published public article, for anyone."""
    stored = actions.published_article_file(pk, name)
    if stored is None:
        raise Http404
    return file_response(stored)


def file_response(stored: ArticleFile) -> HttpResponseBase:
    """The file with the type found when it was checked, never sniffed, never run."""
    inline = stored.content_type.startswith("image/")
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type,
                            as_attachment=not inline, filename=stored.filename)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def logo(request: HttpRequest, version: str) -> HttpResponse:
    """The organisation's logo. An SVG is served under a CSP that runs nothing, even opened
    on its own (it was sanitised when saved, this is the second lock)."""
    row = branding.current_settings()
    if not row.logo or version != branding.logo_version(row):
        raise Http404
    response = HttpResponse(bytes(row.logo), content_type=row.logo_content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _contact_trail() -> dict[str, Any]:
    return {"trail": [(None, gettext("Contact us"))]}


class ContactForm(forms.Form):
    form_id = forms.CharField(widget=forms.HiddenInput, max_length=40)
    name = forms.CharField(label=_("Your name"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "hc-input",
                                                         "autocomplete": "name"}))
    email = forms.EmailField(label=_("Your e-mail"),
                             widget=forms.EmailInput(attrs={"class": "hc-input",
                                                            "autocomplete": "email"}))
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"class": "hc-input"}))
    message = forms.CharField(label=_("Your message"), max_length=5000,
                              widget=forms.Textarea(attrs={"class": "hc-input", "rows": 6}))


def contact(request: HttpRequest, locale: str) -> HttpResponse:
    """A question for the team, stored as a conversation through ingest()."""
    _activate(locale)
    if request.method != "POST":
        form = ContactForm(initial={"form_id": secrets.token_urlsafe(16)})
        return _page(request, locale, "knowledge/contact.html", {**_contact_trail(), "form": form},
                     switch_to="knowledge:contact")
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
                         {**_contact_trail(), "form": form,
                          "error": _("Too many messages; try again later.")},
                         status=429, switch_to="knowledge:contact")
        except DomainError as exc:
            error = exc.message
        else:
            return _page(request, locale, "knowledge/contact.html",
                         {**_contact_trail(), "sent": True}, switch_to="knowledge:contact")
    return _page(request, locale, "knowledge/contact.html",
                 {**_contact_trail(), "form": form, "error": error},
                 status=422, switch_to="knowledge:contact")
