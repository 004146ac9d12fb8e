"""Settings → Teams (administrators): the teams, their members, business calendar and
routing policy; deleting one says first what happens to its conversations."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import (
    HtmxHttpRequest,
    administrator_required,
    request_agent,
)
from omnicanal.accounts.models import Team, User
from omnicanal.core.exceptions import DomainError, InvalidField
from omnicanal.routing import teams as routing_teams
from omnicanal.routing.models import BusinessCalendar, Mode


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=User.objects.filter(is_active=True).order_by("name", "email"),
        help_text=_("Active agents. A conversation given to the team goes to one of them."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Business calendar"), required=False,
        queryset=BusinessCalendar.objects.order_by("name"),
        empty_label=_("The default calendar"),
        help_text=_("When the team works: its SLA clocks only run during these hours."),
    )
    mode = forms.ChoiceField(
        label=_("Routing"), required=False,
        choices=[(routing_teams.INHERIT, _("As the inbox (or the global policy)")),
                 *Mode.choices],
        help_text=_("How the team's conversations find an agent. “Manual”: they wait in the "
                    "queue and agents take them."),
    )
    has_value_priority = forms.BooleanField(
        label=_("Gold customers first"), required=False, initial=True,
        help_text=_("Among conversations of the same priority, gold customers go first."),
    )


def _show_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if isinstance(error, InvalidField) else None
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET"])
@administrator_required
def teams_page(request: HtmxHttpRequest) -> HttpResponse:
    teams = Team.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("name")
    calendars = routing_teams.calendars_by_team()
    policies = routing_teams.policies_by_team()
    rows = [(team, calendars.get(team.pk), policies.get(team.pk)) for team in teams]
    return render(request, "web/settings/teams.html", {"section": "settings", "rows": rows})


def _team_form_page(request: HtmxHttpRequest, team: Team | None) -> HttpResponse:
    actor = request_agent(request)
    if request.method == "POST":
        form = TeamForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = routing_teams.save_team(
                    actor, team, name=data["name"],
                    member_ids=[member.pk for member in data["members"]],
                    calendar=data["calendar"], mode=data["mode"],
                    has_value_priority=data["has_value_priority"],
                )
            except DomainError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, gettext("Team “%(name)s” saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("web:settings_teams"))
    elif team is not None:
        policy = routing_teams.policies_by_team().get(team.pk)
        form = TeamForm(initial={
            "name": team.name,
            "members": team.members.filter(is_active=True),
            "calendar": routing_teams.calendars_by_team().get(team.pk),
            "mode": policy.mode if policy else routing_teams.INHERIT,
            "has_value_priority": policy.has_value_priority if policy else True,
        })
    else:
        form = TeamForm()
    return render(request, "web/settings/team_form.html", {
        "section": "settings", "form": form, "team": team,
    }, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@administrator_required
def team_new(request: HtmxHttpRequest) -> HttpResponse:
    return _team_form_page(request, None)


@require_http_methods(["GET", "POST"])
@administrator_required
def team_edit(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    return _team_form_page(request, get_object_or_404(Team, pk=team_id))


@require_http_methods(["GET", "POST"])
@administrator_required
def team_delete(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    error = ""
    if request.method == "POST":
        try:
            routing_teams.delete_team(request_agent(request), team)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, gettext("Team “%(name)s” deleted.") % {"name": team.name})
            return HttpResponseRedirect(reverse("web:settings_teams"))
    return render(request, "web/settings/team_delete.html", {
        "section": "settings", "team": team, "deletion": routing_teams.team_deletion(team),
        "error": error,
    }, status=409 if error else 200)


urlpatterns = [
    path("settings/teams/", teams_page, name="settings_teams"),
    path("settings/teams/new/", team_new, name="settings_teams_new"),
    path("settings/teams/<int:team_id>/", team_edit, name="settings_teams_edit"),
    path("settings/teams/<int:team_id>/delete/", team_delete, name="settings_teams_delete"),
]
