"""What the reply form shows when its reply was held back (see
`omnicanal.conversations.collision`): who wrote what, how long ago."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from omnicanal.conversations.collision import RepliedMeanwhile
from omnicanal.conversations.models import Direction, Message

EXCERPT_CHARACTERS = 160
# "0 seconds ago" reads as a glitch; under this, "just now".
JUST_NOW_SECONDS = 5


@dataclass(frozen=True)
class ArrivedMessage:
    summary: str  # "Bob replied 20 seconds ago:"
    excerpt: str
    direction: str


@dataclass(frozen=True)
class ReplyWarning:
    arrived: list[ArrivedMessage]
    # Sent back by the form from now on: the agent has been shown these messages.
    latest_message_id: int


def _ago(moment: dt.datetime, now: dt.datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < JUST_NOW_SECONDS:
        return gettext("just now")
    if seconds < 60:
        return ngettext("%(count)d second ago", "%(count)d seconds ago", seconds) % {
            "count": seconds
        }
    minutes = seconds // 60
    if minutes < 60:
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {
            "count": minutes
        }
    hours = minutes // 60
    return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}


def _summary(message: Message, now: dt.datetime) -> str:
    ago = _ago(message.created_at, now)
    if message.direction == Direction.INCOMING:
        name = message.conversation.contact.display_name
        return gettext("%(name)s wrote %(ago)s:") % {"name": name, "ago": ago}
    # No author: the bot or an automatic reply, shown as the timeline shows them.
    name = message.author.display_name if message.author else "Omnicanal"
    return gettext("%(name)s replied %(ago)s:") % {"name": name, "ago": ago}


def reply_warning(exc: RepliedMeanwhile, *, now: dt.datetime | None = None) -> ReplyWarning:
    now = now or timezone.now()
    return ReplyWarning(
        arrived=[
            ArrivedMessage(
                summary=_summary(message, now),
                excerpt=Truncator(message.text).chars(EXCERPT_CHARACTERS),
                direction=message.direction,
            )
            for message in exc.arrived
        ],
        latest_message_id=exc.latest_message_id,
    )
