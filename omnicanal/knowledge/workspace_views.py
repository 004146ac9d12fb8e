"""The knowledge base in the workspace (`/knowledge/`): the list of articles, the editor with
its Markdown preview, files, versions and their diffs, the review workflow, translations and
the categories. Wiring only: every write is in `knowledge.actions`.

A plain POST redirects (a reload never posts twice); a refused form is rendered again with
each reason beside its field, with status 422.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.accounts.models import User
from omnicanal.core.exceptions import DomainError, InvalidField, NotFound
from omnicanal.knowledge import actions
from omnicanal.knowledge.markdown import render_body
from omnicanal.knowledge.models import (
    Article,
    ArticleFile,
    ArticleStatus,
    ArticleVersion,
    BodyFormat,
    Category,
    Locale,
    Section,
    Visibility,
)
from omnicanal.knowledge.views import file_response

PAGE_SIZE = 50
FORM = "kb-article-form"
MAX_PREVIEW = 200_000
TRANSLATE_INTO: dict[str, Any] = {
    Locale.FR: _("Translate into French"), Locale.EN: _("Translate into English"),
}


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _filters(request: HtmxHttpRequest) -> actions.ArticleFilters:
    get = request.GET
    status = get.get("status", "")
    visibility = get.get("visibility", "")
    locale = get.get("locale", "")
    owner = get.get("owner", "")
    return actions.ArticleFilters(
        query=get.get("q", "").strip()[:200],
        status=status if status in ArticleStatus.values else "",
        visibility=visibility if visibility in Visibility.values else "",
        locale=locale if locale in Locale.values else "",
        category=_id(get.get("category")),
        owner=owner if owner in ("me", "none") or (owner.isdigit() and len(owner) < 10) else "",
        review_due=get.get("review") == "due",
    )


@require_GET
@agent_required
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every article, last changed first, searched and filtered; the status chips count what
    the other filters select. Typing in the search box (htmx) gets the results alone."""
    filters = _filters(request)
    agent = request_agent(request)
    articles, counts = actions.workspace_articles(agent, filters)
    number = _id(request.GET.get("page")) or 1
    rows = list(articles[(number - 1) * PAGE_SIZE: number * PAGE_SIZE + 1])
    query = {key: str(value) for key, value in request.GET.items()
             if key not in ("page", "status") and value}
    context = {
        "section": "knowledge",
        "filters": filters,
        "articles": rows[:PAGE_SIZE],
        "page_number": number,
        "has_next": len(rows) > PAGE_SIZE,
        "counts": counts,
        "total": sum(counts.values()),
        "status_chips": [(value, label, counts[value]) for value, label in ArticleStatus.choices],
        "chip_query": urlencode(query),
        "page_query": urlencode({k: str(v) for k, v in request.GET.items() if k != "page" and v}),
        "statuses": ArticleStatus.choices,
        "visibilities": Visibility.choices,
        "locales": Locale.choices,
        "categories": list(Category.objects.all()),
        "owners": list(User.objects.filter(is_active=True).order_by("name", "email")),
        "today": timezone.localdate(),
        "can_manage": actions.can_manage(agent),
    }
    if request.htmx and request.htmx.target == "kb-results":
        return render(request, "knowledge/workspace/_results.html", context)
    return render(request, "knowledge/workspace/list.html", context)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            widget=forms.TextInput(attrs={"class": "kb-title-input",
                                                          "autocomplete": "off"}))
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(
        attrs={"rows": 22, "spellcheck": "true", "class": "kb-textarea"}))
    locale = forms.ChoiceField(label=_("Language"), choices=Locale.choices)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False,
                                      empty_value=None)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int, required=False,
                                     empty_value=None)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False,
                                   empty_value=None)
    body_format = forms.ChoiceField(choices=BodyFormat.choices, required=False,
                                    widget=forms.HiddenInput)
    review_by = forms.DateField(label=_("Review by"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        categories = list(Category.objects.all())
        self.fields["category"].choices = none + [  # type: ignore[attr-defined]
            (c.pk, f"{c.name} ({c.locale.upper()})") for c in categories]
        self.fields["section"].choices = none + [  # type: ignore[attr-defined]
            (s.pk, f"{s.category.name} / {s.name}")
            for s in Section.objects.select_related("category")]
        self.fields["owner"].choices = none + [  # type: ignore[attr-defined]
            (u.pk, u.display_name) for u in User.objects.filter(is_active=True)
            .order_by("name", "email")]
        for name, field in self.fields.items():
            if name not in ("title", "body", "body_format"):
                field.widget.attrs["form"] = FORM

    def article_input(self) -> actions.ArticleInput:
        data = self.cleaned_data
        return actions.ArticleInput(
            title=data["title"], body=data["body"], locale=data["locale"],
            category_id=data["category"], section_id=data["section"],
            visibility=data["visibility"], owner_id=data["owner"],
            review_by=data["review_by"],
            body_format=data.get("body_format") or BodyFormat.MARKDOWN,
        )


def _initial(article: Article) -> dict[str, Any]:
    return {
        "title": article.title, "body": article.body, "locale": article.locale,
        "category": article.category_id, "section": article.section_id,
        "visibility": article.visibility, "owner": article.owner_id,
        "review_by": article.review_by, "body_format": article.body_format,
    }


def _article(article_id: int) -> Article:
    article = (Article.objects.select_related("category", "section", "owner")
               .filter(pk=article_id).first())
    if article is None:
        raise Http404
    return article


def _editor(request: HtmxHttpRequest, form: ArticleForm, article: Article | None,
            status: int = 200, **extra: Any) -> HttpResponse:
    agent = request_agent(request)
    body = form["body"].value() or ""
    body_format = form["body_format"].value() or BodyFormat.MARKDOWN
    context: dict[str, Any] = {
        "section": "knowledge",
        "form": form,
        "form_id": FORM,
        "article": article,
        "preview": render_body(str(body)[:MAX_PREVIEW], str(body_format)),
        "body_format": body_format,
        "can_edit": article is None or actions.can_edit(agent, article),
        "can_manage": actions.can_manage(agent),
        **extra,
    }
    if article is not None:
        context |= {
            "transitions": actions.available_transitions(agent, article),
            "translations": actions.translations(article),
            "files": [(f, actions.file_markdown(f)) for f in article.files.all()],
            "version_count": article.versions.count(),
            "public_url": article.get_absolute_url()
            if article.status == ArticleStatus.PUBLISHED
            and article.visibility == Visibility.PUBLIC else "",
            "max_file_mb": actions.MAX_FILE_BYTES // 2**20,
        }
        context["missing_locales"] = [
            (code, TRANSLATE_INTO[code]) for code in Locale.values
            if code != article.locale and code not in {t.locale for t in context["translations"]}
        ]
    return render(request, "knowledge/workspace/editor.html", context, status=status)


def _save_refused(form: ArticleForm, error: DomainError) -> None:
    field = error.field if isinstance(error, InvalidField) else None
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
@agent_required
def article_new(request: HtmxHttpRequest) -> HttpResponse:
    agent = request_agent(request)
    if request.method != "POST":
        locale = request.GET.get("locale", agent.language)
        form = ArticleForm(initial={
            "locale": locale if locale in Locale.values else Locale.FR,
            "visibility": Visibility.PUBLIC, "owner": agent.pk,
        })
        return _editor(request, form, None)
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            article = actions.create_article(agent, form.article_input())
        except DomainError as error:
            _save_refused(form, error)
        else:
            messages.success(request, gettext("Draft saved."))
            return HttpResponseRedirect(reverse("kb:edit", args=[article.pk]))
    return _editor(request, form, None, status=422)


@require_http_methods(["GET", "POST"])
@agent_required
def article_edit(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    agent = request_agent(request)
    article = _article(article_id)
    if request.method != "POST":
        return _editor(request, ArticleForm(initial=_initial(article)), article)
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            actions.update_article(agent, article.pk, form.article_input())
        except DomainError as error:
            _save_refused(form, error)
        else:
            messages.success(request, gettext("Article saved."))
            return HttpResponseRedirect(reverse("kb:edit", args=[article.pk]))
    return _editor(request, form, article, status=422)


@require_POST
@agent_required
def preview(request: HtmxHttpRequest) -> HttpResponse:
    """The editor's live preview: the Markdown as the help center will show it."""
    html = render_body(request.POST.get("body", "")[:MAX_PREVIEW],
                       request.POST.get("body_format", BodyFormat.MARKDOWN))
    return render(request, "knowledge/workspace/_preview.html", {"preview": html})


def _back_to_editor(request: HtmxHttpRequest, article_id: int, error: DomainError | None,
                    done: str) -> HttpResponse:
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("kb:edit", args=[article_id]))


@require_POST
@agent_required
def transition(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    name = request.POST.get("action", "")
    try:
        article = actions.transition_article(request_agent(request), article_id, name)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        if error.status == 403:
            return HttpResponse(error.message, status=403,
                                content_type="text/plain; charset=utf-8")
        return _back_to_editor(request, article_id, error, "")
    return _back_to_editor(request, article_id, None, gettext("Now: %(status)s.") % {
        "status": article.get_status_display()})


@require_POST
@agent_required
def translate(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    try:
        translation = actions.translate_article(
            request_agent(request), article_id, request.POST.get("locale", ""))
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _back_to_editor(request, article_id, error, "")
    messages.success(request, gettext("Translation draft ready: translate it, then submit it."))
    return HttpResponseRedirect(reverse("kb:edit", args=[translation.pk]))


@require_POST
@agent_required
def upload(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """An image or document for the article. With htmx, the files list comes back (and the
    new file's Markdown for the editor to insert); without, the editor page."""
    article = _article(article_id)
    upload_file = request.FILES.get("file")
    error = ""
    added: ArticleFile | None = None
    if upload_file is None:
        error = gettext("Choose a file.")
    else:
        try:
            added = actions.add_article_file(request_agent(request), article.pk, upload_file)
        except DomainError as refused:
            error = refused.message
    if request.htmx:
        context = {
            "article": article, "upload_error": error,
            "files": [(f, actions.file_markdown(f)) for f in article.files.all()],
            "inserted": actions.file_markdown(added) if added else "",
            "max_file_mb": actions.MAX_FILE_BYTES // 2**20, "can_edit": True,
        }
        return render(request, "knowledge/workspace/_files.html", context,
                      status=422 if error else 200)
    if error:
        form = ArticleForm(initial=_initial(article))
        return _editor(request, form, article, status=422, upload_error=error)
    messages.success(request, gettext("File added."))
    return HttpResponseRedirect(reverse("kb:edit", args=[article.pk]))


@require_GET
@agent_required
def article_file(request: HtmxHttpRequest, pk: int, name: str) -> HttpResponseBase:
    """Any article's file, for agents (internal and unpublished articles included)."""
    stored = ArticleFile.objects.filter(pk=pk, filename=name).first()
    if stored is None:
        raise Http404
    return file_response(stored)


@require_GET
@agent_required
def versions(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = _article(article_id)
    rows = list(article.versions.select_related("author"))
    return render(request, "knowledge/workspace/versions.html", {
        "section": "knowledge", "article": article, "versions": rows,
        "can_edit": actions.can_edit(request_agent(request), article),
    })


@require_GET
@agent_required
def diff(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """Two versions side by side as one list of lines: inserted, deleted, unchanged."""
    article = _article(article_id)
    numbers = [_id(request.GET.get("from")), _id(request.GET.get("to"))]
    found = {v.number: v for v in ArticleVersion.objects.filter(
        article=article, number__in=[n for n in numbers if n is not None])}
    old, new = found.get(numbers[0] or 0), found.get(numbers[1] or 0)
    if old is None or new is None:
        raise Http404
    if old.number > new.number:
        old, new = new, old
    lines = actions.version_diff(old, new)
    return render(request, "knowledge/workspace/diff.html", {
        "section": "knowledge", "article": article, "old": old, "new": new, "lines": lines,
        "inserted": sum(1 for line in lines if line.kind == "inserted"),
        "deleted": sum(1 for line in lines if line.kind == "deleted"),
        "can_edit": actions.can_edit(request_agent(request), article),
    })


@require_POST
@agent_required
def restore(request: HtmxHttpRequest, article_id: int, number: int) -> HttpResponse:
    try:
        actions.restore_version(request_agent(request), article_id, number)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _back_to_editor(request, article_id, error, "")
    return _back_to_editor(request, article_id, None, gettext(
        "Version %(number)s restored as a new version.") % {"number": number})


@require_http_methods(["GET", "POST"])
@agent_required
def categories(request: HtmxHttpRequest) -> HttpResponse:
    """Categories and their sections, per language; supervisors change them."""
    agent = request_agent(request)
    if request.method == "POST":
        operation = request.POST.get("operation", "")
        try:
            if operation == "add_category":
                actions.save_category(agent, locale=request.POST.get("locale", ""),
                                      name=request.POST.get("name", ""),
                                      position=Category.objects.count() + 1)
            elif operation == "add_section":
                actions.add_section(agent, category_id=_id(request.POST.get("category")) or 0,
                                    name=request.POST.get("name", ""))
            elif operation == "delete_category":
                actions.delete_category(agent, _id(request.POST.get("category")) or 0)
            elif operation == "delete_section":
                actions.delete_section(agent, _id(request.POST.get("section")) or 0)
            else:
                raise Http404
        except DomainError as error:
            if error.status == 403:
                return HttpResponse(error.message, status=403,
                                    content_type="text/plain; charset=utf-8")
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Saved."))
        return HttpResponseRedirect(reverse("kb:categories"))
    groups = [
        (code, label, [c for c in Category.objects.prefetch_related("sections")
                       if c.locale == code])
        for code, label in Locale.choices
    ]
    return render(request, "knowledge/workspace/categories.html", {
        "section": "knowledge", "groups": groups, "locales": Locale.choices,
        "can_manage": actions.can_manage(agent),
    })
