"""The conversation timeline as the page lays it out: days under a separator ("Today",
"Yesterday", "Monday 3 December"), and in each day the messages grouped by author, so that a
burst of short messages reads as one turn with one avatar and one name.

Built here rather than in the template: the rules (same author, same kind, a few minutes
apart, never across a day) are easier to read and to test in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from omnicanal.accounts.models import User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Direction, Message

# Consecutive messages of one author closer than this share one avatar and name.
GROUP_WINDOW = dt.timedelta(minutes=5)


@dataclass
class MessageGroup:
    """Consecutive messages of one author and one kind (an activity line is its own group)."""

    direction: str
    author_name: str
    messages: list[Message] = field(default_factory=list)
    # Whose avatar the group shows: the contact, the agent, or None (the system).
    author: Contact | User | None = None

    @property
    def is_activity(self) -> bool:
        return self.direction == Direction.ACTIVITY


@dataclass
class Day:
    date: dt.date
    label: str
    groups: list[MessageGroup] = field(default_factory=list)


def author_name(message: Message, contact_name: str) -> str:
    if message.direction == Direction.INCOMING:
        return contact_name
    if message.author is not None:
        return message.author.display_name
    if message.is_bot:
        return str((message.metadata or {}).get("bot_name") or gettext("Bot"))
    return "Omnicanal"


def day_label(day: dt.date, today: dt.date) -> str:
    """"Today", "Yesterday", else the weekday and date in the agent's language, with the
    year only when it is not this year's."""
    if day == today:
        return gettext("Today")
    if day == today - dt.timedelta(days=1):
        return gettext("Yesterday")
    # "l j F" is "Monday 3 December" / "lundi 3 décembre": the order both languages use.
    pattern = "l j F" if day.year == today.year else "l j F Y"
    return capfirst(formats.date_format(day, pattern))


def _author_key(message: Message) -> tuple[str, int | None]:
    # The customer is one author whatever the channel; an agent's replies and notes differ.
    if message.direction == Direction.INCOMING:
        return (Direction.INCOMING, None)
    return (message.direction, message.author_id)


def timeline_days(
    messages: Iterable[Message], contact_name: str, *, contact: Contact | None = None,
    now: dt.datetime | None = None,
) -> list[Day]:
    """The messages (oldest first) in days of author groups, in the current time zone."""
    today = timezone.localtime(now or timezone.now()).date()
    days: list[Day] = []
    previous: Message | None = None
    for message in messages:
        local_date = timezone.localtime(message.created_at).date()
        if not days or days[-1].date != local_date:
            days.append(Day(local_date, day_label(local_date, today)))
            previous = None
        groups = days[-1].groups
        joins_previous = (
            previous is not None
            and message.direction != Direction.ACTIVITY
            and previous.direction != Direction.ACTIVITY
            and _author_key(message) == _author_key(previous)
            and message.created_at - previous.created_at <= GROUP_WINDOW
        )
        if joins_previous:
            groups[-1].messages.append(message)
        else:
            author = contact if message.direction == Direction.INCOMING else message.author
            groups.append(MessageGroup(message.direction, author_name(message, contact_name),
                                       [message], author))
        previous = message
    return days
