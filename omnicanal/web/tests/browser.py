"""Shared by the browser tests: Debian's Chromium through Playwright, the login step,
screenshots to test-artifacts/. The `playwright_page` fixture is registered in conftest.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from omnicanal.testing.browser import sync_playwright_for_django
from omnicanal.testing.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = settings.PROJECT_DIR / "test-artifacts"
# The browser logs the 422 of the refusal the test provokes on purpose; nothing else may fail.
EXPECTED_REFUSAL = re.compile(r"status of 422|Status Error Code 422")

BROWSER_MARKS = [
    pytest.mark.browser,
    # One worker runs them all: a single Chromium at a time keeps the machine responsive.
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
]


@pytest.fixture
def playwright_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with sync_playwright_for_django(monkeypatch) as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(5000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error"
                and not EXPECTED_REFUSAL.search(message.text) and errors.append(message.text))
        try:
            yield page
            # A script error would leave the page looking right but no longer live.
            assert errors == [], errors
        finally:
            context.close()
            browser.close()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


# axe-core's impact levels a page may not have (WCAG 2.1 AA): "minor" and "moderate" are
# reported by axe as advice.
BLOCKING_IMPACTS = {"serious", "critical"}


def accessibility_problems(page: Any, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [
        f"{name}: {violation['id']} ({violation['impact']}): "
        # A node inside a shadow root is named by a list (host, then the node inside).
        + "; ".join(str(node["target"][0]) for node in violation["nodes"][:3] if node["target"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def in_each_language(page: Any, server: LiveServer, user: Any, password: str) -> Iterator[str]:
    """"fr", then "en": the user's language set to it before each round, logged in for the
    first (the second round's page loads show the new language)."""
    for language in ("fr", "en"):
        type(user).objects.filter(pk=user.pk).update(language=language)
        if language == "fr":
            log_in(page, server, user.email, password)
        yield language


def log_in(page: Any, server: LiveServer, email: str, password: str) -> None:
    page.goto(f"{server.url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    wait_until_live(page)


def wait_until_live(page: Any) -> None:
    page.wait_for_selector("#connection[data-state=live]")



