from __future__ import annotations

from typing import Any

from django import template

from omnicanal.web.settings_pages.nav import navigation

register = template.Library()


@register.inclusion_tag("web/settings/_nav.html", takes_context=True)
def settings_nav(context: Any) -> dict[str, Any]:
    request = context["request"]
    return {"groups": navigation(request.user, request.path)}
