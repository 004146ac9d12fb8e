"""Settings → Business hours: business calendars (weekly hours in a time zone, public holidays,
special days), for administrators.

Thin: the forms read the input, `routing.service_levels` checks it as the engine reads it and
writes with an audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.accounts.models import Team
from omnicanal.core.exceptions import Conflict
from omnicanal.routing import service_levels
from omnicanal.routing.business_hours import Interval
from omnicanal.routing.models import BusinessCalendar, SpecialDay, Weekday

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Ranges a weekday shows in the grid: a morning and an afternoon; more if a day has them.
GRID_RANGES = 2
EN_DASH = "\u2013"


class CalendarForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Opening hours are read on this zone's clock, summer time "
                               "included."),
    )
    holiday_country = forms.ChoiceField(
        label=gettext_lazy("Public holidays of"), required=False,
        help_text=gettext_lazy("The calendar closes on this country's public holidays."),
    )
    holiday_subdivision = forms.CharField(
        label=gettext_lazy("Region"), max_length=40, required=False,
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams on this calendar"), required=False,
        queryset=Team.objects.order_by("name"), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("A team has one calendar: ticking it here moves it from its "
                               "current one. Teams left out use the default calendar."),
    )
    is_default = forms.BooleanField(
        label=gettext_lazy("Default calendar"), required=False,
        help_text=gettext_lazy("Used for conversations whose team has no calendar of its own. "
                               "Without a default, their SLA clocks run around the clock."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = service_levels.time_zone_choices()
        country = self.fields["holiday_country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", gettext_lazy("— no public holidays —")),
                           *service_levels.holiday_country_choices()]
        if not Team.objects.exists():
            del self.fields["teams"]
        code = self["holiday_country"].value() or ""
        subdivisions = service_levels.holiday_subdivisions(str(code))
        self.fields["holiday_subdivision"].help_text = (
            gettext("Empty for the whole country. Known regions: %(codes)s.")
            % {"codes": ", ".join(subdivisions)} if subdivisions
            else gettext("Empty for the whole country.")
        )


class WeekForm(forms.Form):
    """The week as a grid: each day open or closed, and its ranges (a closing time before
    the opening time is on the next day)."""

    def __init__(self, *args: Any, ranges: int = GRID_RANGES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ranges = ranges
        for weekday in Weekday:
            self.fields[f"d{weekday.value}_open"] = forms.BooleanField(
                label=gettext_lazy("Open on %(day)s") % {"day": weekday.label}, required=False
            )
            for index in range(ranges):
                self.fields[f"d{weekday.value}_opens{index}"] = forms.TimeField(
                    label=gettext_lazy("Opens"), required=False, widget=TIME_WIDGET
                )
                self.fields[f"d{weekday.value}_closes{index}"] = forms.TimeField(
                    label=gettext_lazy("Closes"), required=False, widget=TIME_WIDGET
                )

    @classmethod
    def initial_for(cls, week: dict[int, list[Interval]]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for weekday, intervals in week.items():
            initial[f"d{weekday}_open"] = bool(intervals)
            for index, (opens, closes) in enumerate(sorted(intervals)):
                initial[f"d{weekday}_opens{index}"] = opens
                initial[f"d{weekday}_closes{index}"] = closes
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for weekday in Weekday.values:
            if not data.get(f"d{weekday}_open"):
                continue
            pairs = [(data.get(f"d{weekday}_opens{i}"), data.get(f"d{weekday}_closes{i}"))
                     for i in range(self.ranges)]
            if any((opens is None) != (closes is None) for opens, closes in pairs):
                self.add_error(f"d{weekday}_open",
                               gettext("Enter both the opening and the closing time."))
            elif all(opens is None for opens, _ in pairs):
                self.add_error(f"d{weekday}_open",
                               gettext("Enter the hours, or mark the day closed."))
        return data

    def week(self) -> dict[int, list[Interval]]:
        data = self.cleaned_data
        week: dict[int, list[Interval]] = {}
        for weekday in Weekday.values:
            intervals: list[Interval] = []
            if data.get(f"d{weekday}_open"):
                for index in range(self.ranges):
                    opens = data.get(f"d{weekday}_opens{index}")
                    closes = data.get(f"d{weekday}_closes{index}")
                    if opens is not None and closes is not None:
                        intervals.append((opens, closes))
            week[weekday] = intervals
        return week

    def rows(self) -> list[dict[str, Any]]:
        """One row per weekday for the template: the day's switch, its ranges, its errors."""
        rows = []
        for weekday in Weekday:
            day = weekday.value
            rows.append({
                "label": weekday.label,
                "open": self[f"d{day}_open"],
                "ranges": [(self[f"d{day}_opens{i}"], self[f"d{day}_closes{i}"])
                           for i in range(self.ranges)],
                "errors": self.errors.get(f"d{day}_open", []),
            })
        return rows


class SpecialDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"),
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    opens_at = forms.TimeField(label=gettext_lazy("Opens"), required=False, widget=TIME_WIDGET)
    closes_at = forms.TimeField(label=gettext_lazy("Closes"), required=False, widget=TIME_WIDGET,
                                help_text=gettext_lazy("No hours: closed all day."))


def _list_url() -> str:
    return reverse("web:settings_hours")


def _edit_url(calendar: BusinessCalendar) -> str:
    return reverse("web:settings_hours_edit", args=[calendar.pk])


def week_lines(week: dict[int, list[Interval]]) -> list[tuple[str, str]]:
    """The week in a few lines, consecutive days with the same hours together:
    ("Monday to Friday" with "09:00 to 12:30, 13:30 to 18:00"), ("Saturday to Sunday",
    "Closed"); joined with an en dash."""
    lines: list[tuple[str, str]] = []
    runs: list[tuple[int, int, str]] = []
    for weekday in Weekday.values:
        hours = ", ".join(f"{opens:%H:%M}{EN_DASH}{closes:%H:%M}" for opens, closes in
                          sorted(week.get(weekday, []))) or gettext("Closed")
        if runs and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], weekday, hours)
        else:
            runs.append((weekday, weekday, hours))
    for first, last, hours in runs:
        days = str(Weekday(first).label)
        if last != first:
            days += f" {EN_DASH} " + str(Weekday(last).label)
        lines.append((days, hours))
    return lines


@require_GET
@administrator_required
def hours_page(request: HtmxHttpRequest) -> HttpResponse:
    calendars: list[dict[str, Any]] = []
    for calendar in BusinessCalendar.objects.prefetch_related("opening_hours", "special_days"):
        calendars.append({
            "calendar": calendar,
            "week": week_lines(service_levels.calendar_week(calendar)),
            "use": service_levels.calendar_use(calendar),
            "special_days": len(calendar.special_days.all()),
        })
    return render(request, "web/settings/hours.html", {
        "section": "settings", "calendars": calendars,
        "has_default": any(row["calendar"].is_default for row in calendars),
    })


def _team_ids(calendar: BusinessCalendar) -> list[int]:
    return [team.pk for team in service_levels.calendar_use(calendar).teams]


def _ranges_for(calendar: BusinessCalendar | None) -> int:
    if calendar is None:
        return GRID_RANGES
    week = service_levels.calendar_week(calendar)
    return max(GRID_RANGES, *(len(intervals) for intervals in week.values()))


