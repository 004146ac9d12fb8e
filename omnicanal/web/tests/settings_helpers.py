"""Shared by the settings pages' view tests of teams, labels and attributes: a logged-in client
that posts with the page's CSRF token, as the browser does, and the page's text."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from omnicanal.accounts.models import Language, User


def client_for(user: User, language: str = Language.ENGLISH) -> Client:
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def text(html: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


def post(client: Client, url: str, data: dict[str, Any], page_url: str = "") -> Any:
    page = client.get(page_url or url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the page carries a CSRF token"
    return client.post(url, {**data, "csrfmiddlewaretoken": token.group(1)})


def field_errors(html: bytes, field: str) -> str:
    """The errors shown beside one field (its `<ul id="id_<field>_error">`)."""
    match = re.search(rf'<ul class="field-errors" id="id_{field}_error">(.*?)</ul>',
                      html.decode(), re.S)
    return text(match.group(1).encode()) if match else ""
