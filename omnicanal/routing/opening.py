"""Whether the team is in now, for pages the public sees (the web chat widget): a business
calendar's hours, public holidays and special days, the same that SLA clocks count."""

from __future__ import annotations

import datetime as dt

from omnicanal.routing.models import BusinessCalendar


def calendar_opening(
    at: dt.datetime, calendar_id: int | None = None
) -> tuple[bool, dt.datetime | None] | None:
    """(open at `at`, next opening when closed) by that calendar, or the default one when it
    is not given (or was deleted); None without any (then the channel decides)."""
    calendars = BusinessCalendar.objects.prefetch_related("opening_hours", "special_days")
    calendar = calendars.filter(pk=calendar_id).first() if calendar_id else None
    if calendar is None:
        calendar = calendars.filter(is_default=True).first()
    if calendar is None:
        return None
    # The first open period from `at` on, clipped to start at `at` when it is open now.
    first = next(calendar.schedule().open_periods(at), None)
    if first is None:
        return False, None
    start, _end = first
    if start <= at:
        return True, None
    return False, start
