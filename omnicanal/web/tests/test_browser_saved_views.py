"""Saved views and the bulk bar in a real browser, in French then English: an agent filters
and sorts the list and saves it for their team; a teammate opens it and gets the same rows;
someone outside the team never sees it; checking rows brings the bulk bar, and resolving them
says what was done.

Screenshots of the toolbar (at rest, filters panel open, bulk bar) at 1440x900 and 1024x768,
and in a ~400 px column like the workspace's list pane, go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Status
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    log_in,
    wait_until_live,
)
from omnicanal.web.tests.test_browser_screenshots import SCREENSHOTS, check_page, english_strings

pytestmark = BROWSER_MARKS

WORDS = {
    "fr": {
        "apply": "Appliquer", "waiting": "Attente la plus longue", "team": "Équipe Support",
        "save": "Enregistrer la vue", "view": "Courriels en attente", "shared":
        "Partagées avec mes équipes", "selected": "2 sélectionnées", "resolve": "Résoudre",
        "resolved": "2 conversations résolues.", "wake": "Heure de réveil",
    },
    "en": {
        "apply": "Apply", "waiting": "Waiting longest", "team": "Team Support",
        "save": "Save view", "view": "Waiting e-mails", "shared": "Shared with my teams",
        "selected": "2 selected", "resolve": "Resolve", "resolved": "2 conversations resolved.",
        "wake": "Wake-up time",
    },
}

# The workspace's list pane after the three-pane layout: the toolbar must hold in it.
NARROW_COLUMN = ".list-page { max-width: 400px !important; margin: 0 !important; }"

# The toolbar's controls and open panels that stick out of it, or overlap one another.
TOOLBAR_PROBLEMS_JS = """() => {
  const bar = document.getElementById("list-toolbar").getBoundingClientRect();
  const items = [...document.querySelectorAll(
      "#list-toolbar summary, #list-toolbar > * > button, #list-toolbar details[open] > .menu-panel")]
    .filter((item) => item.checkVisibility() && item.getBoundingClientRect().width > 0);
  const name = (item) => item.textContent.replace(/\\s+/g, " ").trim().slice(0, 30);
  const found = [];
  items.forEach((one, i) => {
    const a = one.getBoundingClientRect();
    if (a.right > bar.right + 1 || a.left < bar.left - 1) found.push(`sticks out: ${name(one)}`);
    items.slice(i + 1).forEach((other) => {
      if (one.contains(other) || other.contains(one)) return;
      const b = other.getBoundingClientRect();
      const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (width > 1 && height > 1) found.push(`overlap: ${name(one)} / ${name(other)}`);
    });
  });
  return found;
}"""


def rows_shown(page: Any) -> list[str]:
    return page.locator(".conversation-row").evaluate_all(
        "rows => rows.map(row => row.dataset.conversationId)"
    )


def log_in_as(page: Any, server: LiveServer, user: User, password: str) -> None:
    page.context.clear_cookies()
    log_in(page, server, user.email, password)


def screenshots(page: Any, language: str, name: str, english: list[str]) -> list[str]:
    """check_page's screenshots and checks, then the same state in a narrow column."""
    problems = check_page(page, language, name, english)
    style = page.add_style_tag(content=NARROW_COLUMN)
    page.screenshot(path=str(SCREENSHOTS / language / f"{name}-narrow.png"))
    toolbar = page.locator("#list-toolbar").bounding_box()
    # At rest the toolbar stays on one line in the narrow column.
    if toolbar["height"] > 40:
        problems.append(f"{name}-narrow: the toolbar is {toolbar['height']}px high")
    problems += [f"{name}-narrow: {problem}" for problem in page.evaluate(TOOLBAR_PROBLEMS_JS)]
    style.evaluate("element => element.remove()")
    return problems


