"""Display helpers for the supervisor's view."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext, pgettext

from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import Priority
from omnicanal.routing.models import Presence

register = template.Library()


@register.filter
def priority_label(value: int) -> str:
    try:
        return str(Priority(value).label)
    except ValueError:
        return str(value)


@register.filter
def value_tier_label(value: str) -> str:
    try:
        return str(ValueTier(value).label)
    except ValueError:
        return value


@register.filter
def presence_label(value: str) -> str:
    try:
        return str(Presence(value).label)
    except ValueError:
        return value


@register.filter
def wait_text(seconds: int | None) -> str:
    """"about 4 min"; a dash when no online agent can take the conversation."""
    if seconds is None:
        return gettext("no agent online")
    if seconds < 60:
        return gettext("under a minute")
    minutes = round(seconds / 60)
    return ngettext("about %(count)d min", "about %(count)d min", minutes) % {"count": minutes}


@register.filter
def ordinal(value: int) -> str:
    """"3rd" ("3e" in French). Not humanize's: French writes 1er but 21e, which a suffix
    chosen by the last digit cannot say."""
    if value == 1:
        template = pgettext("ordinal, exactly 1", "{}st")
    elif value % 100 in (11, 12, 13):
        template = pgettext("ordinal 11, 12, 13", "{}th")
    elif value % 10 == 1:
        template = pgettext("ordinal ending in 1", "{}st")
    elif value % 10 == 2:
        template = pgettext("ordinal ending in 2", "{}nd")
    elif value % 10 == 3:
        template = pgettext("ordinal ending in 3", "{}rd")
    else:
        template = pgettext("ordinal", "{}th")
    return template.format(value)
