"""Times that senders claim (an e-mail's `Date:`, an API message's `sent_at`, a provider's
timestamp) are kept as claimed but stored only within sane bounds.

Anyone can write any `Date:`: year 9999 at UTC-5 is year 10000 in UTC, which PostgreSQL
stores but no driver can read back (every page showing that customer would fail), and a
date in the future would sort a message above everything the team writes after it. So a
claimed time more than a day ahead of its arrival, or before 1990 (no e-mail client sends
that on purpose), is replaced by the arrival time; the caller keeps the claimed value.
"""

from __future__ import annotations

import datetime as dt

# Clocks drift and time zones get mislabelled by hours; a day covers both.
FUTURE_TOLERANCE = dt.timedelta(days=1)
EARLIEST_CREDIBLE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


def is_credible(claimed: dt.datetime, arrived_at: dt.datetime) -> bool:
    """Whether a claimed time may be stored as is (comparisons work for every aware
    datetime, even those that would overflow when converted to UTC)."""
    if claimed.tzinfo is None or claimed.utcoffset() is None:
        claimed = claimed.replace(tzinfo=dt.UTC)
    return EARLIEST_CREDIBLE <= claimed <= arrived_at + FUTURE_TOLERANCE


def storable_time(claimed: dt.datetime | None, arrived_at: dt.datetime) -> dt.datetime:
    """The claimed time when it is credible, else the arrival time; always in UTC."""
    if claimed is None or not is_credible(claimed, arrived_at):
        return arrived_at
    if claimed.tzinfo is None or claimed.utcoffset() is None:
        return claimed.replace(tzinfo=dt.UTC)
    return claimed.astimezone(dt.UTC)


def describe_claim(claimed: dt.datetime) -> str:
    """The claimed time as text (ISO 8601 with its own offset), for metadata."""
    return claimed.isoformat()
