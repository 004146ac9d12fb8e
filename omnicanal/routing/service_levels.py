"""Administrators set the service levels: business calendars (weekly hours, public holidays,
special days) and SLA policies with their order.

Every write checks the role, validates with the models' own checks (`full_clean`, so the
admin, this module and the engine agree) plus the rules of the week grid, and leaves an audit
entry in the same transaction. Errors come back as `ValidationError`s keyed by field, so the
page shows each beside its field.

What a change does to clocks already running is the engine's rule (`routing.sla`): a new
clock starts under the policies and calendar in force; a running clock takes a changed policy
or calendar when its conversation's priority or team changes next. Nothing here re-evaluates
running clocks: a deadline an agent has been working against does not jump on its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import available_timezones

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext, gettext_lazy

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import Conflict, NotFound
from omnicanal.routing.business_hours import Interval
from omnicanal.routing.models import (
    ACTIVE_CLOCK,
    BusinessCalendar,
    OpeningHours,
    SlaClock,
    SlaPolicy,
    SpecialDay,
    TeamCalendar,
    Weekday,
)
from omnicanal.routing.teams import set_team_calendar

FIRST_TIME_ZONE = "Europe/Paris"
MIDNIGHT = dt.time(0, 0)
MINUTES_PER_DAY = 24 * 60
# The step between policies' positions: room to insert one by hand in the admin.
POSITION_STEP = 10


# Choices the pages offer.


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone zoneinfo knows, Europe/Paris first, then alphabetical."""
    zones = sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")
    return [(FIRST_TIME_ZONE, FIRST_TIME_ZONE)] + [
        (zone, zone) for zone in zones if zone != FIRST_TIME_ZONE
    ]


def _spaced(class_name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)


def holiday_country_choices() -> list[tuple[str, str]]:
    """The countries the holidays package covers, by name (English, as the package names
    them), France first."""
    supported = holidays.list_supported_countries()
    countries = sorted(
        (f"{_spaced(entry[0])} ({entry[1]})", entry[1])
        for entry in holidays.registry.COUNTRIES.values()
        if entry[1] in supported
    )
    choices = [(code, label) for label, code in countries]
    france = [choice for choice in choices if choice[0] == "FR"]
    return france + [choice for choice in choices if choice[0] != "FR"]


def holiday_subdivisions(country: str) -> list[str]:
    if not country or country not in holidays.list_supported_countries():
        return []
    return list(holidays.country_holidays(country).subdivisions)


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str


def upcoming_holidays(
    country: str, subdivision: str = "", *, today: dt.date, language: str = "", count: int = 6
) -> list[Holiday]:
    """The next public holidays the calendar will close for, as the engine reads them, named
    in the page's language when the package has it."""
    if not country:
        return []
    entity = holidays.country_holidays(country, subdiv=subdivision or None)
    wanted = {"en": "en_US"}.get(language, language)
    languages = getattr(entity, "supported_languages", ()) or ()
    options: dict[str, Any] = {"language": wanted} if wanted in languages else {}
    calendar = holidays.country_holidays(
        country, subdiv=subdivision or None, years=[today.year, today.year + 1], **options
    )
    days = sorted((day, name) for day, name in calendar.items() if day >= today)
    return [Holiday(day, name) for day, name in days[:count]]


# Calendars.


@dataclass(frozen=True)
class CalendarUse:
    teams: list[Team]
    running_clocks: int

    @property
    def is_used(self) -> bool:
        return bool(self.teams) or self.running_clocks > 0


def calendar_use(calendar: BusinessCalendar) -> CalendarUse:
    team_ids = TeamCalendar.objects.filter(calendar=calendar).values("team_id")
    return CalendarUse(
        teams=list(Team.objects.filter(pk__in=team_ids).order_by("name")),
        running_clocks=SlaClock.objects.filter(ACTIVE_CLOCK, calendar=calendar).count(),
    )


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def interval_error(opens: dt.time, closes: dt.time) -> str | None:
    """What is wrong with one opening interval, read as the engine reads it: a closing time
    before the opening time is on the next day (a night shift), 0:00 to 0:00 is the whole day;
    any other equal pair would be 24 hours from an odd time, surely a typing mistake."""
    if opens == closes and opens != MIDNIGHT:
        return gettext("The closing time is the opening time. For a whole day, enter "
                       "00:00 to 00:00.")
    return None


def _span(opens: dt.time, closes: dt.time) -> tuple[int, int]:
    start, end = _minutes(opens), _minutes(closes)
    return start, end if end > start else end + MINUTES_PER_DAY


