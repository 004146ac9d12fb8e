"""The agent's own page: name, language, signatures, photo, password; a way to
notifications.

Every logged-in agent has one, whatever the role. Three forms on one page, each posted with
its own `form` value; the writes are `accounts.profile`'s and `accounts.photos`'.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts import photos, profile
from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.accounts.models import Language, SendShortcut, User
from omnicanal.core.exceptions import InvalidInput

SIGNATURE_PREFIX = "signature_"
# An e-mail signature runs to a few lines (name, team, phone); a chat sign-off to one.
SIGNATURE_ROWS = {"email": 4}
SIGNATURE_HELP = {"email": _("Added under every e-mail reply you send.")}
OTHER_SIGNATURE_HELP = _("Added under your replies on this channel; leave it empty for none.")


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=profile.NAME_MAX_LENGTH,
                           help_text=_("How colleagues and customers see you."))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices,
                                 help_text=_("The workspace changes language as soon as you save."))
    send_shortcut = forms.ChoiceField(
        label=_("Sending a reply"), choices=SendShortcut.choices,
        help_text=_("Shift+Enter always adds a line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for channel, label in profile.SIGNATURE_CHANNELS.items():
            self.fields[SIGNATURE_PREFIX + channel] = forms.CharField(
                label=label,
                required=False,
                max_length=profile.SIGNATURE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": SIGNATURE_ROWS.get(channel, 2)}),
                help_text=SIGNATURE_HELP.get(channel, OTHER_SIGNATURE_HELP),
            )

    def signature_fields(self) -> list[forms.BoundField]:
        return [self[SIGNATURE_PREFIX + channel] for channel in profile.SIGNATURE_CHANNELS]

    def signatures(self) -> dict[str, str]:
        return {
            channel: self.cleaned_data[SIGNATURE_PREFIX + channel]
            for channel in profile.SIGNATURE_CHANNELS
        }


class ProfilePasswordForm(PasswordChangeForm):
    """Django's form (its validators, its translated labels and errors), with the rules as
    one line of help: Django's HTML list does not fit beside a field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
        # The page opens on the agent's details, not in the password box.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class ProfilePhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("New photo"),
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB; square looks best. Customers see "
                    "it beside your replies in the web chat."),
        widget=forms.FileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )


def _photo_post(request: HtmxHttpRequest, agent: User) -> tuple[ProfilePhotoForm, bool]:
    """The photo form's POST: upload (`photo`) or remove (`remove`). True when done."""
    if request.POST.get("remove"):
        photos.remove_photo(agent)
        messages.success(request, gettext("Your photo is removed."))
        return ProfilePhotoForm(), True
    form = ProfilePhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, False
    try:
        photos.set_photo(agent, form.cleaned_data["photo"])
    except InvalidInput as exc:
        form.add_error("photo", exc.message)
        return form, False
    messages.success(request, gettext("Your photo is saved."))
    return form, True


def _profile_initial(agent: User) -> dict[str, Any]:
    initial: dict[str, Any] = {"name": agent.name, "language": agent.language,
                               "send_shortcut": agent.send_shortcut}
    for channel in profile.SIGNATURE_CHANNELS:
        initial[SIGNATURE_PREFIX + channel] = (agent.signatures or {}).get(channel, "")
    return initial


@require_http_methods(["GET", "POST"])
@agent_required
def profile_page(request: HtmxHttpRequest) -> HttpResponse:
    agent = request_agent(request)
    profile_form = ProfileForm(initial=_profile_initial(agent))
    password_form = ProfilePasswordForm(agent)
    photo_form = ProfilePhotoForm()
    if request.method == "POST" and request.POST.get("form") == "photo":
        photo_form, done = _photo_post(request, agent)
        if done:
            return HttpResponseRedirect(reverse("web:profile"))
    elif request.method == "POST" and request.POST.get("form") == "password":
        password_form = ProfilePasswordForm(agent, request.POST)
        if password_form.is_valid():
            try:
                profile.change_password(
                    agent,
                    current=password_form.cleaned_data["old_password"],
                    new=password_form.cleaned_data["new_password1"],
                )
            except InvalidInput as exc:
                password_form.add_error(None, exc.message)
            else:
                # This session stays logged in; the agent's other sessions end.
                update_session_auth_hash(request, agent)
                messages.success(request, gettext("Your password is changed."))
                return HttpResponseRedirect(reverse("web:profile"))
    elif request.method == "POST":
        profile_form = ProfileForm(request.POST)
        if profile_form.is_valid():
            try:
                profile.update_profile(
                    agent,
                    name=profile_form.cleaned_data["name"],
                    language=profile_form.cleaned_data["language"],
                    signatures=profile_form.signatures(),
                )
                profile.set_send_shortcut(agent, profile_form.cleaned_data["send_shortcut"])
            except InvalidInput as exc:
                profile_form.add_error(None, exc.message)
            else:
                # The confirmation already in the language just chosen, like the next page.
                translation.activate(agent.language)
                messages.success(request, gettext("Your profile is saved."))
                return HttpResponseRedirect(reverse("web:profile"))
    return render(request, "web/profile.html", {
        "section": "profile",
        "profile_form": profile_form,
        "password_form": password_form,
        "photo_form": photo_form,
        "photo_url": photos.photo_url(agent),
    })
