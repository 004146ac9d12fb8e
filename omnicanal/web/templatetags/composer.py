"""`{{ message|reply_html }}`: a reply's rich text (e-mail composer), sanitised again as
it is shown: what was stored under an older, wider allow-list is held to today's."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from omnicanal.conversations.models import Message
from omnicanal.conversations.richtext import sanitize_reply_html

register = template.Library()


@register.filter
def reply_html(message: Message) -> SafeString:
    # nh3's allow-list output is safe to insert as is.
    return mark_safe(sanitize_reply_html(message.html))
