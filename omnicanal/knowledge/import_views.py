"""Knowledge → Import (supervisors and administrators): the form that starts an import, the
run's page with its progress (polled by htmx until the run ends) and its report, and the
earlier runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, request_agent, supervisor_required
from omnicanal.core.exceptions import DomainError
from omnicanal.knowledge import importing
from omnicanal.knowledge.models import (
    Article,
    ImportKind,
    ImportRun,
    Locale,
    Visibility,
)

RECENT_RUNS = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": ",".join(sorted(importing.ACCEPTED_SUFFIXES)),
        }))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        # Required only when files are the source: the form's clean() says so.
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SitemapURLField(forms.URLField):
    def validate(self, value: Any) -> None:
        # Required only when a sitemap is the source: the form's clean() says so.
        if value not in self.empty_values:
            super().validate(value)


class ImportForm(forms.Form):
    # The files and the address are each required for their source, which the browser
    # cannot tell: the form checks them.
    use_required_attribute = False

    kind = forms.ChoiceField(
        label=_("What to import"), choices=ImportKind.choices, initial=ImportKind.FILES,
        widget=forms.RadioSelect,
    )
    uploads = MultipleFileField(
        label=_("Files"),
        help_text=_("HTML pages, Markdown files (.md), CSV (columns title and body; optional "
                    "category, language, visibility, format) or a ZIP of HTML and Markdown "
                    "files. A FAQ page becomes one article per question."),
    )
    url = SitemapURLField(
        label=_("Sitemap address"), assume_scheme="https",
        help_text=_("The sitemap.xml of the existing FAQ (or a sitemap index); only the pages "
                    "of the same site are imported."),
        widget=forms.URLInput(attrs={"placeholder": "https://www.example.com/sitemap.xml"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("auto", _("Detect (or as each file says)")), *Locale.choices],
        initial="auto",
    )
    category = forms.CharField(
        label=_("Category"), required=False, max_length=120,
        help_text=_("For the articles that name none; created if missing."),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices,
                                   initial=Visibility.PUBLIC)
    on_duplicate = forms.ChoiceField(
        label=_("When an article with the same title and language exists"),
        choices=[("skip", _("Skip it")), ("update", _("Update it"))], initial="skip",
        widget=forms.RadioSelect,
    )
    publish = forms.BooleanField(
        label=_("Publish the articles at once (otherwise they arrive as drafts)"),
        required=False,
    )

    def __init__(self, *args: Any, can_publish: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ImportKind.SITEMAP and not cleaned.get("url"):
            self.add_error("url", _("Write the sitemap's address."))
        if cleaned.get("kind") == ImportKind.FILES and not cleaned.get("uploads"):
            self.add_error("uploads", _("Choose at least one file."))
        return cleaned


def _runs() -> list[ImportRun]:
    return list(ImportRun.objects.select_related("created_by")[:RECENT_RUNS])


@require_http_methods(["GET", "POST"])
@supervisor_required
def import_page(request: HtmxHttpRequest) -> HttpResponse:
    user = request_agent(request)
    form = ImportForm(request.POST or None, request.FILES or None,
                      can_publish=user.is_administrator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {key: data.get(key) for key in
                   ("language", "category", "visibility", "on_duplicate")}
        options["publish"] = bool(data.get("publish"))
        try:
            run = importing.start_import(
                user, kind=data["kind"], files=data.get("uploads") or [],
                url=data.get("url") or "", options=options,
            )
        except DomainError as error:
            form.add_error("url" if data["kind"] == ImportKind.SITEMAP else "uploads",
                           error.message)
        else:
            return HttpResponseRedirect(reverse("kb:import_run", args=[run.pk]))
    return render(request, "knowledge/import/form.html", {
        "form": form, "runs": _runs(), "section": "knowledge",
    }, status=422 if form.errors else 200)


def article_link(article_id: int | None, articles: dict[int, Article]) -> str:
    """The editor's page of an imported article."""
    article = articles.get(article_id or 0)
    return reverse("kb:edit", args=[article.pk]) if article else ""


OUTCOMES = {
    importing.Outcome.CREATED: pgettext_lazy("import outcome", "Created"),
    importing.Outcome.UPDATED: pgettext_lazy("import outcome", "Updated"),
    importing.Outcome.SKIPPED: pgettext_lazy("import outcome", "Skipped"),
    importing.Outcome.FAILED: pgettext_lazy("import outcome", "Failed"),
}


def reason_text(row: dict[str, Any]) -> str:
    """The report's reason in the reader's language (stored untranslated, with its values)."""
    reason = row.get("reason") or ""
    if not reason:
        return ""
    text = gettext(reason)
    values = row.get("values") or {}
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):
        return reason


def _report_rows(run: ImportRun) -> list[dict[str, Any]]:
    ids = {row.get("article") for row in run.report if row.get("article")}
    articles = Article.objects.in_bulk(ids)
    return [
        {**row, "link": article_link(row.get("article"), articles),
         "outcome_text": OUTCOMES.get(row.get("outcome", ""), row.get("outcome", "")),
         "reason_text": reason_text(row)}
        for row in run.report
    ]


def _run_context(run: ImportRun) -> dict[str, Any]:
    return {"run": run, "rows": _report_rows(run) if run.is_finished else [],
            "section": "knowledge"}


@require_http_methods(["GET"])
@supervisor_required
def run_page(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=run_id)
    return render(request, "knowledge/import/run.html", _run_context(run))


@require_http_methods(["GET"])
@supervisor_required
def run_progress(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    """The progress and, once the run ends, the report: what the run page polls."""
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=run_id)
    return render(request, "knowledge/import/_progress.html", _run_context(run))
