"""Settings → SLA policies: the policies and their order (the first that matches applies),
for administrators.

Thin: the form reads durations as H:MM, `routing.service_levels` checks the rest with the
model's own validation and writes with an audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.accounts.models import Team
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import Inbox, Priority
from omnicanal.routing import service_levels
from omnicanal.routing.models import SlaPolicy

DURATION = re.compile(r"^\s*(\d{1,4})\s*(?:[:h]\s*([0-5]?\d)?)?\s*(?:min)?\s*$", re.IGNORECASE)


class DurationField(forms.CharField):
    """Hours and minutes as H:MM ("0:30", "4:00", "24:00"); "4" is four hours, "1h30" is
    read too. Empty: no target."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "class": "duration", "placeholder": gettext_lazy("h:mm"), "inputmode": "numeric",
            "autocomplete": "off",
        }))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.timedelta):
            return service_levels.format_duration(value)
        return value

    def to_python(self, value: Any) -> dt.timedelta | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        match = DURATION.match(text)
        if match is None:
            raise ValidationError(gettext("Enter hours and minutes as h:mm, for example 1:30."),
                                  code="invalid")
        return dt.timedelta(hours=int(match[1]), minutes=int(match[2] or 0))


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"), required=False, coerce=int, empty_value=None
    )
    value_tier = forms.ChoiceField(label=gettext_lazy("Customer value"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), required=False, queryset=Team.objects.order_by("name"),
        empty_label=gettext_lazy("Any team"),
    )
    inbox = forms.ModelChoiceField(
        label=gettext_lazy("Inbox"), required=False, queryset=Inbox.objects.order_by("name"),
        empty_label=gettext_lazy("Any inbox"),
    )
    first_response_time = DurationField(
        label=gettext_lazy("First response"),
        help_text=gettext_lazy("From the customer's first message to the first human reply."),
    )
    next_response_time = DurationField(
        label=gettext_lazy("Next response"),
        help_text=gettext_lazy("From each later customer message to our reply."),
    )
    resolution_time = DurationField(
        label=gettext_lazy("Resolution"),
        help_text=gettext_lazy("From the first message to resolved; pending time does not "
                               "count."),
    )
    warning_percent = forms.IntegerField(
        label=gettext_lazy("Warn at this percentage of the target"), required=False,
        min_value=1, max_value=99, widget=forms.NumberInput(attrs={"class": "duration"}),
    )
    warning_before = DurationField(
        label=gettext_lazy("Or this long before the deadline"),
        help_text=gettext_lazy("Business time; the earlier of the two warnings wins."),
    )

    CONDITIONS = ("priority", "value_tier", "channel", "team", "inbox")
    TARGETS = ("first_response_time", "next_response_time", "resolution_time")
    WARNING = ("warning_percent", "warning_before")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel_field = SlaPolicy._meta.get_field("channel")
        for name, any_label, choices in (
            ("priority", gettext_lazy("Any priority"), Priority.choices),
            ("value_tier", gettext_lazy("Any customer"), ValueTier.choices),
            ("channel", gettext_lazy("Any channel"), channel_field.choices),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", any_label), *(choices or [])]

    def group(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def condition_fields(self) -> list[forms.BoundField]:
        return self.group(self.CONDITIONS)

    def target_fields(self) -> list[forms.BoundField]:
        return self.group(self.TARGETS)

    def warning_fields(self) -> list[forms.BoundField]:
        return self.group(self.WARNING)

    def terms(self) -> service_levels.PolicyTerms:
        data = self.cleaned_data
        return service_levels.PolicyTerms(
            name=data["name"], is_active=data["is_active"], priority=data["priority"],
            value_tier=data["value_tier"], channel=data["channel"],
            team_id=data["team"].pk if data["team"] else None,
            inbox_id=data["inbox"].pk if data["inbox"] else None,
            first_response_time=data["first_response_time"],
            next_response_time=data["next_response_time"],
            resolution_time=data["resolution_time"],
            warning_percent=data["warning_percent"], warning_before=data["warning_before"],
        )


def spoken_duration(duration: dt.timedelta) -> str:
    """A target as the list shows it: "30 min", "4 h", "1 h 30"."""
    minutes = int(duration.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return gettext("%(minutes)s min") % {"minutes": minutes}
    if not minutes:
        return gettext("%(hours)s h") % {"hours": hours}
    return gettext("%(hours)s h %(minutes)02d") % {"hours": hours, "minutes": minutes}


def _initial(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name, "is_active": policy.is_active, "priority": policy.priority,
        "value_tier": policy.value_tier, "channel": policy.channel, "team": policy.team_id,
        "inbox": policy.inbox_id, "first_response_time": policy.first_response_time,
        "next_response_time": policy.next_response_time,
        "resolution_time": policy.resolution_time, "warning_percent": policy.warning_percent,
        "warning_before": policy.warning_before,
    }


def conditions(policy: SlaPolicy) -> list[str]:
    """The set conditions in words ("Priority: Urgent"); none: every conversation."""
    words = []
    if policy.priority is not None:
        words.append(gettext("Priority: %(value)s") % {"value": policy.get_priority_display()})
    if policy.value_tier:
        words.append(gettext("Customer value: %(value)s")
                     % {"value": policy.get_value_tier_display()})
    if policy.channel:
        words.append(gettext("Channel: %(value)s") % {"value": policy.get_channel_display()})
    if policy.team is not None:
        words.append(gettext("Team: %(value)s") % {"value": policy.team.name})
    if policy.inbox is not None:
        words.append(gettext("Inbox: %(value)s") % {"value": policy.inbox.name})
    return words


def _list_url() -> str:
    return reverse("web:settings_sla")


@require_GET
@administrator_required
def sla_page(request: HtmxHttpRequest) -> HttpResponse:
    policies = list(SlaPolicy.objects.select_related("team", "inbox").order_by("position", "pk"))
    shadowed = service_levels.shadowing_policies(policies)
    rows = [
        {
            "policy": policy,
            "conditions": conditions(policy),
            "targets": [(label, spoken_duration(value)) for label, value in (
                (gettext("First response"), policy.first_response_time),
                (gettext("Next response"), policy.next_response_time),
                (gettext("Resolution"), policy.resolution_time),
            ) if value is not None],
            "shadowed_by": shadowed.get(policy.pk),
            "is_first": index == 0,
            "is_last": index == len(policies) - 1,
        }
        for index, policy in enumerate(policies)
    ]
    return render(request, "web/settings/sla.html", {"section": "settings", "rows": rows})


@require_http_methods(["GET", "POST"])
@administrator_required
def policy_form(request: HtmxHttpRequest, policy_id: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=policy_id) if policy_id is not None else None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                saved = service_levels.save_policy(
                    request_agent(request), form.terms(), policy_id=policy_id
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(request, gettext("SLA policy “%(name)s” saved.")
                                 % {"name": saved.name})
                return HttpResponseRedirect(_list_url())
    elif policy is not None:
        form = PolicyForm(initial=_initial(policy))
    else:
        form = PolicyForm(initial={"is_active": True, "warning_percent": 80})
    return render(request, "web/settings/sla_form.html", {
        "section": "settings", "policy": policy, "form": form,
    })


@require_POST
@administrator_required
def policy_move(request: HtmxHttpRequest, policy_id: int) -> HttpResponse:
    policy = service_levels.move_policy(
        request_agent(request), policy_id, up=request.POST.get("direction") == "up"
    )
    messages.success(request, gettext("“%(name)s” moved.") % {"name": policy.name})
    return HttpResponseRedirect(_list_url() + f"#policy-{policy.pk}")


@require_POST
@administrator_required
def policy_active(request: HtmxHttpRequest, policy_id: int) -> HttpResponse:
    policy = service_levels.set_policy_active(
        request_agent(request), policy_id, is_active=request.POST.get("is_active") == "1"
    )
    message = (gettext("“%(name)s” is active.") if policy.is_active
               else gettext("“%(name)s” is inactive."))
    messages.success(request, message % {"name": policy.name})
    return HttpResponseRedirect(_list_url() + f"#policy-{policy.pk}")


@require_POST
@administrator_required
def policy_delete(request: HtmxHttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    service_levels.delete_policy(request_agent(request), policy_id)
    messages.success(request, gettext("SLA policy “%(name)s” deleted.") % {"name": policy.name})
    return HttpResponseRedirect(_list_url())


urlpatterns = [
    path("settings/sla/", sla_page, name="settings_sla"),
    path("settings/sla/new/", policy_form, name="settings_sla_new"),
    path("settings/sla/<int:policy_id>/", policy_form, name="settings_sla_edit"),
    path("settings/sla/<int:policy_id>/move/", policy_move, name="settings_sla_move"),
    path("settings/sla/<int:policy_id>/active/", policy_active, name="settings_sla_active"),
    path("settings/sla/<int:policy_id>/delete/", policy_delete, name="settings_sla_delete"),
]
