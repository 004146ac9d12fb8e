"""Settings → Answers: supervisors list, write and delete canned replies and macros.

Thin: the forms check the shape of the input, `routing.answers` checks the rest (role,
variables, labels, unique shortcuts) and writes with an audit entry.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, supervisor_required
from omnicanal.accounts.decorators import request_agent as _user
from omnicanal.conversations.models import Label, Priority
from omnicanal.routing import answers
from omnicanal.routing.models import AutomationRule, CannedReply, Macro


class CannedReplyForm(forms.Form):
    shortcut = forms.SlugField(
        label=gettext_lazy("Shortcut"), max_length=50,
        help_text=gettext_lazy("Agents type / then this word in the reply box."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 6}))


class MacroForm(forms.Form):
    shortcut = forms.SlugField(
        label=gettext_lazy("Shortcut"), max_length=50,
        help_text=gettext_lazy("Agents type / then this word in the reply box."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    reply = forms.CharField(
        label=gettext_lazy("Reply text"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Fills the reply box; the agent reviews it and sends it."),
    )
    note = forms.CharField(
        label=gettext_lazy("Internal note"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    label = forms.ChoiceField(label=gettext_lazy("Add the label"), required=False)
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Set the priority"), required=False, coerce=int, empty_value=None,
    )
    status = forms.ChoiceField(label=gettext_lazy("Set the status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unchanged = ("", gettext_lazy("— unchanged —"))
        labels = list(Label.objects.values_list("name", flat=True))
        label_field = self.fields["label"]
        assert isinstance(label_field, forms.ChoiceField)
        label_field.choices = [("", gettext_lazy("— none —")), *((name, name) for name in labels)]
        priority_field = self.fields["priority"]
        assert isinstance(priority_field, forms.ChoiceField)
        priority_field.choices = [unchanged, *Priority.choices]
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [
            unchanged, *((status.value, status.label) for status in answers.MACRO_STATUSES)
        ]

    def steps(self) -> answers.MacroSteps:
        data = self.cleaned_data
        return answers.MacroSteps(
            reply=data["reply"], note=data["note"], label=data["label"],
            priority=data["priority"], status=data["status"],
        )


def _answers_url() -> str:
    return reverse("routing:answers")


@supervisor_required
def answers_page(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    macros = [
        {
            "macro": macro,
            "summary": answers.macro_summary(macro),
            "is_editable": answers.editor_steps(macro) is not None,
        }
        for macro in Macro.objects.all()
    ]
    return render(request, "routing/answers.html", {
        "section": "answers",
        "canned_replies": CannedReply.objects.all(),
        "macros": macros,
        "rules": AutomationRule.objects.all(),
        "is_administrator": user.is_administrator,
    })


def _form_page(
    request: HtmxHttpRequest, template: str, form: forms.Form, **context: Any
) -> HttpResponse:
    return render(request, template, {
        "section": "answers", "form": form, "variables": answers.variables_help(), **context,
    })


@require_http_methods(["GET", "POST"])
@supervisor_required
def canned_reply_form(request: HtmxHttpRequest, canned_id: int | None = None) -> HttpResponse:
    canned = get_object_or_404(CannedReply, pk=canned_id) if canned_id is not None else None
    if request.method == "POST":
        form = CannedReplyForm(request.POST)
        if form.is_valid():
            try:
                saved = answers.save_canned_reply(
                    _user(request), canned_id=canned_id, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Canned reply /%(shortcut)s saved.")
                                 % {"shortcut": saved.shortcut})
                return HttpResponseRedirect(_answers_url())
    else:
        initial = ({"shortcut": canned.shortcut, "title": canned.title, "text": canned.text}
                   if canned else {})
        form = CannedReplyForm(initial=initial)
    return _form_page(request, "routing/canned_reply_form.html", form, canned=canned)


@require_http_methods(["GET", "POST"])
@supervisor_required
def macro_form(request: HtmxHttpRequest, macro_id: int | None = None) -> HttpResponse:
    macro = get_object_or_404(Macro, pk=macro_id) if macro_id is not None else None
    steps = answers.editor_steps(macro) if macro else answers.MacroSteps()
    if steps is None:
        # Made in the admin with steps the editor cannot hold: the list shows it read-only.
        return HttpResponseRedirect(_answers_url())
    if request.method == "POST":
        form = MacroForm(request.POST)
        if form.is_valid():
            try:
                saved = answers.save_macro(
                    _user(request), macro_id=macro_id, shortcut=form.cleaned_data["shortcut"],
                    name=form.cleaned_data["name"], steps=form.steps(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Macro /%(shortcut)s saved.")
                                 % {"shortcut": saved.shortcut})
                return HttpResponseRedirect(_answers_url())
    else:
        initial: dict[str, Any] = {}
        if macro:
            initial = {"shortcut": macro.shortcut, "name": macro.name, "reply": steps.reply,
                       "note": steps.note, "label": steps.label, "priority": steps.priority,
                       "status": steps.status}
        form = MacroForm(initial=initial)
    return _form_page(request, "routing/macro_form.html", form, macro=macro)


@require_http_methods(["GET", "POST"])
@supervisor_required
def canned_reply_delete(request: HtmxHttpRequest, canned_id: int) -> HttpResponse:
    canned = get_object_or_404(CannedReply, pk=canned_id)
    if request.method == "POST":
        answers.delete_canned_reply(_user(request), canned_id)
        messages.success(request, gettext("Canned reply /%(shortcut)s deleted.")
                         % {"shortcut": canned.shortcut})
        return HttpResponseRedirect(_answers_url())
    return render(request, "routing/answer_delete.html", {
        "section": "answers",
        "question": gettext("Delete the canned reply /%(shortcut)s (%(title)s)?")
        % {"shortcut": canned.shortcut, "title": canned.title},
    })


@require_http_methods(["GET", "POST"])
@supervisor_required
def macro_delete(request: HtmxHttpRequest, macro_id: int) -> HttpResponse:
    macro = get_object_or_404(Macro, pk=macro_id)
    if answers.editor_steps(macro) is None:
        return HttpResponseRedirect(_answers_url())
    if request.method == "POST":
        answers.delete_macro(_user(request), macro_id)
        messages.success(request, gettext("Macro /%(shortcut)s deleted.")
                         % {"shortcut": macro.shortcut})
        return HttpResponseRedirect(_answers_url())
    return render(request, "routing/answer_delete.html", {
        "section": "answers",
        "question": gettext("Delete the macro /%(shortcut)s (%(name)s)?")
        % {"shortcut": macro.shortcut, "name": macro.name},
    })


@require_POST
@supervisor_required
def rule_toggle(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    rule = answers.set_rule_active(
        _user(request), rule_id, is_active=request.POST.get("is_active") == "1"
    )
    message = (gettext("Rule “%(name)s” is on.") if rule.is_active
               else gettext("Rule “%(name)s” is off."))
    messages.success(request, message % {"name": rule.name})
    return HttpResponseRedirect(_answers_url() + "#rules-title")
