"""Business time on calendars with French public holidays, hand-computed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from omnicanal.routing.business_hours import (
    Interval,
    NeverOpen,
    Schedule,
    add_business_time,
    business_seconds_between,
    public_holidays,
)
from omnicanal.routing.models import BusinessCalendar, OpeningHours, SpecialDay

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
NINE_TO_SIX: list[Interval] = [(dt.time(9), dt.time(18))]


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def office(
    subdivision: str = "",
    *,
    hours: list[Interval] = NINE_TO_SIX,
    special_days: dict[dt.date, list[Interval]] | None = None,
) -> Schedule:
    """Monday to Friday, with France's public holidays (and a region's)."""
    return Schedule(
        time_zone=PARIS,
        weekly={weekday: hours for weekday in range(5)},
        is_holiday=public_holidays("FR", subdivision),
        special_days=special_days or {},
    )


class TestAddBusinessTime:
    def test_time_left_at_friday_closing_carries_over_to_monday(self) -> None:
        # Friday 20 November 2026, 17:00: one hour today, one on Monday from 9:00.
        assert add_business_time(office(), paris(2026, 11, 20, 17), 2 * HOUR) == paris(
            2026, 11, 23, 10
        )

    def test_a_deadline_on_the_closing_time_stays_there(self) -> None:
        assert add_business_time(office(), paris(2026, 11, 20, 17), HOUR) == paris(
            2026, 11, 20, 18
        )

    def test_a_start_outside_hours_counts_from_the_next_opening(self) -> None:
        # Saturday morning: nothing counts before Monday 9:00.
        assert add_business_time(office(), paris(2026, 11, 21, 10), 1800) == paris(
            2026, 11, 23, 9, 30
        )

    def test_bastille_day_is_skipped(self) -> None:
        # Tuesday 14 July 2026 is closed: Monday 17:00 + 2 h lands on Wednesday 10:00.
        assert add_business_time(office(), paris(2026, 7, 13, 17), 2 * HOUR) == paris(
            2026, 7, 15, 10
        )

    def test_whit_monday_is_skipped(self) -> None:
        # Pentecost Monday 25 May 2026: Friday 22 May 17:00 + 2 h is Tuesday 26 May 10:00.
        assert add_business_time(office(), paris(2026, 5, 22, 17), 2 * HOUR) == paris(
            2026, 5, 26, 10
        )

    def test_good_friday_is_a_holiday_in_moselle_only(self) -> None:
        thursday_evening = paris(2026, 4, 2, 17)
        # Elsewhere in France, Good Friday (3 April 2026) is worked.
        assert add_business_time(office(), thursday_evening, 2 * HOUR) == paris(2026, 4, 3, 10)
        # In Moselle it is not, and Easter Monday is a holiday everywhere: Tuesday 10:00.
        assert add_business_time(office("57"), thursday_evening, 2 * HOUR) == paris(
            2026, 4, 7, 10
        )

    def test_saint_stephens_day_is_a_holiday_in_alsace_only(self) -> None:
        # Wednesday 24 December 2025 17:00; Christmas closed everywhere.
        christmas_eve = paris(2025, 12, 24, 17)
        assert add_business_time(office(), christmas_eve, 2 * HOUR) == paris(2025, 12, 26, 10)
        assert add_business_time(office("6AE"), christmas_eve, 2 * HOUR) == paris(
            2025, 12, 29, 10
        )

    def test_hours_keep_their_wall_clock_times_across_the_spring_change(self) -> None:
        # Friday 27 March 2026 17:00 is 16:00 UTC (UTC+1); clocks go forward on Sunday 29;
        # Monday 10:00 is 08:00 UTC (UTC+2). Fixed-offset arithmetic would say 09:00 UTC.
        due = add_business_time(office(), paris(2026, 3, 27, 17), 2 * HOUR)
        assert due == dt.datetime(2026, 3, 30, 8, tzinfo=dt.UTC)

    def test_an_overseas_calendar_keeps_its_own_zone_and_abolition_day(self) -> None:
        # La Réunion (UTC+4 all year), 8:00-17:00; 20 December is the abolition of slavery
        # there (a Friday in 2024). Thursday 16:00 + 2 h: one hour, then Monday 9:00.
        reunion = ZoneInfo("Indian/Reunion")
        schedule = Schedule(
            time_zone=reunion,
            weekly={weekday: [(dt.time(8), dt.time(17))] for weekday in range(5)},
            is_holiday=public_holidays("FR", "974"),
        )
        due = add_business_time(schedule, dt.datetime(2024, 12, 19, 16, tzinfo=reunion), 2 * HOUR)
        assert due == dt.datetime(2024, 12, 23, 9, tzinfo=reunion)
        # The same deadline from Paris: Thursday 13:00 there is 16:00 in La Réunion.
        assert add_business_time(schedule, paris(2024, 12, 19, 13), 2 * HOUR) == due

    def test_a_split_day_skips_the_lunch_break(self) -> None:
        split = office(hours=[(dt.time(9), dt.time(12, 30)), (dt.time(13, 30), dt.time(18))])
        assert add_business_time(split, paris(2026, 11, 23, 12), HOUR) == paris(
            2026, 11, 23, 14
        )

    def test_a_night_shift_is_one_hour_shorter_on_the_spring_change(self) -> None:
        # Saturday 28 March 2026 22:00 to Sunday 06:00: 2:00 becomes 3:00, so 7 real hours.
        night = Schedule(time_zone=PARIS, weekly={5: [(dt.time(22), dt.time(6))]})
        assert add_business_time(night, paris(2026, 3, 28, 22), 7 * HOUR) == paris(
            2026, 3, 29, 6
        )
        # An eighth hour waits for next Saturday's shift.
        assert add_business_time(night, paris(2026, 3, 28, 22), 8 * HOUR) == paris(
            2026, 4, 4, 23
        )

    def test_a_special_day_closes_a_weekday_and_another_opens_a_holiday(self) -> None:
        schedule = office(special_days={
            dt.date(2026, 11, 23): [],  # a company closure on Monday
            dt.date(2026, 11, 11): [(dt.time(10), dt.time(12))],  # Armistice Day, worked
        })
        assert add_business_time(schedule, paris(2026, 11, 20, 17), 2 * HOUR) == paris(
            2026, 11, 24, 10
        )
        assert add_business_time(schedule, paris(2026, 11, 10, 18), HOUR) == paris(
            2026, 11, 11, 11
        )

    def test_no_calendar_counts_every_hour(self) -> None:
        assert add_business_time(None, paris(2026, 11, 20, 17), 2 * HOUR) == paris(
            2026, 11, 20, 19
        )
        # 24 real hours across the spring change end at 13:00 on the wall clock.
        assert add_business_time(None, paris(2026, 3, 28, 12), 24 * HOUR) == paris(
            2026, 3, 29, 13
        )

    def test_a_calendar_never_open_has_no_deadline(self) -> None:
        with pytest.raises(NeverOpen):
            add_business_time(Schedule(time_zone=PARIS, weekly={}), paris(2026, 1, 1), 60)


class TestBusinessSecondsBetween:
    def test_a_weekend_counts_nothing(self) -> None:
        # Friday 17:00 to Monday 10:00: one hour each side.
        assert business_seconds_between(
            office(), paris(2026, 11, 20, 17), paris(2026, 11, 23, 10)
        ) == 2 * HOUR

    def test_a_whole_day_is_23_hours_when_clocks_go_forward(self) -> None:
        always = Schedule(
            time_zone=PARIS, weekly={day: [(dt.time(0), dt.time(0))] for day in range(7)}
        )
        seconds = business_seconds_between(always, paris(2026, 3, 28, 12), paris(2026, 3, 29, 12))
        assert seconds == 23 * HOUR
        # And 25 when they go back (Sunday 25 October 2026).
        seconds = business_seconds_between(always, paris(2026, 10, 24, 12), paris(2026, 10, 25, 12))
        assert seconds == 25 * HOUR

    def test_a_night_shift_straddling_the_autumn_change_lasts_nine_hours(self) -> None:
        night = Schedule(time_zone=PARIS, weekly={5: [(dt.time(22), dt.time(6))]})
        assert business_seconds_between(
            night, paris(2026, 10, 24, 20), paris(2026, 10, 25, 12)
        ) == 9 * HOUR

    def test_it_is_the_inverse_of_adding(self) -> None:
        start = paris(2026, 7, 10, 16, 45)
        due = add_business_time(office("57"), start, 11 * HOUR)
        assert business_seconds_between(office("57"), start, due) == 11 * HOUR

    def test_an_end_before_the_start_counts_nothing(self) -> None:
        assert business_seconds_between(office(), paris(2026, 11, 23, 12), paris(2026, 11, 23, 10)) == 0


@pytest.mark.django_db
def test_a_calendar_from_the_database_reads_its_hours_region_and_special_days() -> None:
    calendar = BusinessCalendar.objects.create(
        name="Strasbourg", time_zone="Europe/Paris", holiday_country="FR",
        holiday_subdivision="6AE",
    )
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens_at=dt.time(9),
                                    closes_at=dt.time(12))
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens_at=dt.time(14),
                                    closes_at=dt.time(17))
    SpecialDay.objects.create(calendar=calendar, date=dt.date(2025, 12, 29), name="Pont")

    # Wednesday 24 December 2025, 16:00: one hour; 25 and 26 (Alsace) closed, Monday 29 a
    # bridge day, so the second hour is Tuesday 30 December 9:00-10:00.
    due = add_business_time(calendar.schedule(), paris(2025, 12, 24, 16), 2 * HOUR)
    assert due == paris(2025, 12, 30, 10)
