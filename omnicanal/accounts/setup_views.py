"""The first-run page (`/setup/`): the form, then `setup.create_first_administrator`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login, password_validation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts import setup
from omnicanal.accounts.models import Language, User
from omnicanal.core.exceptions import Conflict


class FirstAdministratorForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), help_text=_("You log in with it."))
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(
            lambda: " ".join(password_validation.password_validators_help_texts()), str
        )(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


@require_http_methods(["GET", "POST"])
def setup_page(request: HttpRequest) -> HttpResponse:
    if not setup.setup_needed():
        raise Http404
    if request.method == "POST":
        form = FirstAdministratorForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = setup.create_first_administrator(
                    name=data["name"], email=data["email"], password=data["password1"],
                    language=data["language"],
                )
            except Conflict as exc:
                # Someone else's submission won the race.
                raise Http404 from exc
            login(request, user)
            # Step 2: the first inbox, on the settings' inbox page (named, not imported).
            return HttpResponseRedirect(reverse("web:settings_inboxes_new") + "?welcome=1")
    else:
        language = (get_language() or "fr")[:2]
        form = FirstAdministratorForm(
            initial={"language": language if language in Language.values else Language.FRENCH}
        )
    return render(request, "accounts/setup.html", {"form": form})