def intervals_error(intervals: Sequence[Interval]) -> str | None:
    """The first problem among one day's intervals: a bad interval, or two that overlap
    (the engine would merge them; on a settings page it is a typing mistake)."""
    for opens, closes in intervals:
        if (error := interval_error(opens, closes)) is not None:
            return error
    spans = sorted(_span(opens, closes) for opens, closes in intervals)
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start < end:
            return gettext("These hours overlap; each range must end before the next begins.")
    return None


def _week_errors(week: Mapping[int, Sequence[Interval]]) -> dict[str, str]:
    errors = {}
    for weekday, intervals in week.items():
        if (error := intervals_error(intervals)) is not None:
            errors[f"weekday_{weekday}"] = error
    return errors


def _locked_calendar(calendar_id: int) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.select_for_update().filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(gettext_lazy("No business calendar %(id)s."), id=calendar_id)
    return calendar


def week_summary(week: Mapping[int, Sequence[Interval]]) -> dict[str, list[str]]:
    return {
        str(weekday): [f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in week.get(weekday, ())]
        for weekday in Weekday.values
    }


def calendar_week(calendar: BusinessCalendar) -> dict[int, list[Interval]]:
    week: dict[int, list[Interval]] = {weekday: [] for weekday in Weekday.values}
    for hours in calendar.opening_hours.all():
        week[hours.weekday].append((hours.opens_at, hours.closes_at))
    return week


def save_calendar(
    user: User,
    *,
    name: str,
    time_zone: str,
    holiday_country: str,
    holiday_subdivision: str,
    is_default: bool,
    week: Mapping[int, Sequence[Interval]],
    calendar_id: int | None = None,
    team_ids: Sequence[int] | None = None,
) -> BusinessCalendar:
    """Create (no `calendar_id`) or change a calendar and replace its weekly hours. Making it
    the default takes the mark from the calendar that had it (there is one default).
    `team_ids` (when given) are the teams that use it: each moves from its previous calendar,
    and teams no longer listed fall back to the default calendar."""
    require_administrator(user)
    with transaction.atomic():
        calendar = BusinessCalendar() if calendar_id is None else _locked_calendar(calendar_id)
        calendar.name = name
        calendar.time_zone = time_zone
        calendar.holiday_country = holiday_country
        calendar.holiday_subdivision = holiday_subdivision if holiday_country else ""
        calendar.is_default = is_default
        errors: dict[str, Any] = {}
        try:
            # The one-default constraint holds once the old default lost the mark, below.
            calendar.full_clean(validate_constraints=False)
        except ValidationError as error:
            errors.update(error.message_dict)
        errors.update(_week_errors(week))
        if errors:
            raise ValidationError(errors)
        if is_default:
            BusinessCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk or 0).update(
                is_default=False
            )
        calendar.save()
        calendar.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=calendar, weekday=weekday, opens_at=opens, closes_at=closes)
            for weekday, intervals in sorted(week.items())
            for opens, closes in sorted(intervals)
        )
        audit: dict[str, Any] = {}
        if team_ids is not None:
            audit["teams"] = _link_teams(calendar, team_ids)
        record_audit(
            user, "business_calendar.created" if calendar_id is None
            else "business_calendar.updated", calendar,
            name=name, time_zone=time_zone, holiday_country=holiday_country,
            holiday_subdivision=calendar.holiday_subdivision, is_default=is_default,
            week=week_summary(week), **audit,
        )
    return calendar


def _link_teams(calendar: BusinessCalendar, team_ids: Sequence[int]) -> list[str]:
    """Make `team_ids` the teams on `calendar` (a team has one calendar); the names, for the
    audit entry."""
    teams = list(Team.objects.filter(pk__in=team_ids).order_by("name"))
    kept = {team.pk for team in teams}
    for link in TeamCalendar.objects.filter(calendar=calendar).select_related("team"):
        if link.team_id not in kept:
            set_team_calendar(link.team, None)
    for team in teams:
        set_team_calendar(team, calendar)
    return [team.name for team in teams]


def delete_calendar(user: User, calendar_id: int) -> None:
    """Delete a calendar nothing counts on. The default calendar and one a team uses are
    refused (their conversations would silently change hours); so is one that running
    clocks count on: they would go on around the clock."""
    require_administrator(user)
    with transaction.atomic():
        calendar = _locked_calendar(calendar_id)
        if calendar.is_default:
            raise Conflict(gettext_lazy(
                "This is the default calendar: make another calendar the default first."
            ))
        use = calendar_use(calendar)
        if use.teams:
            raise Conflict(
                gettext_lazy("Teams use this calendar (%(teams)s): give them another first."),
                teams=", ".join(team.name for team in use.teams),
            )
        if use.running_clocks:
            raise Conflict(
                gettext_lazy("%(count)s running SLA clocks count on this calendar; delete it "
                             "once they have stopped."),
                count=use.running_clocks,
            )
        record_audit(user, "business_calendar.deleted", calendar, name=calendar.name)
        calendar.delete()


