"""Settings → Contact attributes (administrators): the custom fields every contact may have
(a customer number, a plan, a renewal date), shown and edited in the contact panel."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import (
    HtmxHttpRequest,
    administrator_required,
    request_agent,
)
from omnicanal.contacts import attributes
from omnicanal.contacts.models import AttributeDefinition, AttributeType
from omnicanal.core.exceptions import DomainError, InvalidField


class AttributeForm(forms.Form):
    key = forms.CharField(
        label=_("Key"), max_length=attributes.KEY_MAX_LENGTH,
        help_text=_("The name in the API and in automation rules, e.g. customer_number. "
                    "It cannot be changed later."),
    )
    label = forms.CharField(label=_("Label"), max_length=attributes.LABEL_MAX_LENGTH,
                            help_text=_("What agents read in the contact panel."))
    type = forms.ChoiceField(label=_("Type"), choices=AttributeType.choices,
                             help_text=_("It cannot be changed later."))
    choices = forms.CharField(
        label=_("Choices"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For the type “Choice” only: one per line."),
    )
    is_required = forms.BooleanField(
        label=_("Required"), required=False,
        help_text=_("Agents must fill it when they edit a contact's attributes."),
    )

    def __init__(self, *args: object, definition: AttributeDefinition | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if definition is not None:
            # Fixed once created (see contacts.attributes): not in the form at all.
            del self.fields["key"]
            del self.fields["type"]
            if definition.type != AttributeType.CHOICE:
                del self.fields["choices"]

    def choice_lines(self) -> list[str]:
        return str(self.cleaned_data.get("choices", "")).splitlines()


def _show_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if isinstance(error, InvalidField) else None
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET"])
@administrator_required
def attributes_page(request: HtmxHttpRequest) -> HttpResponse:
    rows = [(definition, attributes.contacts_holding(definition.key))
            for definition in AttributeDefinition.objects.order_by("label", "key")]
    return render(request, "web/settings/attributes.html", {"section": "settings", "rows": rows})


def _attribute_form_page(
    request: HtmxHttpRequest, definition: AttributeDefinition | None
) -> HttpResponse:
    actor = request_agent(request)
    if request.method == "POST":
        form = AttributeForm(request.POST, definition=definition)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if definition is None:
                    saved = attributes.create_attribute(
                        actor, key=data["key"], label=data["label"], type_=data["type"],
                        choices=form.choice_lines(), is_required=data["is_required"],
                    )
                else:
                    saved = attributes.update_attribute(
                        actor, definition, label=data["label"], choices=form.choice_lines(),
                        is_required=data["is_required"],
                    )
            except DomainError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, gettext("Attribute “%(label)s” saved.")
                                 % {"label": saved.label})
                return HttpResponseRedirect(reverse("web:settings_attributes"))
    elif definition is not None:
        form = AttributeForm(definition=definition, initial={
            "label": definition.label, "choices": "\n".join(map(str, definition.choices)),
            "is_required": definition.is_required,
        })
    else:
        form = AttributeForm()
    return render(request, "web/settings/attribute_form.html", {
        "section": "settings", "form": form, "definition": definition,
    }, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@administrator_required
def attribute_new(request: HtmxHttpRequest) -> HttpResponse:
    return _attribute_form_page(request, None)


@require_http_methods(["GET", "POST"])
@administrator_required
def attribute_edit(request: HtmxHttpRequest, attribute_id: int) -> HttpResponse:
    return _attribute_form_page(request, get_object_or_404(AttributeDefinition, pk=attribute_id))


@require_http_methods(["GET", "POST"])
@administrator_required
def attribute_delete(request: HtmxHttpRequest, attribute_id: int) -> HttpResponse:
    definition = get_object_or_404(AttributeDefinition, pk=attribute_id)
    if request.method == "POST":
        count = attributes.delete_attribute(request_agent(request), definition)
        messages.success(request, ngettext(
            "Attribute “%(label)s” deleted, with its value on %(count)s contact.",
            "Attribute “%(label)s” deleted, with its values on %(count)s contacts.", count,
        ) % {"label": definition.label, "count": count})
        return HttpResponseRedirect(reverse("web:settings_attributes"))
    return render(request, "web/settings/attribute_delete.html", {
        "section": "settings", "definition": definition,
        "holders": attributes.contacts_holding(definition.key),
    })


urlpatterns = [
    path("settings/attributes/", attributes_page, name="settings_attributes"),
    path("settings/attributes/new/", attribute_new, name="settings_attributes_new"),
    path("settings/attributes/<int:attribute_id>/", attribute_edit,
         name="settings_attributes_edit"),
    path("settings/attributes/<int:attribute_id>/delete/", attribute_delete,
         name="settings_attributes_delete"),
]
