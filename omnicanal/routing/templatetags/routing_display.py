"""Display helpers for the supervisor's view."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext

from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import Conversation, Priority
from omnicanal.routing.models import Presence

register = template.Library()


@register.filter
def contact_label(conversation: Conversation) -> str:
    contact = conversation.contact
    return contact.name or gettext("Contact #%(id)d") % {"id": contact.pk}


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
