"""Settings → Business hours and SLA policies as an administrator sees them, in French and in
English at 1440x900 and 1024x768: the lists and the forms, checked like the main pages
(no overflow, landmarks, no English left on a French page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.routing.models import SlaPolicy, SpecialDay, TeamCalendar
from omnicanal.routing.sla import create_default_sla
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language
from omnicanal.web.tests.test_browser_screenshots import (
    SCREENSHOTS,
    WINDOWS,
    check_page,
    english_strings,
)

pytestmark = BROWSER_MARKS


def whole_page(page: Any, language: str, name: str) -> None:
    """The page's main pane scrolls on its own, so a full-page screenshot stops at the
    window: a tall window shows a reviewer the rest of a long form."""
    page.set_viewport_size({"width": WINDOWS[0][0], "height": 2000})
    page.screenshot(path=str(SCREENSHOTS / language / f"{name}-whole.png"))
    page.set_viewport_size({"width": WINDOWS[0][0], "height": WINDOWS[0][1]})


def test_the_service_level_pages_in_french_and_english_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    page = playwright_page
    server = asgi_live_server
    english = english_strings()
    calendar = create_default_sla()
    TeamCalendar.objects.create(team=Team.objects.create(name="Service client"),
                                calendar=calendar)
    soon = timezone.localdate() + dt.timedelta(days=10)
    SpecialDay.objects.create(calendar=calendar, date=soon, name="Inventaire annuel")
    SpecialDay.objects.create(calendar=calendar, date=soon + dt.timedelta(days=1),
                              name="Journée portes ouvertes", opens_at=dt.time(10),
                              closes_at=dt.time(16))
    # The demo's "Urgent" is also an English word of the catalogue: the check would flag it.
    SlaPolicy.objects.filter(name="Urgent").update(name="Prioritaires")
    urgent = SlaPolicy.objects.get(name="Prioritaires")

    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):

        page.goto(f"{server.url}/settings/hours/")
        page.locator("#calendars").wait_for(state="visible")
        problems += check_page(page, language, "settings-hours", english)

        page.goto(f"{server.url}/settings/hours/{calendar.pk}/")
        page.locator(".week-grid").wait_for(state="visible")
        problems += check_page(page, language, "settings-hours-form", english)
        whole_page(page, language, "settings-hours-form")

        # Wednesday's ranges overlap: the error shows on Wednesday's row, nothing is saved.
        page.fill("#id_d2_closes0", "14:00")
        page.click(".hours-form button.primary")
        page.locator("#id_d2_open_error").wait_for(state="visible")
        problems += check_page(page, language, "settings-hours-form-errors", english)

        page.goto(f"{server.url}/settings/sla/")
        page.locator("#policies").wait_for(state="visible")
        problems += check_page(page, language, "settings-sla", english)

        # The order is changed with the keyboard: "move down" in French, back up in English.
        direction = "down" if language == "fr" else "up"
        page.locator(f"#policy-{urgent.pk} button[value={direction}]").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/settings/sla/#policy-{urgent.pk}")
        order = page.locator("#policies tbody tr td:nth-child(2) strong").all_inner_texts()
        assert order.index("Prioritaires") == (1 if language == "fr" else 0), order

        page.goto(f"{server.url}/settings/sla/{urgent.pk}/")
        page.fill("#id_first_response_time", "une demi-heure")
        page.click(".sla-form button.primary")
        page.locator("#id_first_response_time_error").wait_for(state="visible")
        problems += check_page(page, language, "settings-sla-form", english)
        whole_page(page, language, "settings-sla-form")

    assert problems == [], "\n".join(problems)
