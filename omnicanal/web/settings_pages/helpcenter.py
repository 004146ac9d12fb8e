"""Settings → Help center (administrators): the public help center's organisation name, logo,
brand colour and contact details.

Thin: the form reads the input, `knowledge.branding.save_help_center_settings` checks it (the
logo's bytes too) and writes it with an audit entry.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.core.exceptions import DomainError, InvalidField
from omnicanal.knowledge import branding


class HelpCenterForm(forms.Form):
    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=120, required=False,
        help_text=_("Shown in the header and the footer, and read out for the logo."),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("SVG, PNG or JPEG, %(max)s KB at most. Shown on a white tile in the "
                    "header.") % {"max": branding.MAX_LOGO_BYTES // 1024},
        widget=forms.ClearableFileInput(attrs={
            "accept": "image/svg+xml,image/png,image/jpeg,.svg,.png,.jpg,.jpeg",
        }),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    brand_color = forms.CharField(
        label=_("Brand colour"), max_length=7,
        help_text=_("The header's colour. Its text turns white or dark, whichever reads "
                    "better; links use a darker shade when needed."),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=254, required=False,
                                    widget=forms.EmailInput())
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_hours = forms.CharField(
        label=_("Opening hours"), max_length=200, required=False,
        help_text=_("As customers should read it, for example: Monday to Friday, 9:00 to 18:00."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def help_center_page(request: HtmxHttpRequest) -> HttpResponse:
    row = branding.current_settings()
    if request.method == "POST":
        form = HelpCenterForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["logo"]
            try:
                if upload is not None and upload.size > branding.MAX_LOGO_BYTES:
                    raise InvalidField("logo", _("The logo is too large: %(max)s KB at most."),
                                       max=branding.MAX_LOGO_BYTES // 1024)
                branding.save_help_center_settings(
                    request_agent(request), organisation_name=data["organisation_name"],
                    brand_color=data["brand_color"], contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"], contact_hours=data["contact_hours"],
                    logo=upload.read() if upload is not None else None,
                    remove_logo=data["remove_logo"],
                )
            except DomainError as error:
                field = error.field if isinstance(error, InvalidField) else None
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, gettext("Help center settings saved."))
                return HttpResponseRedirect(reverse("web:settings_help_center"))
    else:
        form = HelpCenterForm(initial={
            "organisation_name": row.organisation_name, "brand_color": row.brand_color,
            "contact_email": row.contact_email, "contact_phone": row.contact_phone,
            "contact_hours": row.contact_hours,
        })
    return render(request, "web/settings/help_center.html", {
        "section": "settings", "form": form, "theme": branding.theme(row),
    }, status=422 if form.errors else 200)


urlpatterns = [
    path("settings/help-center/", help_center_page, name="settings_help_center"),
]
