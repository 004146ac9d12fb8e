"""First run and the pages outside the workspace, in a real browser: the setup page on an
empty database, the error pages (French and English, at the two window sizes, checked like the
main pages), and the API documentation with the network cut."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.template import loader
from django.utils import translation

from omnicanal.accounts.models import Language, Role, User
from omnicanal.testing.browser import sync_playwright_for_django
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS

# The error pages answer with their status on purpose: the browser logs it as an error.
EXPECTED_STATUS = re.compile(r"status of (403|404|500)")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
def serve_html(html: str, status: int) -> Callable[[Any], None]:
    def handler(route: Any) -> None:
        route.fulfill(status=status, body=html, content_type="text/html; charset=utf-8")

    return handler


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Any]]:
    """A new browser page whose Accept-Language is `locale`; script errors fail the test."""
    errors: list[str] = []
    with sync_playwright_for_django(monkeypatch) as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

        def new_page(locale: str) -> Any:
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
            page = context.new_page()
            page.set_default_timeout(5000)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: message.type == "error"
                    and not EXPECTED_STATUS.search(message.text) and errors.append(message.text))
            return page

        try:
            yield new_page
            assert errors == [], errors
        finally:
            browser.close()


def test_the_first_run_creates_the_administrator_and_the_pages_look_right(
    asgi_live_server: LiveServer, open_page: Callable[[str], Any]
) -> None:
    server = asgi_live_server
    problems: list[str] = []
    english = english_strings()

    for language in ("fr", "en"):
        page = open_page("fr-FR" if language == "fr" else "en-GB")
        page.goto(f"{server.url}/")
        page.wait_for_url(f"{server.url}/setup/")
        assert page.locator("html").get_attribute("lang") == language
        problems += check_page(page, language, "setup", english)
        page.click("button.primary")  # nothing filled in: the errors show beside the fields
        page.locator(".field-invalid").first.wait_for()
        problems += check_page(page, language, "setup-errors",
                               english)
        page.context.close()

    # The language switch of the setup page, then the form.
    page = open_page("fr-FR")
    page.goto(f"{server.url}/setup/")
    page.get_by_role("button", name="English", exact=True).click()
    page.wait_for_url(f"{server.url}/setup/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.fill("#id_name", "Inès Martin")
    page.fill("#id_email", "ines@example.fr")
    page.fill("#id_password1", "un-long-mot-de-passe")
    page.fill("#id_password2", "un-long-mot-de-passe")
    page.select_option("#id_language", "en")
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/settings/inboxes/"))
    admin = User.objects.get()
    assert admin.role == Role.ADMINISTRATOR and admin.is_superuser
    assert page.goto(f"{server.url}/setup/").status == 404
    page.context.close()

    User.objects.create_user("bob@example.com", "pw-bob-123", name="Bob Agent")
    for language in ("fr", "en"):
        User.objects.filter(email="bob@example.com").update(
            language=Language.FRENCH if language == "fr" else Language.ENGLISH)
        strings = english
        anonymous = open_page("fr-FR" if language == "fr" else "en-GB")
        assert anonymous.goto(f"{server.url}/no/such/page/").status == 404
        problems += check_page(anonymous, language, "error-404-anonymous", strings)
        anonymous.context.close()

        page = open_page("en-GB" if language == "fr" else "fr-FR")  # the agent's choice wins
        page.goto(f"{server.url}/login/")
        page.fill("input[name=username]", "bob@example.com")
        page.fill("input[name=password]", "pw-bob-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/")
        assert page.goto(f"{server.url}/no/such/page/").status == 404
        assert page.locator("html").get_attribute("lang") == language
        problems += check_page(page, language, "error-404", strings)
        assert page.goto(f"{server.url}/settings/inboxes/").status == 403
        problems += check_page(page, language, "error-403", strings)
        page.get_by_role("link", name=re.compile("conversations", re.I)).first.click()
        page.wait_for_url(f"{server.url}/")

        # The 500 page as Django's handler renders it (no request), served at a page address
        # so that its styles load from the server.
        with translation.override(language):
            html = loader.get_template("500.html").render()
        page.route(f"{server.url}/broken/", serve_html(html, 500))
        assert page.goto(f"{server.url}/broken/").status == 500
        problems += check_page(page, language, "error-500", strings)
        page.context.close()

    assert problems == [], "\n".join(problems)


def test_the_api_docs_load_with_the_network_cut(
    asgi_live_server: LiveServer, open_page: Callable[[str], Any], agent: User
) -> None:
    page = open_page("en-GB")
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_local)
    page.goto(f"{asgi_live_server.url}/api/v1/docs")

    page.locator(".opblock").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/inboxes" in [path.replace("\u200b", "") for path in paths]
    assert len(paths) >= 10
    assert page.locator(".info .title").inner_text().startswith("Omnicanal API")
    assert outside == []
