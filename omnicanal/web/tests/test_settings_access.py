"""Who may open which settings page: every route under /settings/ is enumerated, so a page
added without a role check fails here (issue 13's bar: 403 to an agent, 200 for supervisors
where stated)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from omnicanal.accounts.models import User
from omnicanal.web.settings_pages.nav import PAGES

# The pages supervisors may open besides administrators (their sub-pages too).
SUPERVISOR_PAGES = tuple(
    page.url_name for page in PAGES if page.for_supervisors
)


def _routes(patterns: Any, prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def settings_paths() -> list[str]:
    """Every settings route, its parameters filled with 1 (what the object is does not
    matter: the role is checked before it is looked up)."""
    paths = []
    for route in _routes(get_resolver().url_patterns):
        if route.startswith("settings/"):
            paths.append("/" + re.sub(r"<(?:\w+:)?\w+>", "1", route))
    return sorted(set(paths))


def test_the_settings_area_has_its_pages() -> None:
    paths = settings_paths()
    for page in ("inboxes", "agents", "teams", "labels", "attributes", "hours", "sla",
                 "automation", "answers", "failures", "audit"):
        assert f"/settings/{page}/" in paths


@pytest.mark.parametrize("path", settings_paths())
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_agent_is_refused_every_settings_route(
    client: Client, agent: User, path: str, method: str
) -> None:
    client.force_login(agent)
    response = getattr(client, method)(path)
    # 405: the route does not take this method at all, so it cannot change anything either.
    assert response.status_code in (403, 405), f"{method.upper()} {path}: {response.status_code}"


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    for path in settings_paths():
        response = client.get(path)
        assert response.status_code in (302, 405), path
        if response.status_code == 302:
            assert response["Location"].startswith("/login/"), path


def test_supervisors_open_their_pages_and_not_the_others(
    client: Client, supervisor: User
) -> None:
    from django.urls import reverse

    client.force_login(supervisor)
    open_paths = [reverse(name) for name in SUPERVISOR_PAGES]
    for path in settings_paths():
        response = client.get(path)
        if path == "/settings/" or any(path.startswith(prefix) for prefix in open_paths):
            assert response.status_code in (200, 302, 404, 405), path
        else:
            assert response.status_code in (403, 405), f"GET {path}: {response.status_code}"


def test_settings_sends_each_role_to_its_first_page(
    client: Client, admin: User, supervisor: User
) -> None:
    client.force_login(admin)
    assert client.get("/settings/")["Location"] == "/settings/inboxes/"
    client.force_login(supervisor)
    assert client.get("/settings/")["Location"] == "/settings/labels/"


def test_the_navigation_shows_only_the_pages_a_role_may_open(
    client: Client, admin: User, supervisor: User
) -> None:
    client.force_login(supervisor)
    page = client.get("/settings/labels/").content.decode()
    assert 'href="/settings/answers/"' in page
    assert 'href="/settings/inboxes/"' not in page
    client.force_login(admin)
    page = client.get("/settings/labels/").content.decode()
    assert 'href="/settings/inboxes/"' in page and 'href="/settings/audit/"' in page


def test_the_audit_log_lists_changes_newest_first_and_filters_by_action(
    client: Client, admin: User
) -> None:
    from omnicanal.accounts.actions import record_audit

    record_audit(admin, "label.created", admin, name="Urgent")
    record_audit(admin, "inbox.updated", admin, name="Support")
    client.force_login(admin)
    page = client.get("/settings/audit/").content.decode()
    assert page.index("inbox.updated") < page.index("label.created")
    filtered = client.get("/settings/audit/", {"action": "label."}).content.decode()
    assert "label.created" in filtered and "inbox.updated" not in filtered


def test_the_top_bar_links_to_the_demo_outbox_only_in_the_demo(
    client: Client, agent: User, settings: Any
) -> None:
    client.force_login(agent)
    settings.DEMO_SINKS = False
    assert 'href="/demo/outbox/"' not in client.get("/").content.decode()
    settings.DEMO_SINKS = True
    assert 'href="/demo/outbox/"' in client.get("/").content.decode()
