"""/reports/ in a real browser: the charts are drawn, the CSV export says what the page says,
and the page reads well in both languages and at both sizes (screenshots in docs/screenshots/
and test-artifacts/)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.conf import settings

from omnicanal.accounts.models import Team, User
from omnicanal.analytics import daily
from omnicanal.analytics.models import ChannelCost
from omnicanal.analytics.tests.reports_factory import at, make_conversation
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.surveys.models import AnswerSource, SurveyKind, SurveyResponse
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    ARTIFACTS,
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    playwright_page,
)
from omnicanal.web.tests.test_browser_screenshots import OVERFLOW_JS, OVERLAPS_JS

__all__ = ["playwright_page"]

pytestmark = BROWSER_MARKS

DOCS = settings.PROJECT_DIR / "docs" / "screenshots"
SIZES = {"1440": (1440, 900), "1024": (1024, 768)}

# Paints at least one non-transparent pixel on each chart's canvas: drawn, not just placed.
DRAWN_CHARTS = """() => [...document.querySelectorAll('.chart[data-chart] canvas')].map((canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]) painted++;
  return painted;
})"""


def a_month_of_conversations(admin: User) -> None:
    web = Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)
    mail = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL)
    support = Team.objects.create(name="Support")
    agents = [User.objects.create_user(f"agent{n}@example.com", "pw-agent-123", name=name)
              for n, name in enumerate(["Bob Martin", "Chloé Durand", "Karim Haddad"])]
    today = daily.local_day(dt.datetime.now(dt.UTC))
    for day_index in range(30):
        day = today - dt.timedelta(days=day_index)
        for n in range(2 + (day_index * 7) % 5):
            agent = agents[(day_index + n) % 3]
            fact = make_conversation(
                web if n % 2 else mail, at(day, 8 + (n * 3 + day_index) % 10), agent=agent,
                team=support if n % 3 else None, topic=["Livraison", "Facture", ""][n % 3],
                first_response_s=(None if (n + day_index) % 11 == 0
                                  else 60.0 * (1 + (n + day_index) % 9)),
                resolution_s=3600.0 * (1 + n) if (n + day_index) % 4 else None,
                handle_s=240.0 * (1 + n % 3), customer_messages=2 + n % 3, agent_messages=2,
                is_abandoned=(n + day_index) % 11 == 0,
            )
            if n < 2:
                kind, score = ((SurveyKind.CSAT, 3 + (day_index % 3)) if n == 0
                               else (SurveyKind.NPS, 5 + (day_index % 6)))
                SurveyResponse.objects.create(
                    kind=kind, conversation=fact.conversation, contact=fact.contact,
                    inbox=fact.inbox, score=score, source=AnswerSource.REPLY,
                    answered_at=fact.created_at,
                )
    ChannelCost.objects.create(channel=ChannelKind.WEBCHAT, per_minute=Decimal("0.45"))
    ChannelCost.objects.create(channel=ChannelKind.EMAIL, per_minute=Decimal("0.40"),
                               per_message=Decimal("0.02"))
    daily.rebuild()


def as_number(text: str) -> float | None:
    """A figure as the page prints it in either language ("1 234,5", "1,234.5", a dash)."""
    text = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if text in ("", "\u2013"):
        return None
    if "," in text and "." in text:
        text = text.replace(",", "")
    return float(text.replace(",", "."))


def csv_tables(text: str) -> list[list[list[str]]]:
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if not row:
            blocks.append([])
        else:
            blocks[-1].append(row)
    return blocks[1:]


def test_the_reports_page_draws_its_charts_and_exports_the_same_figures(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    from playwright.sync_api import expect

    page, server = playwright_page, asgi_live_server
    a_month_of_conversations(admin)
    DOCS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "reports").mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{server.url}/reports/")
            # The nav entry leads here and says so.
            expect(page.locator(".topnav a[aria-current=page]")).to_have_attribute(
                "href", "/reports/")
            expect(page.locator(".chart[data-drawn=true]")).to_have_count(4, timeout=15000)
            painted = page.evaluate(DRAWN_CHARTS)
            assert len(painted) == 4 and all(painted), painted
            name = f"reports-{language}-{size}"
            page.screenshot(path=str(DOCS / f"{name}.png"))
            page.screenshot(path=str(ARTIFACTS / "reports" / f"{name}.png"))
            problems += [f"{name}: overflows: {item}" for item in page.evaluate(OVERFLOW_JS)]
            # The tables below the charts, for the reviewer's eyes.
            page.locator("#table-channels").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "reports" / f"{name}-tables.png"))
            page.locator("#costs").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "reports" / f"{name}-costs.png"))
            problems += [f"{name}: overlap in the top bar: {pair}"
                         for pair in page.evaluate(OVERLAPS_JS, "body > header")]
        problems += accessibility_problems(page, f"reports-{language}")

        # The CSV of the same period holds the figures the tiles and the tables show.
        export = page.locator("a[href*='export.csv']").get_attribute("href")
        response = page.request.get(f"{server.url}{export}")
        assert response.ok
        tables = csv_tables(response.text())
        kpis = {row[0]: row[1] for row in tables[0][2:]}
        tiles = page.locator(".kpi-tile")
        assert tiles.count() == len(kpis) == 14
        for index in range(tiles.count()):
            label = tiles.nth(index).locator("dt").inner_text()
            shown = as_number(tiles.nth(index).locator("dd").inner_text())
            exported = as_number(kpis[label])
            assert shown == exported, (label, shown, exported)
        for block in tables[1:]:
            key_rows = {row[0]: row[1:] for row in block[2:]}
            table = page.locator("table.report-table").filter(
                has=page.locator("thead th", has_text=block[1][1])
            ).first
            if block[1][0] in ("Jour", "Day"):
                table = page.locator("table[data-table=days]")
            for row in table.locator("tbody tr").all():
                cells = [cell.inner_text() for cell in row.locator("th, td").all()]
                if cells[0] in key_rows:
                    assert [as_number(cell) for cell in cells[1:]] == [
                        as_number(cell) for cell in key_rows[cells[0]]], cells[0]
        xlsx = page.request.get(f"{server.url}{export.replace('export.csv', 'export.xlsx')}")
        assert xlsx.ok and xlsx.body()[:2] == b"PK"
    assert problems == [], problems
