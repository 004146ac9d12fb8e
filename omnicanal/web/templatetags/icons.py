"""`{% icon "name" %}`: one inline SVG from `web/static/web/icons/<name>.svg`.

Inline (not <img>) so icons take the text colour (`currentColor`) and need no request; the
files hold only the drawing, the tag adds the outer <svg> with its size and accessibility.
Decorative by default (aria-hidden); with `label`, the icon is announced as that text.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICONS = Path(__file__).resolve().parent.parent / "static" / "web" / "icons"
NAME = re.compile(r"^[a-z0-9-]+$")


@functools.cache
def has_icon(name: str) -> bool:
    """Whether `icons/<name>.svg` exists: asked per list row, so the disk is asked once."""
    return bool(NAME.match(name)) and (ICONS / f"{name}.svg").exists()


@functools.cache
def _drawing(name: str) -> str:
    if not NAME.match(name):
        raise template.TemplateSyntaxError(f"Bad icon name {name!r}")
    path = ICONS / f"{name}.svg"
    if not path.exists():
        raise template.TemplateSyntaxError(f"No icon {name!r} in {ICONS}")
    return path.read_text().strip()


@register.simple_tag
def icon(name: str, label: str = "", size: int = 16, css_class: str = "") -> SafeString:
    if label:
        accessibility = format_html('role="img" aria-label="{}"', label)
    else:
        accessibility = mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="icon icon-{} {}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        "focusable=\"false\" {}>{}</svg>",
        name, css_class, size, size, accessibility, mark_safe(_drawing(name)),
    )
