"""The presence toggle every workspace page shows in its top bar."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import RequestContext

from omnicanal.accounts.models import User
from omnicanal.routing.views import presence_context

register = template.Library()


@register.inclusion_tag("routing/_presence.html", takes_context=True)
def presence_toggle(context: RequestContext) -> dict[str, Any]:
    user = context["request"].user
    if not isinstance(user, User):
        return {}
    request = context["request"]
    return {**presence_context(user, request.get_full_path()), "request": request,
            "csrf_token": context.get("csrf_token")}
