"""Administrators' writes to business calendars and SLA policies: role, validation as the
engine reads hours, one audit entry per change, and the order policies are tried in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from omnicanal.accounts.models import AuditLogEntry, Team, User
from omnicanal.core.exceptions import Conflict, PermissionDenied
from omnicanal.routing import service_levels
from omnicanal.routing.models import (
    BusinessCalendar,
    OpeningHours,
    SlaPolicy,
    SpecialDay,
    TeamCalendar,
)
from omnicanal.routing.service_levels import PolicyTerms

pytestmark = pytest.mark.django_db

T = dt.time
HOUR = dt.timedelta(hours=1)
OFFICE = {day: [(T(9), T(12, 30)), (T(13, 30), T(18))] if day < 5 else [] for day in range(7)}


def calendar_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Paris", "time_zone": "Europe/Paris", "holiday_country": "FR",
        "holiday_subdivision": "", "is_default": True, "week": OFFICE,
    }
    return fields | overrides


def test_an_administrator_creates_a_calendar_with_its_week_and_an_audit_entry(
    admin: User,
) -> None:
    calendar = service_levels.save_calendar(admin, **calendar_fields())

    assert calendar.is_default
    assert OpeningHours.objects.filter(calendar=calendar).count() == 10
    entry = AuditLogEntry.objects.get(action="business_calendar.created")
    assert entry.actor == admin and entry.target_id == str(calendar.pk)
    assert entry.data["week"]["0"] == ["09:00-12:30", "13:30-18:00"]


def test_saving_replaces_the_week(admin: User) -> None:
    calendar = service_levels.save_calendar(admin, **calendar_fields())
    service_levels.save_calendar(admin, calendar_id=calendar.pk, **calendar_fields(
        week={0: [(T(8), T(20))]}))

    assert [(h.weekday, h.opens_at, h.closes_at) for h in calendar.opening_hours.all()] == [
        (0, T(8), T(20))
    ]


def test_a_new_default_takes_the_mark_from_the_old_one(admin: User) -> None:
    first = service_levels.save_calendar(admin, **calendar_fields())
    second = service_levels.save_calendar(admin, **calendar_fields(name="Lyon"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default


@pytest.mark.parametrize("user_fixture", ["agent", "supervisor"])
def test_only_administrators_change_calendars_and_policies(
    request: pytest.FixtureRequest, user_fixture: str
) -> None:
    user = request.getfixturevalue(user_fixture)
    with pytest.raises(PermissionDenied):
        service_levels.save_calendar(user, **calendar_fields())
    with pytest.raises(PermissionDenied):
        service_levels.save_policy(user, PolicyTerms(name="x", first_response_time=HOUR))
    assert not BusinessCalendar.objects.exists() and not SlaPolicy.objects.exists()
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize(("hours", "is_valid"), [
    ([(T(9), T(12)), (T(11), T(14))], False),   # overlap
    ([(T(20), T(2)), (T(23), T(23, 30))], False),  # inside the night shift
    ([(T(9), T(9))], False),                    # 24 hours from 9:00: a typing mistake
    ([(T(0), T(0))], True),                     # the whole day
    ([(T(22), T(2))], True),                    # a night shift, to 2:00 the next day
    ([(T(9), T(12, 30)), (T(12, 30), T(18))], True),  # touching ranges
])
def test_a_days_hours_are_checked_as_the_engine_reads_them(
    admin: User, hours: list[tuple[dt.time, dt.time]], is_valid: bool
) -> None:
    fields = calendar_fields(week={2: hours})
    if is_valid:
        service_levels.save_calendar(admin, **fields)
        return
    with pytest.raises(ValidationError) as caught:
        service_levels.save_calendar(admin, **fields)
    assert list(caught.value.message_dict) == ["weekday_2"]
    assert not BusinessCalendar.objects.exists()


def test_model_checks_reach_the_fields(admin: User) -> None:
    with pytest.raises(ValidationError) as caught:
        service_levels.save_calendar(admin, **calendar_fields(
            name="", time_zone="Mars/Olympus", holiday_subdivision="99"))
    assert {"name", "time_zone", "holiday_subdivision"} <= set(caught.value.message_dict)


def test_the_default_calendar_and_one_a_team_uses_are_not_deleted(admin: User) -> None:
    default = service_levels.save_calendar(admin, **calendar_fields())
    used = service_levels.save_calendar(admin, **calendar_fields(name="Lyon", is_default=False))
    TeamCalendar.objects.create(team=Team.objects.create(name="Ventes"), calendar=used)

    with pytest.raises(Conflict):
        service_levels.delete_calendar(admin, default.pk)
    with pytest.raises(Conflict, match="Ventes"):
        service_levels.delete_calendar(admin, used.pk)
    assert BusinessCalendar.objects.count() == 2


def test_an_unused_calendar_is_deleted_with_an_audit_entry(admin: User) -> None:
    spare = service_levels.save_calendar(admin, **calendar_fields(is_default=False))
    service_levels.delete_calendar(admin, spare.pk)

    assert not BusinessCalendar.objects.exists()
    assert AuditLogEntry.objects.filter(action="business_calendar.deleted").count() == 1


def test_special_days_close_or_open_a_date_without_overlaps(admin: User) -> None:
    calendar = service_levels.save_calendar(admin, **calendar_fields())
    day = dt.date(2026, 12, 24)
    service_levels.add_special_day(admin, calendar.pk, date=day, name="Veille de Noël",
                                   opens_at=T(9), closes_at=T(12))
    with pytest.raises(ValidationError) as caught:
        service_levels.add_special_day(admin, calendar.pk, date=day, name="",
                                       opens_at=T(11), closes_at=T(13))
    assert "closes_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        service_levels.add_special_day(admin, calendar.pk, date=day, name="",
                                       opens_at=T(14), closes_at=None)
    assert "closes_at" in caught.value.message_dict
    service_levels.add_special_day(admin, calendar.pk, date=dt.date(2026, 12, 31), name="Pont",
                                   opens_at=None, closes_at=None)

    # The engine reads them: the 24th opens 9 to 12, the 31st is closed.
    schedule = calendar.schedule()
    assert schedule.hours_on(day) == [(T(9), T(12))]
    assert schedule.hours_on(dt.date(2026, 12, 31)) == []
    assert AuditLogEntry.objects.filter(action="special_day.added").count() == 2
    first = SpecialDay.objects.get(date=day)
    service_levels.delete_special_day(admin, calendar.pk, first.pk)
    assert AuditLogEntry.objects.filter(action="special_day.deleted").count() == 1


def test_the_holiday_preview_is_what_the_engine_closes_for(admin: User) -> None:
    upcoming = service_levels.upcoming_holidays("FR", "57", today=dt.date(2026, 12, 20),
                                                language="en")
    assert [holiday.date for holiday in upcoming[:3]] == [
        dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2027, 1, 1)]
    assert upcoming[0].name == "Christmas Day"
    calendar = service_levels.save_calendar(admin, **calendar_fields(holiday_subdivision="57"))
    assert calendar.schedule().hours_on(dt.date(2026, 12, 25)) == ()


# Policies.


def test_a_new_policy_goes_last_and_is_audited(admin: User) -> None:
    first = service_levels.save_policy(admin, PolicyTerms(name="Urgent", priority=1,
                                                          first_response_time=HOUR / 2))
    second = service_levels.save_policy(admin, PolicyTerms(name="Standard",
                                                           resolution_time=8 * HOUR))
    assert first.position < second.position
    entry = AuditLogEntry.objects.filter(action="sla_policy.created").order_by("pk").last()
    assert entry is not None and entry.data["resolution"] == "8:00"


def test_a_policy_needs_a_target_and_a_sane_warning(admin: User) -> None:
    with pytest.raises(ValidationError) as caught:
        service_levels.save_policy(admin, PolicyTerms(name="", warning_percent=150))
    assert {"name", "first_response_time", "warning_percent"} <= set(caught.value.message_dict)


def test_moving_a_policy_swaps_it_with_its_neighbour(admin: User) -> None:
    names = ["Urgent", "Gold", "Standard"]
    policies = [service_levels.save_policy(admin, PolicyTerms(name=name, resolution_time=HOUR))
                for name in names]
    service_levels.move_policy(admin, policies[2].pk, up=True)
    order = list(SlaPolicy.objects.order_by("position").values_list("name", flat=True))
    assert order == ["Urgent", "Standard", "Gold"]
    # Moving the first one up changes nothing but is harmless.
    service_levels.move_policy(admin, policies[0].pk, up=True)
    assert list(SlaPolicy.objects.order_by("position").values_list("name", flat=True)) == order
    assert AuditLogEntry.objects.filter(action="sla_policy.moved").count() == 2


def test_a_catch_all_above_a_specific_policy_is_reported(admin: User) -> None:
    catch_all = service_levels.save_policy(admin, PolicyTerms(name="All", resolution_time=HOUR))
    urgent = service_levels.save_policy(admin, PolicyTerms(name="Urgent", priority=1,
                                                           resolution_time=HOUR))
    policies = list(SlaPolicy.objects.order_by("position"))
    assert service_levels.shadowing_policies(policies) == {urgent.pk: catch_all}
    service_levels.move_policy(admin, urgent.pk, up=True)
    assert service_levels.shadowing_policies(list(SlaPolicy.objects.order_by("position"))) == {}
