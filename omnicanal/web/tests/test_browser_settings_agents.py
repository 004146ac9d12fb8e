"""Settings → Agents and the pages an invitation or a reset link opens, in a real browser:
an administrator invites, the agent sets a password from the link and lands in the
workspace; screenshots of each page in French and English (issue 13's bar)."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from omnicanal.accounts.models import Language, Role, Team, User
from omnicanal.routing import actions as routing_actions
from omnicanal.routing.models import Presence
from omnicanal.testing.live_server import LiveServer
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.web.tests.browser import BROWSER_MARKS, log_in, wait_until_live
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS
# The pages outside the workspace: a card on its own, no top bar.
CARD = ("main",)


def test_an_invited_agent_sets_a_password_from_the_link_and_lands_in_the_workspace(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, team: Team
) -> None:
    page = playwright_page
    server = asgi_live_server
    User.objects.filter(pk=admin.pk).update(language=Language.ENGLISH)
    log_in(page, server, "admin@example.com", "pw-admin-123")

    page.goto(f"{server.url}/settings/agents/")
    page.get_by_role("link", name="Invite an agent").click()
    page.fill("input[name=email]", "nina@example.com")
    page.fill("input[name=name]", "Nina Newcomer")
    page.select_option("select[name=language]", "en")
    page.get_by_label(team.name).check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/settings/agents/\d+/$"))
    shown_link = page.input_value("#invitation-link")
    assert shown_link.startswith(f"{server.url}/invitation/")
    run_queued_tasks()
    [sent] = mail.outbox
    assert sent.to == ["nina@example.com"]
    link = re.search(r"http://\S+/invitation/\S+/", sent.body)
    assert link is not None, sent.body

    page.context.clear_cookies()
    page.goto(link[0])
    page.fill("input[name=new_password1]", "nina-chooses-a-phrase")
    page.fill("input[name=new_password2]", "nina-chooses-a-phrase")
    page.get_by_role("button", name="Save and log in").click()
    page.wait_for_url(f"{server.url}/")
    wait_until_live(page)

    assert page.locator("body > header").get_by_text("Nina Newcomer").count() >= 1
    # The link was used: opened again, it says so instead of asking for a password.
    page.goto(link[0])
    assert page.get_by_text("This link no longer works").is_visible()


def test_the_agents_pages_in_french_and_english_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, agent: User, team: Team
) -> None:
    page = playwright_page
    server = asgi_live_server
    english = english_strings()
    billing = Team.objects.create(name="Facturation")
    billing.members.add(admin)
    routing_actions.configure_agent(agent, capacity={"chat": 3, "email": 8},
                                    skills={"facturation": 4, "allemand": 2}, dispatch=False)
    routing_actions.set_presence(agent, Presence.ONLINE, dispatch=False)
    for index, name in enumerate(["Camille Durand", "Léa Petit", "Hugo Bernard"]):
        person = User.objects.create_user(f"agent{index}@example.fr", "pw-some-123", name=name,
                                          role=Role.SUPERVISOR if index == 0 else Role.AGENT)
        person.teams.add(team)
    invited = User(email="nouvelle.recrue@example.fr", name="Nouvelle Recrue")
    invited.set_unusable_password()
    invited.save()
    User.objects.create_user("ancien@example.fr", "pw", name="Ancien Agent", is_active=False)

    problems: list[str] = []
    for language in ("fr", "en"):
        User.objects.filter(pk__in=[admin.pk, invited.pk]).update(language=language)
        page.context.clear_cookies()
        log_in(page, server, "admin@example.com", "pw-admin-123")
        page.goto(f"{server.url}/settings/agents/")
        problems += check_page(page, language, "settings-agents", english)
        page.goto(f"{server.url}/settings/agents/invite/")
        problems += check_page(page, language, "settings-agent-invite", english)
        page.goto(f"{server.url}/settings/agents/{agent.pk}/")
        problems += check_page(page, language, "settings-agent-edit", english)
        page.goto(f"{server.url}/settings/agents/{invited.pk}/")
        problems += check_page(page, language, "settings-agent-invited", english)
        link = page.input_value("#invitation-link")

        page.context.clear_cookies()
        page.context.add_cookies([{"name": "django_language", "value": language,
                                   "url": server.url}])
        page.goto(link)
        problems += check_page(page, language, "set-password", english, CARD)
        page.goto(f"{server.url}/login/")
        problems += check_page(page, language, "login", english, CARD)
        page.get_by_role("link", name=re.compile("password|passe", re.I)).click()
        page.wait_for_url(f"{server.url}/password/forgot/")
        problems += check_page(page, language, "password-forgot", english, CARD)
        page.fill("input[name=email]", "nobody@example.fr")
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{server.url}/password/forgot/sent/")
        problems += check_page(page, language, "password-forgot-sent", english, CARD)
        page.goto(f"{server.url}/invitation/expired-or-wrong/")
        problems += check_page(page, language, "invitation-invalid", english, CARD)

    assert problems == [], "\n".join(problems)
