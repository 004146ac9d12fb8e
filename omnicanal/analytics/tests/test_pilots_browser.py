"""The pilot pages in the browser, in French and English at 1440x900 and 1024x768
(screenshots in test-artifacts/pilots-*.png)."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
from django.utils import timezone
from playwright.sync_api import expect

from omnicanal.accounts.models import Team, User
from omnicanal.analytics.models import GroupKind, Pilot
from omnicanal.analytics.tests.test_pilots import START, add_facts
from omnicanal.conversations.models import Inbox, Label
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    playwright_page,
    screenshot,
)

pytestmark = BROWSER_MARKS
__all__ = ["playwright_page"]

SIZES = ((1440, 900), (1024, 768))


def _facts(inbox: Inbox, team: Team | None, day: datetime.date, count: int, *,
           response_minutes: float, fcr: float, csat_good: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for i, response in enumerate(rng.lognormal(np.log(response_minutes * 60), 0.8, count)):
        add_facts(
            1, inbox=inbox, team=team, day=day + datetime.timedelta(days=i % 28),
            first_response_s=float(response), resolution_s=float(response * 12),
            is_fcr=bool(rng.random() < fcr), has_repeat_7d=bool(rng.random() < 0.15),
            is_abandoned=bool(rng.random() < 0.05),
            csat=(5 if rng.random() < csat_good else 2) if i % 3 == 0 else None,
            nps=int(rng.integers(5, 11)) if i % 4 == 0 else None,
            ces=int(rng.integers(4, 8)) if i % 5 == 0 else None,
        )


def test_the_pilot_pages_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User, api_inbox: Inbox
) -> None:
    page, server = playwright_page, asgi_live_server
    team = Team.objects.create(name="Rappels")
    _facts(api_inbox, team, START, 90, response_minutes=4, fcr=0.8, csat_good=0.9, seed=1)
    _facts(api_inbox, None, START, 160, response_minutes=9, fcr=0.7, csat_good=0.8, seed=2)
    _facts(api_inbox, team, START - datetime.timedelta(days=31), 80, response_minutes=8,
           fcr=0.72, csat_good=0.8, seed=3)
    pilot = Pilot.objects.create(
        name="Rappel sous 10 minutes", group_kind=GroupKind.TEAM, team=team,
        description="L'équipe Rappels rappelle chaque client par téléphone au lieu d'écrire.",
        starts_on=START, ends_on=datetime.date(2026, 10, 31), created_by=supervisor,
    )
    today = timezone.localdate()
    Pilot.objects.create(
        name="Clients or : file dédiée", group_kind=GroupKind.SEGMENT, segment="gold",
        starts_on=today - datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=20),
        created_by=supervisor,
    )
    Pilot.objects.create(
        name="Étiquette remboursement", group_kind=GroupKind.LABEL,
        label=Label.objects.create(name="remboursement"),
        starts_on=today + datetime.timedelta(days=5), ends_on=today + datetime.timedelta(days=35),
    )

    problems: list[str] = []
    for language in in_each_language(page, server, supervisor, "pw-sup-123"):
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{server.url}/reports/pilots/")
            expect(page.locator("#pilot-list tbody tr")).to_have_count(3)
            screenshot(page, f"pilots-list-{language}-{width}")
            problems += accessibility_problems(page, f"pilots-list-{language}")
            page.goto(f"{server.url}/reports/pilots/{pilot.pk}/")
            expect(page.locator("#against-rest tbody tr")).to_have_count(9)
            expect(page.locator("#against-past tbody tr")).to_have_count(9)
            expect(page.locator("#against-rest [data-kpi=first_response]")).to_have_class(
                "tone-better")
            screenshot(page, f"pilots-detail-{language}-{width}")
            problems += accessibility_problems(page, f"pilots-detail-{language}")
            page.locator("#against-past").scroll_into_view_if_needed()
            screenshot(page, f"pilots-detail-past-{language}-{width}")
        page.goto(f"{server.url}/reports/pilots/{pilot.pk}/edit/")
        expect(page.locator("select[name=group]")).to_have_value(f"team:{team.pk}")
        expect(page.locator("input[name=starts_on]")).to_have_value("2026-10-01")
        screenshot(page, f"pilots-form-{language}")
        problems += accessibility_problems(page, f"pilots-form-{language}")
    assert problems == [], problems
