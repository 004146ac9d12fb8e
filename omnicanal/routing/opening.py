"""Whether the team is in now, for pages the public sees (the web chat widget): the default
business calendar's hours, public holidays and special days, the same that SLA clocks count."""

from __future__ import annotations

import datetime as dt

from omnicanal.routing.models import BusinessCalendar


def default_calendar_opening(at: dt.datetime) -> tuple[bool, dt.datetime | None] | None:
    """(open at `at`, next opening when closed) by the default calendar; None without one
    (then the channel decides: open around the clock)."""
    calendar = (
        BusinessCalendar.objects.filter(is_default=True)
        .prefetch_related("opening_hours", "special_days")
        .first()
    )
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
