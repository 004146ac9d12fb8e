"""Settings → Labels (supervisors and administrators): names and colours of the labels agents
put on conversations; deleting one takes it off every conversation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, request_agent, supervisor_required
from omnicanal.conversations import actions, labels
from omnicanal.conversations.models import Label
from omnicanal.core.exceptions import DomainError, InvalidField

CUSTOM = "custom"


class LabelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=labels.LABEL_NAME_MAX_LENGTH)
    color = forms.ChoiceField(
        label=_("Colour"), required=False, widget=forms.RadioSelect,
        choices=[*labels.PALETTE, (CUSTOM, _("Another colour")), ("", _("No colour"))],
    )
    custom_color = forms.CharField(
        label=_("Colour code"), required=False, max_length=7,
        help_text=_("Written #rrggbb. Pick a dark one: it is a dot on a light chip."),
        widget=forms.TextInput(attrs={"placeholder": "#1f6feb", "size": 9}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("color") == CUSTOM and not cleaned.get("custom_color", "").strip():
            self.add_error("custom_color", _("Write the colour, or pick one above."))
        return cleaned

    def chosen_color(self) -> str:
        color = self.cleaned_data["color"]
        return self.cleaned_data["custom_color"] if color == CUSTOM else color


def _initial(label: Label) -> dict[str, str]:
    palette = {value for value, _name in labels.PALETTE}
    if label.color in palette or not label.color:
        return {"name": label.name, "color": label.color}
    return {"name": label.name, "color": CUSTOM, "custom_color": label.color}


def _show_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if isinstance(error, InvalidField) else None
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET"])
@supervisor_required
def labels_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "web/settings/labels.html", {
        "section": "settings", "labels": labels.labels_with_usage(),
    })


def _label_form_page(request: HtmxHttpRequest, label: Label | None) -> HttpResponse:
    actor = request_agent(request)
    if request.method == "POST":
        form = LabelForm(request.POST)
        if form.is_valid():
            try:
                if label is None:
                    saved = actions.create_label(actor, form.cleaned_data["name"],
                                                 form.chosen_color(), exists_ok=False)
                else:
                    saved = labels.update_label(actor, label, name=form.cleaned_data["name"],
                                                color=form.chosen_color())
            except DomainError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, gettext("Label “%(name)s” saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("web:settings_labels"))
    else:
        form = LabelForm(initial=_initial(label) if label else {"color": labels.PALETTE[0][0]})
    return render(request, "web/settings/label_form.html", {
        "section": "settings", "form": form, "label": label,
        "palette": labels.PALETTE, "custom": CUSTOM,
    }, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@supervisor_required
def label_new(request: HtmxHttpRequest) -> HttpResponse:
    return _label_form_page(request, None)


@require_http_methods(["GET", "POST"])
@supervisor_required
def label_edit(request: HtmxHttpRequest, label_id: int) -> HttpResponse:
    return _label_form_page(request, get_object_or_404(Label, pk=label_id))


@require_http_methods(["GET", "POST"])
@supervisor_required
def label_delete(request: HtmxHttpRequest, label_id: int) -> HttpResponse:
    label = get_object_or_404(Label, pk=label_id)
    if request.method == "POST":
        count = labels.delete_label(request_agent(request), label)
        messages.success(request, ngettext(
            "Label “%(name)s” deleted; it was removed from %(count)s conversation.",
            "Label “%(name)s” deleted; it was removed from %(count)s conversations.", count,
        ) % {"name": label.name, "count": count})
        return HttpResponseRedirect(reverse("web:settings_labels"))
    return render(request, "web/settings/label_delete.html", {
        "section": "settings", "label": label, "usage": label.conversations.count(),
    })


urlpatterns = [
    path("settings/labels/", labels_page, name="settings_labels"),
    path("settings/labels/new/", label_new, name="settings_labels_new"),
    path("settings/labels/<int:label_id>/", label_edit, name="settings_labels_edit"),
    path("settings/labels/<int:label_id>/delete/", label_delete, name="settings_labels_delete"),
]
