"""The bell in the top bar, notification sentences, and notes with their mentions."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Message
from omnicanal.notifications import actions
from omnicanal.notifications.models import Notification
from omnicanal.notifications.texts import notification_text as text_of

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: Any) -> dict[str, Any]:
    user = context.get("user")
    count = actions.unread_count(user) if isinstance(user, User) else 0
    return {"unread_count": count}


@register.filter
def notification_text(notification: Notification) -> str:
    return text_of(notification)


def _spans(message: Message) -> list[tuple[int, int]]:
    """The stored mention ranges that still fit the text, in order, without overlaps."""
    raw = (message.metadata or {}).get("mentions") or []
    spans = []
    for span in raw if isinstance(raw, list) else []:
        if not isinstance(span, dict):
            continue
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            spans.append((start, end))
    spans.sort()
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= len(message.text) and message.text[start] == "@" and (
            not kept or start >= kept[-1][1]
        ):
            kept.append((start, end))
    return kept


def _with_line_breaks(html: str) -> str:
    return html.replace("\r\n", "\n").replace("\n", "<br>")


@register.filter
def note_html(message: Message) -> SafeString:
    """The note's text, escaped, line breaks kept, mentions highlighted."""
    text = message.text
    parts: list[str] = []
    position = 0
    for start, end in _spans(message):
        parts.append(_with_line_breaks(escape(text[position:start])))
        parts.append(format_html('<mark class="mention">{}</mark>', text[start:end]))
        position = end
    parts.append(_with_line_breaks(escape(text[position:])))
    # Every piece above is escaped or built by format_html.
    return mark_safe("".join(parts))