def test_a_view_shared_with_a_team_opens_the_same_list_for_a_teammate_only(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, team: Team
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    server = asgi_live_server
    teammate = User.objects.create_user("eve@example.com", "pw-eve-123", name="Eve Équipe")
    team.members.add(teammate)
    outsider = User.objects.create_user("dan@example.com", "pw-dan-123", name="Dan Dehors")
    mail = Inbox.objects.create(name="Support mail", channel=ChannelKind.EMAIL,
                                settings={"from_address": "support@omnicanal.example"})
    site = Inbox.objects.create(name="Site", channel=ChannelKind.API)
    now = timezone.now()
    for index in range(6):
        conversation_id = ingest(mail, inbound(f"<m-{index}@x>", f"Colis {index} en retard",
                                               email=f"client{index}@example.fr",
                                               name=f"Client Courriel {index}")).conversation_id
        # Waiting the longest is not the most recent: the order must be the one asked for.
        Conversation.objects.filter(pk=conversation_id).update(
            waiting_since=now - dt.timedelta(hours=(index * 5) % 6 + 1)
        )
    for index in range(3):
        ingest(site, inbound(f"s-{index}", "Question sur le site",
                             email=f"site{index}@example.fr", name=f"Client Site {index}"))
    english = english_strings()
    problems: list[str] = []

    for language in ("fr", "en"):
        words = WORDS[language]
        User.objects.filter(pk__in=[agent.pk, teammate.pk, outsider.pk]).update(
            language=language
        )

        # The agent filters (e-mail) and sorts (waiting longest), then saves for the team.
        log_in_as(page, server, agent, "pw-bob-123")
        problems += accessibility_problems(page, f"list-{language}")
        page.locator(".filters-menu > summary").click()
        page.locator(".filters-panel select[name=channel]").select_option("email")
        problems += screenshots(page, language, "list-filters-panel", english)
        problems += accessibility_problems(page, f"filters-panel-{language}")
        page.get_by_role("button", name=words["apply"]).click()
        page.locator(".sort-menu > summary").click()
        page.get_by_role("link", name=words["waiting"]).click()
        wait_until_live(page)
        expect(page.locator(".sort-menu .tool-label")).to_have_text(words["waiting"])
        expected = [str(pk) for pk in Conversation.objects.filter(
            inbox=mail, status=Status.OPEN).order_by("waiting_since", "id")
            .values_list("pk", flat=True)]
        assert rows_shown(page) == expected
        page.locator(".saved-menu > summary").click()
        page.fill("#saved-view-name", words["view"])
        page.locator("#saved-view-team").select_option(label=words["team"])
        problems += accessibility_problems(page, f"saved-views-menu-{language}")
        problems += screenshots(page, language, "list-saved-views-menu", english)
        page.get_by_role("button", name=words["save"]).click()
        wait_until_live(page)
        expect(page.locator(".saved-menu .tool-label")).to_have_text(words["view"])
        problems += screenshots(page, language, "list-toolbar", english)

        # A teammate finds it among the team's views and gets the same rows, same order.
        log_in_as(page, server, teammate, "pw-eve-123")
        page.locator(".saved-menu > summary").click()
        shared = page.locator(".saved-panel ul", has=page.get_by_text(words["view"]))
        expect(page.locator(".saved-panel")).to_contain_text(words["shared"])
        shared.get_by_role("link", name=words["view"]).click()
        wait_until_live(page)
        assert rows_shown(page) == expected

        # Two rows checked: the bulk bar takes the toolbar's place; resolving says so.
        boxes = page.locator(".conversation-row .row-select")
        boxes.nth(0).check()
        boxes.nth(1).check()
        bar = page.locator("[data-bulk-bar]")
        expect(bar).to_be_visible()
        expect(page.locator("[data-toolbar-rest]")).to_be_hidden()
        expect(bar.locator("[data-bulk-count]")).to_have_text(words["selected"])
        problems += screenshots(page, language, "list-bulk-bar", english)
        problems += accessibility_problems(page, f"bulk-bar-{language}")
        # The wake-up time shows only for snoozing, labelled; Escape closes it.
        expect(page.get_by_label(words["wake"])).to_be_hidden()
        bar.locator(".bulk-menu > summary").nth(2).click()
        expect(page.get_by_label(words["wake"])).to_be_visible()
        problems += screenshots(page, language, "list-bulk-snooze", english)
        page.keyboard.press("Escape")
        expect(page.get_by_label(words["wake"])).to_be_hidden()
        bar.get_by_role("button", name=words["resolve"]).click()
        expect(page.locator(".bulk-outcome")).to_contain_text(words["resolved"])
        expect(bar).to_be_hidden()
        expect(page.locator("[data-toolbar-rest]")).to_be_visible()
        assert rows_shown(page) == expected[2:]

        # Outside the team: no trace of it.
        log_in_as(page, server, outsider, "pw-dan-123")
        page.locator(".saved-menu > summary").click()
        expect(page.locator(".saved-panel")).not_to_contain_text(words["view"])

    assert problems == []