def add_special_day(
    user: User,
    calendar_id: int,
    *,
    date: dt.date,
    name: str,
    opens_at: dt.time | None,
    closes_at: dt.time | None,
) -> SpecialDay:
    """A date whose hours differ from the week's: closed (no hours) or open these hours.
    Another range on a date already listed opens it once more; ranges may not overlap."""
    require_administrator(user)
    with transaction.atomic():
        calendar = _locked_calendar(calendar_id)
        day = SpecialDay(calendar=calendar, date=date, name=name, opens_at=opens_at,
                         closes_at=closes_at)
        errors: dict[str, Any] = {}
        if (opens_at is None) != (closes_at is None):
            missing = "closes_at" if closes_at is None else "opens_at"
            errors[missing] = gettext("Enter both times, or neither for a day closed.")
        same_date = list(SpecialDay.objects.filter(calendar=calendar, date=date))
        if opens_at is not None and closes_at is not None:
            if any(other.opens_at is None for other in same_date):
                errors["date"] = gettext("This date is already closed all day.")
            else:
                intervals = [(other.opens_at, other.closes_at) for other in same_date
                             if other.opens_at is not None and other.closes_at is not None]
                error = intervals_error([*intervals, (opens_at, closes_at)])
                if error is not None:
                    errors["closes_at"] = error
        elif same_date and not errors:
            errors["date"] = gettext("This date is already listed: delete it first to close "
                                     "the whole day.")
        try:
            day.full_clean()
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        day.save()
        record_audit(
            user, "special_day.added", calendar, date=date.isoformat(), name=name,
            opens_at=opens_at.strftime("%H:%M") if opens_at else None,
            closes_at=closes_at.strftime("%H:%M") if closes_at else None,
        )
    return day


def delete_special_day(user: User, calendar_id: int, special_day_id: int) -> None:
    require_administrator(user)
    with transaction.atomic():
        calendar = _locked_calendar(calendar_id)
        day = SpecialDay.objects.filter(calendar=calendar, pk=special_day_id).first()
        if day is None:
            raise NotFound(gettext_lazy("No special day %(id)s."), id=special_day_id)
        record_audit(user, "special_day.deleted", calendar, date=day.date.isoformat(),
                     name=day.name)
        day.delete()


# SLA policies.


@dataclass(frozen=True)
class PolicyTerms:
    """What a policy form sets: conditions (empty matches anything), targets, warning."""

    name: str
    is_active: bool = True
    priority: int | None = None
    value_tier: str = ""
    channel: str = ""
    team_id: int | None = None
    inbox_id: int | None = None
    first_response_time: dt.timedelta | None = None
    next_response_time: dt.timedelta | None = None
    resolution_time: dt.timedelta | None = None
    warning_percent: int | None = 80
    warning_before: dt.timedelta | None = None


def format_duration(duration: dt.timedelta | None) -> str:
    """H:MM (hours may pass 24: targets are in business time, a "day" is the calendar's)."""
    if duration is None:
        return ""
    minutes = int(duration.total_seconds()) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _locked_policy(policy_id: int) -> SlaPolicy:
    policy = SlaPolicy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(gettext_lazy("No SLA policy %(id)s."), id=policy_id)
    return policy


def _policy_audit(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name, "is_active": policy.is_active, "priority": policy.priority,
        "value_tier": policy.value_tier, "channel": policy.channel, "team": policy.team_id,
        "inbox": policy.inbox_id,
        "first_response": format_duration(policy.first_response_time),
        "next_response": format_duration(policy.next_response_time),
        "resolution": format_duration(policy.resolution_time),
        "warning_percent": policy.warning_percent,
        "warning_before": format_duration(policy.warning_before),
    }


