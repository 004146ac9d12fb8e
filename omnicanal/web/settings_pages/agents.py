"""Settings → Agents (administrators): the team's accounts, invitations, and how much work of
each kind each agent takes and with which skills.

Account changes go through `accounts.agents`; capacity and skills through routing's
`configure_agent`, their one writer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts import agents as agent_actions
from omnicanal.accounts.decorators import (
    HtmxHttpRequest,
    administrator_required,
    request_agent,
)
from omnicanal.accounts.models import Language, Role, Team, User
from omnicanal.connectors.registry import all_adapters
from omnicanal.core.exceptions import DomainError, InvalidInput
from omnicanal.routing import actions as routing_actions
from omnicanal.routing.models import AgentProfile, Presence

# The kinds of work capacity is counted in, as people call them.
WORK_KIND_LABELS = {
    "chat": _("Chat and messaging"),
    "email": _("E-mail"),
    "voice": _("Phone calls"),
}
SKILL_LEVELS = [(level, str(level)) for level in range(1, 6)]
MAX_CAPACITY = 100


def work_kinds() -> list[str]:
    kinds = {adapter.work_kind for adapter in all_adapters()}
    kinds |= set(routing_actions.default_capacity())
    order = list(WORK_KIND_LABELS)
    return sorted(kinds, key=lambda kind: (order.index(kind) if kind in order else 99, kind))


def _teams_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, initial=Role.AGENT,
        help_text=_("Supervisors also see the queues and manage labels and answers; "
                    "administrators manage every setting."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, initial=Language.FRENCH,
        help_text=_("Of the invitation e-mail and of the workspace."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"] = _teams_field()


class AgentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    is_active = forms.BooleanField(
        label=_("Active: can log in and receive conversations"), required=False,
        help_text=_("A deactivated agent cannot log in and gets no new conversation; what "
                    "they hold stays assigned to them."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"] = _teams_field()


class RoutingForm(forms.Form):
    """One number per kind of work, then skill rows (name, level 1 to 5)."""

    def __init__(self, *args: Any, skill_rows: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in work_kinds():
            self.fields[f"capacity_{kind}"] = forms.IntegerField(
                label=WORK_KIND_LABELS.get(kind, kind), min_value=0, max_value=MAX_CAPACITY,
            )
        self.skill_rows = skill_rows
        for index in range(skill_rows):
            self.fields[f"skill_{index}"] = forms.CharField(
                label=_("Skill"), max_length=50, required=False,
            )
            self.fields[f"level_{index}"] = forms.TypedChoiceField(
                label=_("Level"), choices=SKILL_LEVELS, coerce=int, initial=3, required=False,
            )

    @classmethod
    def for_profile(
        cls, profile: AgentProfile | None, data: Any = None
    ) -> RoutingForm:
        if profile is None:
            capacity = routing_actions.default_capacity()
            skills: dict[str, float] = {}
        else:
            capacity = {row.channel: row.capacity for row in profile.capacities.all()}
            skills = dict(profile.skills)
        initial: dict[str, Any] = {
            f"capacity_{kind}": capacity.get(kind, 0) for kind in work_kinds()
        }
        for index, (name, level) in enumerate(sorted(skills.items())):
            initial[f"skill_{index}"] = name
            initial[f"level_{index}"] = int(level)
        rows = len(skills) + 2
        if data is not None:
            # As many rows as the page sent, so that none typed in is dropped.
            rows = max(rows, sum(1 for key in data if key.startswith("skill_")))
        return cls(data, initial=initial, skill_rows=rows)

    def capacity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("capacity_")]

    def skill_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"skill_{i}"], self[f"level_{i}"]) for i in range(self.skill_rows)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        skills: dict[str, float] = {}
        for index in range(self.skill_rows):
            name = (cleaned.get(f"skill_{index}") or "").strip().lower()
            if not name:
                continue
            if name in skills:
                self.add_error(f"skill_{index}", gettext("This skill is listed twice."))
            skills[name] = cleaned.get(f"level_{index}") or 3
        cleaned["skills"] = skills
        cleaned["capacity"] = {
            kind: cleaned[f"capacity_{kind}"] for kind in work_kinds()
            if cleaned.get(f"capacity_{kind}") is not None
        }
        return cleaned


def _base_url(request: HtmxHttpRequest) -> str:
    return request.build_absolute_uri("/")


def _context(**values: Any) -> dict[str, Any]:
    return {
        "section": "settings", "mail_configured": bool(settings.EMAIL_HOST),
        "expiry_days": settings.INVITATION_EXPIRY_DAYS, **values,
    }


@require_GET
@administrator_required
def agents_page(request: HtmxHttpRequest) -> HttpResponse:
    people = (
        User.objects.order_by("name", "email")
        .select_related("routing_profile")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
    )
    rows = [
        {
            "agent": person,
            "state": agent_actions.agent_state(person).value,
            "presence": getattr(getattr(person, "routing_profile", None), "presence",
                                Presence.OFFLINE),
        }
        for person in people
    ]
    return render(request, "web/settings/agents.html", _context(
        rows=rows, presence_labels=dict(Presence.choices),
    ))


@require_http_methods(["GET", "POST"])
@administrator_required
def invite_page(request: HtmxHttpRequest) -> HttpResponseBase:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = agent_actions.invite_agent(
                request_agent(request),
                email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                role=form.cleaned_data["role"], language=form.cleaned_data["language"],
                teams=list(form.cleaned_data["teams"]), base_url=_base_url(request),
            )
        except InvalidInput as error:
            form.add_error("email", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, gettext("Invitation sent to %(email)s.")
                             % {"email": invited.email})
            return redirect("web:settings_agents_edit", pk=invited.pk)
    return render(request, "web/settings/agent_invite.html", _context(form=form))


@require_http_methods(["GET", "POST"])
@administrator_required
def edit_page(request: HtmxHttpRequest, pk: int) -> HttpResponseBase:
    person = get_object_or_404(User, pk=pk)
    profile = AgentProfile.objects.filter(pk=person.pk).prefetch_related("capacities").first()
    account_form = AgentForm(initial={
        "name": person.name, "role": person.role, "language": person.language,
        "is_active": person.is_active, "teams": list(person.teams.all()),
    })
    routing_form = RoutingForm.for_profile(profile)
    if request.method == "POST" and request.POST.get("form") == "routing":
        routing_form = RoutingForm.for_profile(profile, request.POST)
        if routing_form.is_valid():
            try:
                routing_actions.configure_agent(
                    person, capacity=routing_form.cleaned_data["capacity"],
                    skills=routing_form.cleaned_data["skills"], actor=request_agent(request),
                )
            except DomainError as error:
                routing_form.add_error(None, error.message)
            else:
                messages.success(request, gettext("Capacity and skills saved."))
                return redirect("web:settings_agents_edit", pk=person.pk)
    elif request.method == "POST":
        account_form = AgentForm(request.POST)
        if account_form.is_valid():
            data = account_form.cleaned_data
            try:
                agent_actions.update_agent(
                    request_agent(request), person, name=data["name"], role=data["role"],
                    language=data["language"], teams=list(data["teams"]),
                    is_active=data["is_active"],
                )
            except DomainError as error:
                account_form.add_error(None, error.message)
            else:
                messages.success(request, gettext("Agent saved."))
                return redirect("web:settings_agents_edit", pk=person.pk)
    state = agent_actions.agent_state(person).value
    return render(request, "web/settings/agent_edit.html", _context(
        person=person, state=state, account_form=account_form, routing_form=routing_form,
        invitation_link=(
            request.build_absolute_uri(agent_actions.invitation_path(person))
            if state == "invited" else ""
        ),
    ))


@require_POST
@administrator_required
def resend_invitation(request: HtmxHttpRequest, pk: int) -> HttpResponseBase:
    person = get_object_or_404(User, pk=pk)
    try:
        agent_actions.resend_invitation(request_agent(request), person,
                                        base_url=_base_url(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("A new invitation was sent to %(email)s; the "
                                          "previous link no longer works.")
                         % {"email": person.email})
    return redirect("web:settings_agents_edit", pk=person.pk)


@require_POST
@administrator_required
def revoke_invitation(request: HtmxHttpRequest, pk: int) -> HttpResponseBase:
    person = get_object_or_404(User, pk=pk)
    try:
        agent_actions.revoke_invitation(request_agent(request), person)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:settings_agents_edit", pk=person.pk)
    messages.success(request, gettext("The invitation to %(email)s was withdrawn.")
                     % {"email": person.email})
    return redirect("web:settings_agents")


urlpatterns = [
    path("settings/agents/", agents_page, name="settings_agents"),
    path("settings/agents/invite/", invite_page, name="settings_agents_invite"),
    path("settings/agents/<int:pk>/", edit_page, name="settings_agents_edit"),
    path("settings/agents/<int:pk>/resend/", resend_invitation,
         name="settings_agents_resend"),
    path("settings/agents/<int:pk>/revoke/", revoke_invitation,
         name="settings_agents_revoke"),
]