@require_http_methods(["GET", "POST"])
@administrator_required
def calendar_form(request: HtmxHttpRequest, calendar_id: int | None = None) -> HttpResponse:
    calendar = (get_object_or_404(BusinessCalendar, pk=calendar_id)
                if calendar_id is not None else None)
    ranges = _ranges_for(calendar)
    if request.method == "POST":
        form = CalendarForm(request.POST)
        week_form = WeekForm(request.POST, ranges=ranges)
        if form.is_valid() and week_form.is_valid():
            try:
                data = dict(form.cleaned_data)
                teams = data.pop("teams", None)
                saved = service_levels.save_calendar(
                    request_agent(request), calendar_id=calendar_id, week=week_form.week(),
                    team_ids=None if teams is None else [team.pk for team in teams], **data,
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    if field.startswith("weekday_"):
                        week_form.add_error(f"d{field.removeprefix('weekday_')}_open",
                                            field_errors)
                    elif field in form.fields:
                        form.add_error(field, field_errors)
                    else:
                        form.add_error(None, field_errors)
            else:
                messages.success(request, gettext("Calendar “%(name)s” saved.")
                                 % {"name": saved.name})
                return HttpResponseRedirect(_edit_url(saved))
    elif calendar is not None:
        form = CalendarForm(initial={
            "name": calendar.name, "time_zone": calendar.time_zone,
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
            "is_default": calendar.is_default, "teams": _team_ids(calendar),
        })
        week_form = WeekForm(
            initial=WeekForm.initial_for(service_levels.calendar_week(calendar)), ranges=ranges
        )
    else:
        form = CalendarForm(initial={
            "time_zone": service_levels.FIRST_TIME_ZONE, "holiday_country": "FR",
            "is_default": not BusinessCalendar.objects.filter(is_default=True).exists(),
        })
        # A new calendar starts as an office week: Monday to Friday, 9:00 to 18:00.
        office = {day: [(dt.time(9), dt.time(18))] if day < 5 else [] for day in Weekday.values}
        week_form = WeekForm(initial=WeekForm.initial_for(office), ranges=ranges)
    return _calendar_page(request, calendar, form, week_form, SpecialDayForm())


def _calendar_page(
    request: HtmxHttpRequest, calendar: BusinessCalendar | None, form: CalendarForm,
    week_form: WeekForm, special_form: SpecialDayForm, status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "section": "settings", "calendar": calendar, "form": form, "week_form": week_form,
        "special_form": special_form,
    }
    if calendar is not None:
        today = timezone.localdate()
        context.update({
            "use": service_levels.calendar_use(calendar),
            "special_days": SpecialDay.objects.filter(calendar=calendar, date__gte=today
                                                      - dt.timedelta(days=7)),
            "holidays": service_levels.upcoming_holidays(
                calendar.holiday_country, calendar.holiday_subdivision, today=today,
                language=get_language() or "",
            ),
        })
    return render(request, "web/settings/hours_form.html", context, status=status)


@require_POST
@administrator_required
def calendar_delete(request: HtmxHttpRequest, calendar_id: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=calendar_id)
    try:
        service_levels.delete_calendar(request_agent(request), calendar_id)
    except Conflict as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(_edit_url(calendar) + "#delete-title")
    messages.success(request, gettext("Calendar “%(name)s” deleted.") % {"name": calendar.name})
    return HttpResponseRedirect(_list_url())


@require_POST
@administrator_required
def special_day_add(request: HtmxHttpRequest, calendar_id: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=calendar_id)
    special_form = SpecialDayForm(request.POST)
    if special_form.is_valid():
        try:
            service_levels.add_special_day(request_agent(request), calendar_id,
                                           **special_form.cleaned_data)
        except ValidationError as error:
            special_form.add_error(None, error)
        else:
            messages.success(request, gettext("Special day added."))
            return HttpResponseRedirect(_edit_url(calendar) + "#special-days-title")
    form = CalendarForm(initial={
        "name": calendar.name, "time_zone": calendar.time_zone,
        "holiday_country": calendar.holiday_country,
        "holiday_subdivision": calendar.holiday_subdivision, "is_default": calendar.is_default,
        "teams": _team_ids(calendar),
    })
    week_form = WeekForm(initial=WeekForm.initial_for(service_levels.calendar_week(calendar)),
                         ranges=_ranges_for(calendar))
    return _calendar_page(request, calendar, form, week_form, special_form)


@require_POST
@administrator_required
def special_day_delete(request: HtmxHttpRequest, calendar_id: int, day_id: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=calendar_id)
    service_levels.delete_special_day(request_agent(request), calendar_id, day_id)
    messages.success(request, gettext("Special day deleted."))
    return HttpResponseRedirect(_edit_url(calendar) + "#special-days-title")


urlpatterns = [
    path("settings/hours/", hours_page, name="settings_hours"),
    path("settings/hours/new/", calendar_form, name="settings_hours_new"),
    path("settings/hours/<int:calendar_id>/", calendar_form, name="settings_hours_edit"),
    path("settings/hours/<int:calendar_id>/delete/", calendar_delete,
         name="settings_hours_delete"),
    path("settings/hours/<int:calendar_id>/special-days/", special_day_add,
         name="settings_hours_special_day"),
    path("settings/hours/<int:calendar_id>/special-days/<int:day_id>/delete/",
         special_day_delete, name="settings_hours_special_day_delete"),
]