def save_policy(user: User, terms: PolicyTerms, *, policy_id: int | None = None) -> SlaPolicy:
    """Create (no `policy_id`, placed last) or change a policy. It applies to clocks that
    start from now on (see the module's docstring)."""
    require_administrator(user)
    errors: dict[str, Any] = {}
    if terms.team_id is not None and not Team.objects.filter(pk=terms.team_id).exists():
        errors["team"] = gettext("This team no longer exists.")
    if terms.inbox_id is not None and not Inbox.objects.filter(pk=terms.inbox_id).exists():
        errors["inbox"] = gettext("This inbox no longer exists.")
    targets = (terms.first_response_time, terms.next_response_time, terms.resolution_time)
    if all(target is None for target in targets):
        errors["first_response_time"] = gettext(
            "Set at least one target: a policy without one measures but never warns."
        )
    for field, value in (("first_response_time", terms.first_response_time),
                         ("next_response_time", terms.next_response_time),
                         ("resolution_time", terms.resolution_time),
                         ("warning_before", terms.warning_before)):
        if value is not None and value <= dt.timedelta(0):
            errors[field] = gettext("Enter a duration longer than zero.")
    with transaction.atomic():
        if policy_id is None:
            last = SlaPolicy.objects.aggregate(last=Max("position"))["last"]
            policy = SlaPolicy(position=(last or 0) + POSITION_STEP)
        else:
            policy = _locked_policy(policy_id)
        policy.name = terms.name
        policy.is_active = terms.is_active
        policy.priority = terms.priority
        policy.value_tier = terms.value_tier
        policy.channel = terms.channel
        policy.team_id = terms.team_id
        policy.inbox_id = terms.inbox_id
        policy.first_response_time = terms.first_response_time
        policy.next_response_time = terms.next_response_time
        policy.resolution_time = terms.resolution_time
        policy.warning_percent = terms.warning_percent
        policy.warning_before = terms.warning_before
        try:
            policy.full_clean(exclude=["team", "inbox"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages)
        if errors:
            raise ValidationError(errors)
        policy.save()
        record_audit(user, "sla_policy.created" if policy_id is None else "sla_policy.updated",
                     policy, **_policy_audit(policy))
    return policy


def set_policy_active(user: User, policy_id: int, *, is_active: bool) -> SlaPolicy:
    require_administrator(user)
    with transaction.atomic():
        policy = _locked_policy(policy_id)
        policy.is_active = is_active
        policy.save(update_fields=["is_active"])
        record_audit(user, "sla_policy.activated" if is_active else "sla_policy.deactivated",
                     policy, name=policy.name)
    return policy


def move_policy(user: User, policy_id: int, *, up: bool) -> SlaPolicy:
    """Swap a policy with its neighbour above (or below), then number them all again in
    steps, so positions stay distinct whatever the admin left (ties are ordered by id, as
    `policy_for` orders them)."""
    require_administrator(user)
    with transaction.atomic():
        policies = list(SlaPolicy.objects.select_for_update().order_by("position", "pk"))
        index = next((i for i, policy in enumerate(policies) if policy.pk == policy_id), None)
        if index is None:
            raise NotFound(gettext_lazy("No SLA policy %(id)s."), id=policy_id)
        other = index - 1 if up else index + 1
        if 0 <= other < len(policies):
            policies[index], policies[other] = policies[other], policies[index]
        changed = []
        for number, policy in enumerate(policies, start=1):
            if policy.position != number * POSITION_STEP:
                policy.position = number * POSITION_STEP
                changed.append(policy)
        SlaPolicy.objects.bulk_update(changed, ["position"])
        moved = next(policy for policy in policies if policy.pk == policy_id)
        record_audit(user, "sla_policy.moved", moved, name=moved.name,
                     order=[policy.name for policy in policies])
    return moved


def delete_policy(user: User, policy_id: int) -> None:
    """Running clocks under it keep their targets until their conversation's priority or
    team changes; then they take the policy that matches (the engine's rule)."""
    require_administrator(user)
    with transaction.atomic():
        policy = _locked_policy(policy_id)
        record_audit(user, "sla_policy.deleted", policy, **_policy_audit(policy))
        policy.delete()


def _covers(above: SlaPolicy, below: SlaPolicy) -> bool:
    """Whether every conversation `below` matches is matched by `above` too."""
    pairs = ((above.priority, below.priority), (above.value_tier, below.value_tier),
             (above.channel, below.channel), (above.team_id, below.team_id),
             (above.inbox_id, below.inbox_id))
    return all(condition in (None, "") or condition == other for condition, other in pairs)


def shadowing_policies(policies: Sequence[SlaPolicy]) -> dict[int, SlaPolicy]:
    """For each active policy that can never apply, the active one above it that matches
    every conversation it would (a catch-all placed too high, a duplicate)."""
    shadowed: dict[int, SlaPolicy] = {}
    active = [policy for policy in policies if policy.is_active]
    for index, policy in enumerate(active):
        for above in active[:index]:
            if _covers(above, policy):
                shadowed[policy.pk] = above
                break
    return shadowed
