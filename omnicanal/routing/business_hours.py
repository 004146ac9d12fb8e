"""Business time: opening hours in a time zone, public holidays, and the arithmetic SLA clocks
need (a deadline N business seconds after a moment; the business seconds between two moments).

Pure functions over a `Schedule`; `BusinessCalendar.schedule()` builds one from the database.
`None` for a schedule means open around the clock (no calendar configured).

Hours are wall-clock times in the calendar's zone, so "9:00 to 18:00" stays nine hours on the
days clocks change; an interval spanning the change at night (a night shift, or 0:00 to 0:00
for a whole day) is one hour shorter or longer in real time, as a night shift is. A wall time
that does not exist (2:30 on the last Sunday of March in Paris) is read with the offset in
force before the change, as zoneinfo does for `fold=0`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

# (opens, closes) in local time; closes <= opens means the next day (22:00-02:00, 0:00-0:00).
Interval = tuple[dt.time, dt.time]

# How far ahead a deadline is looked for before the calendar counts as never open.
HORIZON_DAYS = 3 * 366


class NeverOpen(ValueError):
    """The calendar has no opening hours within the horizon."""


def _never(day: dt.date) -> bool:
    return False


@functools.lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str = "") -> Callable[[dt.date], bool]:
    """Whether a date is a public holiday of the country (and subdivision: Alsace and Moselle
    add Good Friday and 26 December in France, each overseas department its abolition day).
    The `holidays` package fills years in as they are asked for."""
    if not country:
        return _never
    calendar = holidays.country_holidays(country, subdiv=subdivision or None)
    return calendar.__contains__


@dataclass(frozen=True)
class Schedule:
    time_zone: ZoneInfo
    # Weekday (0 = Monday) -> opening intervals; a weekday left out is closed.
    weekly: Mapping[int, Sequence[Interval]]
    is_holiday: Callable[[dt.date], bool] = _never
    # Dates whose hours differ from the week's: an empty sequence closes the day, intervals
    # open it (even on a public holiday).
    special_days: Mapping[dt.date, Sequence[Interval]] = field(default_factory=dict)

    def hours_on(self, day: dt.date) -> Sequence[Interval]:
        if day in self.special_days:
            return self.special_days[day]
        if self.is_holiday(day):
            return ()
        return self.weekly.get(day.weekday(), ())

    def _periods_of(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        periods = []
        for opens, closes in self.hours_on(day):
            end_day = day if closes > opens else day + dt.timedelta(days=1)
            start = dt.datetime.combine(day, opens, tzinfo=self.time_zone).astimezone(dt.UTC)
            end = dt.datetime.combine(end_day, closes, tzinfo=self.time_zone).astimezone(dt.UTC)
            if end > start:
                periods.append((start, end))
        return sorted(periods)

    def open_periods(
        self, start: dt.datetime, until: dt.datetime | None = None
    ) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The open periods (UTC, merged where they touch or overlap) from `start` on, the
        first clipped to begin at `start`; up to `until`, or the horizon."""
        # The day before: its interval may run past midnight into `start`'s day.
        day = start.astimezone(self.time_zone).date() - dt.timedelta(days=1)
        last_day = (
            until.astimezone(self.time_zone).date() if until is not None
            else day + dt.timedelta(days=HORIZON_DAYS)
        )
        pending: tuple[dt.datetime, dt.datetime] | None = None
        while day <= last_day:
            for period_start, period_end in self._periods_of(day):
                if pending is not None and period_start <= pending[1]:
                    pending = (pending[0], max(pending[1], period_end))
                    continue
                if pending is not None and pending[1] > start:
                    yield max(pending[0], start), pending[1]
                pending = (period_start, period_end)
            day += dt.timedelta(days=1)
        if pending is not None and pending[1] > start:
            yield max(pending[0], start), pending[1]


def add_business_time(
    schedule: Schedule | None, start: dt.datetime, seconds: float
) -> dt.datetime:
    """The moment `seconds` of open time after `start`. Time that does not fit before the
    closing carries over to the next opening; a deadline that falls exactly on a closing
    time stays there (Friday 17:00 + 1 h on a 9-18 calendar is Friday 18:00, not Monday)."""
    if timezone_is_naive(start):
        raise ValueError("start needs a time zone")
    if seconds <= 0:
        return start
    # In UTC: Python adds and subtracts datetimes of one zone on the wall clock, which is
    # an hour off across a clock change.
    start = start.astimezone(dt.UTC)
    if schedule is None:
        return start + dt.timedelta(seconds=seconds)
    remaining = dt.timedelta(seconds=seconds)
    for period_start, period_end in schedule.open_periods(start):
        if period_end - period_start >= remaining:
            return period_start + remaining
        remaining -= period_end - period_start
    raise NeverOpen(f"No opening hours within {HORIZON_DAYS} days of {start.isoformat()}.")


def business_seconds_between(
    schedule: Schedule | None, start: dt.datetime, end: dt.datetime
) -> float:
    """Open time between two moments, in seconds; 0 when `end` is not after `start`."""
    if timezone_is_naive(start) or timezone_is_naive(end):
        raise ValueError("start and end need a time zone")
    if end <= start:
        return 0.0
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if schedule is None:
        return (end - start).total_seconds()
    total = dt.timedelta()
    for period_start, period_end in schedule.open_periods(start, until=end):
        if period_start >= end:
            break
        total += min(period_end, end) - period_start
    return total.total_seconds()


def timezone_is_naive(moment: dt.datetime) -> bool:
    return moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None
