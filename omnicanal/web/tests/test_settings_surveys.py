"""Settings → Surveys: administrators choose per inbox and per team which surveys go out,
when, and with which question; a team can follow its inbox again; agents are refused."""

from __future__ import annotations

import pytest

from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Inbox
from omnicanal.surveys.models import SurveyPolicy
from omnicanal.web.tests.settings_helpers import client_for, post, text

pytestmark = pytest.mark.django_db

URL = "/settings/surveys/"


def test_agents_and_supervisors_are_refused(agent: User, supervisor: User) -> None:
    assert client_for(agent).get(URL).status_code == 403
    assert client_for(supervisor).get(URL).status_code == 403


def test_the_page_lists_every_inbox_and_team_with_the_three_surveys(
    admin: User, email_inbox: Inbox, team: Team,
) -> None:
    page = client_for(admin).get(URL)

    assert page.status_code == 200
    shown = text(page.content)
    assert "Support mail" in shown and "Support" in shown
    html = page.content.decode()
    assert html.count('-nps-mode"') == 2
    # NPS is proposed a week after the resolution, the others at once.
    assert f'name="inbox-{email_inbox.pk}-nps-delay" value="7"' in html
    assert f'name="inbox-{email_inbox.pk}-csat-delay" value="0"' in html
    assert f'name="team-{team.pk}-csat-mode"' in html
    assert not SurveyPolicy.objects.exists()


def test_an_administrator_turns_surveys_on_and_a_team_off_then_back_to_its_inbox(
    admin: User, email_inbox: Inbox, team: Team,
) -> None:
    client = client_for(admin)
    inbox, teamp = f"inbox-{email_inbox.pk}", f"team-{team.pk}"

    saved = post(client, URL, {
        f"{inbox}-csat-mode": "on", f"{inbox}-csat-delay": "0",
        f"{inbox}-nps-mode": "on", f"{inbox}-nps-delay": "10",
        f"{inbox}-nps-question": "Nous recommanderiez-vous à un ami ?",
        f"{teamp}-csat-mode": "off",
    })

    assert saved.status_code == 302
    assert set(SurveyPolicy.objects.values_list(
        "kind", "inbox_id", "team_id", "is_enabled", "delay_days", "question"
    )) == {
        ("csat", email_inbox.pk, None, True, 0, ""),
        ("nps", email_inbox.pk, None, True, 10, "Nous recommanderiez-vous à un ami ?"),
        ("csat", None, team.pk, False, 0, ""),
    }
    page = client.get(URL).content.decode()
    assert "Survey settings saved." in page

    post(client, URL, {f"{teamp}-csat-mode": "inherit"})
    assert not SurveyPolicy.objects.filter(team=team).exists()


def test_a_wrong_delay_is_shown_beside_its_row_and_nothing_is_saved(
    admin: User, email_inbox: Inbox,
) -> None:
    inbox = f"inbox-{email_inbox.pk}"

    refused = post(client_for(admin), URL, {
        f"{inbox}-csat-mode": "on",
        f"{inbox}-nps-mode": "on", f"{inbox}-nps-delay": "deux",
        f"{inbox}-ces-mode": "on", f"{inbox}-ces-delay": "900",
    })

    assert refused.status_code == 422
    shown = text(refused.content)
    assert "Days after resolution: a whole number." in shown
    assert "Days after resolution: from 0 to 365." in shown
    assert not SurveyPolicy.objects.exists()


def test_the_page_is_in_the_settings_navigation_for_administrators(admin: User) -> None:
    page = client_for(admin).get("/settings/inboxes/").content.decode()
    assert f'href="{URL}"' in page
