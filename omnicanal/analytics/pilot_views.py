"""Pilots at /reports/pilots/: the list, the form to name one, and its comparison page.
Supervisors and administrators only; agents get the 403 page saying why.

Thin: the form checks the input's shape, `analytics.pilots` saves and compares."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, supervisor_required
from omnicanal.accounts.decorators import request_agent as _user
from omnicanal.accounts.models import Team
from omnicanal.analytics import pilots
from omnicanal.analytics.models_pilots import GroupKind, Pilot
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import Inbox, Label

# A comparison reads every conversation of the period and as many before it: two years keeps
# the page answering in reasonable time and covers any sensible pilot.
LONGEST_PERIOD_DAYS = 366


def _group_choices() -> list[tuple[Any, Any]]:
    """One select for the group: the kind and the chosen one travel together as "kind:id"."""
    return [
        ("", gettext_lazy("Choose a group…")),
        (gettext_lazy("Teams"), [(f"team:{t.pk}", t.name) for t in Team.objects.order_by("name")]),
        (gettext_lazy("Inboxes"),
         [(f"inbox:{i.pk}", i.name) for i in Inbox.objects.order_by("name")]),
        (gettext_lazy("Labels"),
         [(f"label:{label.pk}", label.name) for label in Label.objects.order_by("name")]),
        (gettext_lazy("Customer segments"),
         [(f"segment:{value}", label) for value, label in ValueTier.choices]),
    ]


def _group_value(pilot: Pilot) -> str:
    identifier = {
        GroupKind.TEAM: pilot.team_id, GroupKind.INBOX: pilot.inbox_id,
        GroupKind.LABEL: pilot.label_id, GroupKind.SEGMENT: pilot.segment,
    }[GroupKind(pilot.group_kind)]
    return f"{pilot.group_kind}:{identifier}"


class PilotForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What changes for this group during the pilot."),
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Pilot group"),
        help_text=gettext_lazy("A label pilot covers every conversation carrying the label."),
    )
    # A date input shows only ISO values, whatever the page's language.
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = _group_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts_on, datetime.date) and isinstance(ends_on, datetime.date):
            if ends_on < starts_on:
                self.add_error("ends_on", gettext_lazy("The last day comes after the first."))
            elif (ends_on - starts_on).days >= LONGEST_PERIOD_DAYS:
                self.add_error("ends_on", gettext_lazy("A pilot lasts one year at most."))
        return data

    def fill(self, pilot: Pilot) -> Pilot:
        data = self.cleaned_data
        pilot.name, pilot.description = data["name"], data["description"]
        pilot.starts_on, pilot.ends_on = data["starts_on"], data["ends_on"]
        # The choice was one of the offered values, so it splits into a known kind and id.
        kind, _, identifier = data["group"].partition(":")
        pilot.group_kind = kind
        pilot.team_id = int(identifier) if kind == GroupKind.TEAM else None
        pilot.inbox_id = int(identifier) if kind == GroupKind.INBOX else None
        pilot.label_id = int(identifier) if kind == GroupKind.LABEL else None
        pilot.segment = identifier if kind == GroupKind.SEGMENT else ""
        return pilot


@supervisor_required
def pilot_list(request: HtmxHttpRequest) -> HttpResponse:
    rows = Pilot.objects.select_related("team", "inbox", "label", "created_by")
    return render(request, "analytics/pilot_list.html", {
        "section": "reports", "pilots": rows, "today": timezone.localdate(),
    })


@require_http_methods(["GET", "POST"])
@supervisor_required
def pilot_form(request: HtmxHttpRequest, pilot_id: int | None = None) -> HttpResponse:
    pilot = get_object_or_404(Pilot, pk=pilot_id) if pilot_id is not None else None
    if request.method == "POST":
        form = PilotForm(request.POST)
        if form.is_valid():
            saved = pilots.save_pilot(_user(request), form.fill(pilot or Pilot()))
            messages.success(request, gettext("Pilot “%(name)s” saved.") % {"name": saved.name})
            return HttpResponseRedirect(reverse("pilots:detail", args=[saved.pk]))
        status = 422
    else:
        initial = {
            "name": pilot.name, "description": pilot.description, "group": _group_value(pilot),
            "starts_on": pilot.starts_on, "ends_on": pilot.ends_on,
        } if pilot else {}
        form, status = PilotForm(initial=initial), 200
    return render(request, "analytics/pilot_form.html",
                  {"section": "reports", "form": form, "pilot": pilot}, status=status)


@supervisor_required
def pilot_detail(request: HtmxHttpRequest, pilot_id: int) -> HttpResponse:
    pilot = get_object_or_404(
        Pilot.objects.select_related("team", "inbox", "label", "created_by"), pk=pilot_id
    )
    return render(request, "analytics/pilot_detail.html", {
        "section": "reports", "pilot": pilot, "report": pilots.compare_pilot(pilot),
        "minimum_count": pilots.MINIMUM_COUNT,
    })
