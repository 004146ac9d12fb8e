"""Settings → Business hours: administrators list, create, edit and delete business calendars
from the browser; errors show beside their fields; every change is audit-logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omnicanal.accounts.models import AuditLogEntry, Language, Team, User
from omnicanal.routing import service_levels
from omnicanal.routing.models import BusinessCalendar, OpeningHours, SpecialDay, TeamCalendar
from omnicanal.routing.sla import create_default_sla

pytestmark = pytest.mark.django_db

URL = "/settings/hours/"
DASH = "\u2013"


def week_post(**days: tuple[str, ...]) -> dict[str, Any]:
    """The grid as the browser posts it: d0_open=on, d0_opens0=09:00, d0_closes0=18:00…"""
    data: dict[str, Any] = {}
    for key, times in days.items():
        day = key.removeprefix("d")
        data[f"d{day}_open"] = "on"
        for index, (opens, closes) in enumerate(zip(times[::2], times[1::2], strict=True)):
            data[f"d{day}_opens{index}"] = opens
            data[f"d{day}_closes{index}"] = closes
    return data


def calendar_post(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Lyon", "time_zone": "Europe/Paris", "holiday_country": "FR",
            "holiday_subdivision": "", **week_post(d0=("09:00", "12:30", "13:30", "18:00"),
                                                    d4=("09:00", "17:00"))}
    return data | overrides


@pytest.fixture
def logged_admin(client: Client, admin: User) -> Client:
    User.objects.filter(pk=admin.pk).update(language=Language.ENGLISH)
    client.force_login(admin)
    return client


def test_the_list_shows_each_calendar_with_its_week_and_who_uses_it(
    logged_admin: Client,
) -> None:
    calendar = create_default_sla()
    TeamCalendar.objects.create(team=Team.objects.create(name="Ventes"), calendar=calendar)

    page = logged_admin.get(URL).content.decode()

    assert "Bureaux (France)" in page and "Default" in page
    assert f"Monday {DASH} Friday" in page
    assert f"09:00{DASH}12:30, 13:30{DASH}18:00" in page
    assert f"Saturday {DASH} Sunday" in page and "Ventes" in page


def test_an_administrator_creates_a_calendar_from_the_form(logged_admin: Client) -> None:
    form = logged_admin.get(URL + "new/").content.decode()
    assert 'value="Europe/Paris" selected' in form and 'name="d0_opens1"' in form

    response = logged_admin.post(URL + "new/", calendar_post(is_default="on"))

    calendar = BusinessCalendar.objects.get(name="Lyon")
    assert response.status_code == 302 and response["Location"] == f"{URL}{calendar.pk}/"
    assert calendar.is_default
    hours = [(h.weekday, h.opens_at, h.closes_at) for h in OpeningHours.objects.all()]
    assert hours == [(0, dt.time(9), dt.time(12, 30)), (0, dt.time(13, 30), dt.time(18)),
                     (4, dt.time(9), dt.time(17))]
    assert AuditLogEntry.objects.filter(action="business_calendar.created").count() == 1


def test_overlapping_hours_are_refused_beside_the_day(logged_admin: Client) -> None:
    response = logged_admin.post(URL + "new/", calendar_post(
        **week_post(d2=("09:00", "13:00", "12:00", "18:00")), holiday_subdivision="99"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_d2_open_error"' in page and "These hours overlap" in page
    assert 'id="id_holiday_subdivision_error"' in page
    assert not BusinessCalendar.objects.exists() and not AuditLogEntry.objects.exists()


def test_an_open_day_without_hours_is_refused(logged_admin: Client) -> None:
    response = logged_admin.post(URL + "new/", calendar_post(d5_open="on"))

    page = response.content.decode()
    assert "Enter the hours, or mark the day closed." in page
    assert "Some opening hours need fixing" in page
    assert not BusinessCalendar.objects.exists()


def test_editing_shows_the_current_week_and_the_next_public_holidays(
    logged_admin: Client,
) -> None:
    calendar = create_default_sla()
    page = logged_admin.get(f"{URL}{calendar.pk}/").content.decode()

    assert 'name="d0_opens1" value="13:30"' in page
    upcoming = service_levels.upcoming_holidays("FR", today=timezone.localdate(), language="en")
    assert "Next public holidays" in page and upcoming[0].name in page

    response = logged_admin.post(f"{URL}{calendar.pk}/", calendar_post(
        name="Bureaux", is_default="on", **week_post(d1=("08:00", "20:00"))))
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.name == "Bureaux"
    assert AuditLogEntry.objects.filter(action="business_calendar.updated").count() == 1


def test_special_days_are_added_and_deleted_from_the_calendar_page(
    logged_admin: Client,
) -> None:
    calendar = create_default_sla()
    url = f"{URL}{calendar.pk}/special-days/"

    response = logged_admin.post(url, {"date": "2026-12-24", "name": "Réveillon",
                                       "opens_at": "09:00", "closes_at": "12:00"})
    assert response.status_code == 302
    refused = logged_admin.post(url, {"date": "2026-12-24", "opens_at": "11:00",
                                      "closes_at": "14:00"})
    assert 'id="id_closes_at_error"' in refused.content.decode()
    assert SpecialDay.objects.count() == 1

    day = SpecialDay.objects.get()
    logged_admin.post(f"{url}{day.pk}/delete/")
    assert not SpecialDay.objects.exists()
    assert [entry.action for entry in AuditLogEntry.objects.order_by("pk")] == [
        "special_day.added", "special_day.deleted"]


def test_the_default_calendar_is_not_deleted_and_says_why(logged_admin: Client) -> None:
    calendar = create_default_sla()
    page = logged_admin.get(f"{URL}{calendar.pk}/").content.decode()
    assert "cannot be deleted until another calendar is the default" in page

    response = logged_admin.post(f"{URL}{calendar.pk}/delete/", follow=True)
    assert "make another calendar the default first" in response.content.decode()
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()


def test_an_unused_calendar_is_deleted(logged_admin: Client) -> None:
    logged_admin.post(URL + "new/", calendar_post())
    calendar = BusinessCalendar.objects.get()

    response = logged_admin.post(f"{URL}{calendar.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == URL
    assert not BusinessCalendar.objects.exists()
    assert AuditLogEntry.objects.filter(action="business_calendar.deleted").count() == 1


@pytest.mark.parametrize("user_fixture", ["agent", "supervisor"])
def test_agents_and_supervisors_are_refused(
    client: Client, request: pytest.FixtureRequest, user_fixture: str
) -> None:
    calendar = create_default_sla()
    client.force_login(request.getfixturevalue(user_fixture))

    assert client.get(URL).status_code == 403
    assert client.post(URL + "new/", calendar_post()).status_code == 403
    assert client.post(f"{URL}{calendar.pk}/delete/").status_code == 403
    assert BusinessCalendar.objects.count() == 1 and not AuditLogEntry.objects.exists()


def test_teams_are_put_on_a_calendar_from_its_form(logged_admin: Client) -> None:
    sales, support = Team.objects.create(name="Ventes"), Team.objects.create(name="Support")
    default = create_default_sla()
    TeamCalendar.objects.create(team=support, calendar=default)

    logged_admin.post(URL + "new/", calendar_post(teams=[sales.pk, support.pk]))
    lyon = BusinessCalendar.objects.get(name="Lyon")
    assert set(TeamCalendar.objects.values_list("team__name", "calendar_id")) == {
        ("Ventes", lyon.pk), ("Support", lyon.pk)}

    # Unticked, a team falls back to the default calendar (it has no link left).
    logged_admin.post(f"{URL}{lyon.pk}/", calendar_post(teams=[sales.pk]))
    assert list(TeamCalendar.objects.values_list("team__name", flat=True)) == ["Ventes"]
    entry = AuditLogEntry.objects.get(action="business_calendar.updated")
    assert entry.data["teams"] == ["Ventes"]


def test_without_calendars_the_page_says_clocks_run_around_the_clock(
    logged_admin: Client,
) -> None:
    page = logged_admin.get(URL).content.decode()
    assert "No calendar yet: SLA clocks run around the clock." in page
