"""Settings → Help center: what an administrator saves shows on the public pages; bad input
is refused beside its field; a logo is checked by its bytes and an SVG is rebuilt clean."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.knowledge import branding
from omnicanal.knowledge.models import HelpCenterSettings

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {"organisation_name": "Boutique Lumière", "brand_color": "#ffd60a",
        "contact_email": "aide@boutique.example", "contact_phone": "+33 1 23 45 67 89",
        "contact_hours": "Du lundi au vendredi, 9 h à 18 h"}


def post(client: Client, **changes: Any) -> Any:
    return client.post("/settings/help-center/", {**FORM, **changes})


def test_an_administrator_brands_the_help_center(client: Client, admin: User) -> None:
    client.force_login(admin)

    response = post(client, logo=SimpleUploadedFile("logo.png", PNG, "image/png"))

    assert response.status_code == 302
    row = HelpCenterSettings.objects.get()
    assert (row.organisation_name, row.brand_color, row.logo_content_type) == (
        "Boutique Lumière", "#ffd60a", "image/png")
    entry = AuditLogEntry.objects.get(action="help_center.settings_updated")
    assert entry.actor == admin and "logo" in entry.data["changed"]
    public = Client().get("/help/fr/contact/").content.decode()
    assert "Boutique Lumière" in public and "aide@boutique.example" in public
    # Yellow is light: the header's text turns dark, not white.
    assert "--brand:#ffd60a;--on-brand:#111827" in public
    logo = Client().get(f"/help/logo/{branding.logo_version(row)}/")
    assert logo["Content-Type"] == "image/png" and logo.content == PNG


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"brand_color": "blue"}, "brand_color", "#rrggbb"),
    # (Django's own message, in the administrator's language.)
    ({"contact_email": "not-an-address"}, "contact_email", ""),
    ({"logo": SimpleUploadedFile("logo.png", b"GIF89a....", "image/png")}, "logo",
     "SVG, PNG or JPEG"),
    ({"logo": SimpleUploadedFile("big.png", PNG + b"\x00" * branding.MAX_LOGO_BYTES)},
     "logo", "too large"),
    ({"logo": SimpleUploadedFile("x.svg", b'<!DOCTYPE svg [<!ENTITY a "b">]><svg '
                                 b'xmlns="http://www.w3.org/2000/svg">&a;</svg>')},
     "logo", "SVG, PNG or JPEG"),
])
def test_bad_input_is_refused_beside_its_field(
    client: Client, admin: User, changes: dict[str, Any], field: str, message: str
) -> None:
    User.objects.filter(pk=admin.pk).update(language="en")
    client.force_login(admin)

    response = post(client, **changes)

    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and message in page
    assert not HelpCenterSettings.objects.exists()


def test_an_svg_logo_is_rebuilt_without_scripts_or_outside_references(
    client: Client, admin: User
) -> None:
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
           b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">'
           b'<script>alert(2)</script><foreignObject><p>x</p></foreignObject>'
           b'<a href="javascript:alert(3)"><rect width="5" height="5"/></a>'
           b'<circle cx="5" cy="5" r="4" fill="#f00" style="background:url(http://x)"/>'
           b'<use xlink:href="http://evil.example/a.svg#x"/><use href="#c"/></svg>')
    client.force_login(admin)

    assert post(client, logo=SimpleUploadedFile("logo.svg", svg, "image/svg+xml")
                ).status_code == 302

    row = HelpCenterSettings.objects.get()
    stored = bytes(row.logo).decode()
    assert row.logo_content_type == "image/svg+xml"
    for bad in ("onload", "script", "alert", "foreignObject", "javascript", "style", "evil"):
        assert bad not in stored, bad
    assert '<circle cx="5" cy="5" r="4" fill="#f00"' in stored and 'href="#c"' in stored
    served = Client().get(f"/help/logo/{branding.logo_version(row)}/")
    assert "sandbox" in served["Content-Security-Policy"]


def test_removing_the_logo(client: Client, admin: User) -> None:
    client.force_login(admin)
    post(client, logo=SimpleUploadedFile("logo.png", PNG))

    post(client, remove_logo="on")

    assert bytes(HelpCenterSettings.objects.get().logo) == b""


def test_a_supervisor_may_not_change_it(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    assert post(client).status_code == 403
    assert not HelpCenterSettings.objects.exists()


@pytest.mark.parametrize(("brand", "text"), [
    ("#1d4ed8", "#ffffff"), ("#ffd60a", "#111827"), ("#777777", "#000000"),
    ("#ffffff", "#111827"),
])
def test_the_text_on_the_brand_colour_always_reads(brand: str, text: str) -> None:
    assert branding.readable_text_on(brand) == text
    assert branding.contrast(text, brand) >= 4.5
    assert branding.contrast(branding.darkened_for(brand), "#ffffff") >= 4.5
