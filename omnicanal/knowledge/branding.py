"""The help center's look and contact details: the settings row, its one writer, the logo's
checks, and the colours derived from the brand colour so text on it stays readable (WCAG AA).
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.core.exceptions import InvalidField
from omnicanal.knowledge.models import HelpCenterSettings

SETTINGS_ID = 1
DEFAULT_BRAND = "#1d4ed8"
MAX_LOGO_BYTES = 512 * 1024
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
WHITE, DARK, BLACK = "#ffffff", "#111827", "#000000"
# WCAG 2.1 AA for normal text.
AA_CONTRAST = 4.5


def current_settings() -> HelpCenterSettings:
    """The settings row; an unsaved default one before an administrator saves it."""
    return HelpCenterSettings.objects.filter(pk=SETTINGS_ID).first() or HelpCenterSettings(
        pk=SETTINGS_ID, brand_color=DEFAULT_BRAND
    )


def save_help_center_settings(
    actor: User, *, organisation_name: str, brand_color: str, contact_email: str,
    contact_phone: str, contact_hours: str, logo: bytes | None = None,
    remove_logo: bool = False,
) -> HelpCenterSettings:
    """Check and store the settings (administrators only), with an audit entry naming the
    fields that changed. `logo`: an uploaded file's bytes, checked by `checked_logo`."""
    require_administrator(actor)
    color = normalise_color(brand_color)
    contact_email = contact_email.strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise InvalidField("contact_email", _("Enter a valid e-mail address.")) from None
    new_logo = checked_logo(logo) if logo is not None else None
    with transaction.atomic():
        row = HelpCenterSettings.objects.select_for_update().filter(pk=SETTINGS_ID).first()
        if row is None:
            row = HelpCenterSettings(pk=SETTINGS_ID)
        values = {
            "organisation_name": organisation_name.strip()[:120],
            "brand_color": color,
            "contact_email": contact_email,
            "contact_phone": contact_phone.strip()[:40],
            "contact_hours": contact_hours.strip()[:200],
        }
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name, value in values.items():
            setattr(row, name, value)
        if new_logo is not None:
            row.logo, row.logo_content_type = new_logo
            changed.append("logo")
        elif remove_logo and row.logo:
            row.logo, row.logo_content_type = b"", ""
            changed.append("logo")
        row.save()
        record_audit(actor, "help_center.settings_updated", row, changed=changed)
    return row


def normalise_color(value: str) -> str:
    value = value.strip()
    if not HEX_COLOR.match(value):
        raise InvalidField("brand_color", _("Write the colour as #rrggbb, for example #1d4ed8."))
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.lower()


def checked_logo(data: bytes) -> tuple[bytes, str]:
    """The logo to store and its content type, told by its bytes, not by the upload's name
    or declared type: PNG and JPEG as they are, SVG rebuilt from an allow-list."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidField("logo", _("The logo is too large: %(max)s KB at most."),
                           max=MAX_LOGO_BYTES // 1024)
    if data.startswith(PNG_MAGIC):
        return data, "image/png"
    if data.startswith(JPEG_MAGIC):
        return data, "image/jpeg"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower():
        return sanitised_svg(data), "image/svg+xml"
    raise InvalidField("logo", _("The logo must be an SVG, PNG or JPEG image."))


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "lineargradient", "radialgradient", "stop", "clippath",
    "mask", "use", "symbol",
}
SVG_ATTRIBUTES = {
    "viewbox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx",
    "ry", "d", "points", "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke",
    "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-opacity",
    "stroke-miterlimit", "stroke-dasharray", "opacity", "transform", "id", "class",
    "offset", "stop-color", "stop-opacity", "gradientunits", "gradienttransform",
    "clip-path", "mask", "font-family", "font-size", "font-weight", "text-anchor",
    "preserveaspectratio", "version", "href", "role", "aria-label", "aria-hidden",
    "dominant-baseline", "letter-spacing",
}


def sanitised_svg(data: bytes) -> bytes:
    """The SVG rebuilt from known drawing elements and attributes: no script, no event
    handler, no style, no reference outside the file. Entities are refused before parsing
    (no entity expansion attacks)."""
    refused = InvalidField("logo", _("This SVG cannot be used: save it as a plain SVG or "
                                     "a PNG."))
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise refused
    try:
        root = ET.fromstring(data)  # noqa: S314 - DOCTYPE and entities refused above
    except ET.ParseError:
        raise refused from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise refused

    def rebuild(element: ET.Element) -> ET.Element | None:
        namespace, _sep, name = element.tag.rpartition("}")
        if namespace.lstrip("{") != SVG_NS or name.lower() not in SVG_ELEMENTS:
            return None
        clean = ET.Element(f"{{{SVG_NS}}}{name}")
        for key, value in element.attrib.items():
            attr_ns, _sep, attr = key.rpartition("}")
            if attr_ns and attr_ns.lstrip("{") != XLINK_NS:
                continue
            if attr.lower() not in SVG_ATTRIBUTES:
                continue
            lowered = value.strip().lower()
            if attr == "href" and not lowered.startswith("#"):
                continue
            if "url(" in lowered and not re.fullmatch(r"url\(#[\w-]+\)", lowered):
                continue
            clean.set("href" if attr == "href" else attr, value)
        clean.text = element.text
        for child in element:
            kept = rebuild(child)
            if kept is not None:
                kept.tail = child.tail
                clean.append(kept)
        return clean

    rebuilt = rebuild(root)
    assert rebuilt is not None
    ET.register_namespace("", SVG_NS)
    return ET.tostring(rebuilt, encoding="utf-8", xml_declaration=False)


def logo_version(row: HelpCenterSettings) -> str:
    """A short hash of the logo, in its URL: a new logo is a new address for caches."""
    return hashlib.sha256(bytes(row.logo)).hexdigest()[:12] if row.logo else ""


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def luminance(color: str) -> float:
    red, green, blue = (_channel(c) for c in _rgb(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_text_on(background: str) -> str:
    """White or near-black, whichever reads better on `background`; black when neither
    reaches AA (some mid-tones)."""
    best = max((WHITE, DARK), key=lambda text: contrast(text, background))
    return best if contrast(best, background) >= AA_CONTRAST else BLACK


def darkened_for(color: str, background: str = WHITE) -> str:
    """`color`, darkened step by step until it reads as text (links) on `background`."""
    red, green, blue = _rgb(color)
    for _step in range(20):
        candidate = f"#{red:02x}{green:02x}{blue:02x}"
        if contrast(candidate, background) >= AA_CONTRAST:
            return candidate
        red, green, blue = (int(c * 0.88) for c in (red, green, blue))
    return DARK


@dataclass(frozen=True)
class Theme:
    brand: str
    on_brand: str
    accent: str
    organisation_name: str
    logo_version: str
    logo_type: str


def theme(row: HelpCenterSettings | None = None) -> Theme:
    row = row or current_settings()
    brand = row.brand_color if HEX_COLOR.match(row.brand_color or "") else DEFAULT_BRAND
    brand = normalise_color(brand)
    return Theme(
        brand=brand, on_brand=readable_text_on(brand), accent=darkened_for(brand),
        organisation_name=row.organisation_name, logo_version=logo_version(row),
        logo_type=row.logo_content_type,
    )
