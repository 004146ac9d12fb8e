"""/reports/: the figures a period sums to, who sees which, the page and its cost settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from omnicanal.accounts.models import Team, User
from omnicanal.analytics import daily, reports
from omnicanal.analytics.models import ChannelCost
from omnicanal.analytics.tests.reports_factory import at, make_conversation
from omnicanal.conversations.models import Inbox

TODAY = daily.local_day(dt.datetime.now(dt.UTC))
YESTERDAY = TODAY - dt.timedelta(days=1)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast(api_inbox: Inbox, agent: User, other_agent: User, supervisor: User,
         team: Team) -> dict[str, User]:
    """Bob (agent, team Support, supervised by Sarah) holds two conversations; Carol, in no
    team, one; one waits unassigned."""
    team.members.add(supervisor)
    make_conversation(api_inbox, at(YESTERDAY, 9), agent=agent, team=team, topic="Livraison",
                      first_response_s=120, resolution_s=7200, handle_s=600)
    make_conversation(api_inbox, at(YESTERDAY, 15), agent=agent, team=team, topic="Livraison",
                      first_response_s=240, handle_s=1200)
    make_conversation(api_inbox, at(YESTERDAY, 15), agent=other_agent, topic="Facture",
                      first_response_s=60)
    make_conversation(api_inbox, at(TODAY, 8), is_abandoned=True, agent_messages=0)
    daily.rebuild()
    return {"agent": agent, "other": other_agent, "supervisor": supervisor}


def kpi(report: reports.Report, label: str) -> object:
    return dict((row[0], row[1]) for row in report.table("kpis").rows)[label]


def rows(report: reports.Report, key: str) -> dict[object, list[object]]:
    return {row[0]: row[1:] for row in report.table(key).rows}


def test_an_administrator_sees_every_conversation(admin: User, cast: dict[str, User]) -> None:
    report = reports.build_report(admin, reports.parse_period({"days": "7"}))

    assert kpi(report, "Conversations") == 4
    assert kpi(report, "Messages received") == 4
    # Three answered, one abandoned.
    assert kpi(report, "Answer rate (%)") == 75.0
    assert set(rows(report, "agents")) == {"Bob Agent", "Carol Agent", "Unassigned"}
    assert rows(report, "labels")["Livraison"][0] == 2
    # Opened 3 yesterday and 1 today; one resolved yesterday (after 2 hours).
    days = rows(report, "days")
    assert days[YESTERDAY.isoformat()][-1] == 2 and days[TODAY.isoformat()][-1] == 3


def test_a_supervisor_sees_the_teams_they_belong_to(cast: dict[str, User]) -> None:
    report = reports.build_report(cast["supervisor"], reports.parse_period({}))

    assert kpi(report, "Conversations") == 2
    assert set(rows(report, "agents")) == {"Bob Agent"}
    assert set(rows(report, "teams")) == {"Support"}


def test_an_agent_sees_only_their_own_figures(cast: dict[str, User]) -> None:
    report = reports.build_report(cast["other"], reports.parse_period({}))

    assert kpi(report, "Conversations") == 1
    assert set(rows(report, "agents")) == {"Carol Agent"}
    assert set(rows(report, "labels")) == {"Facture"}
    # Bob's conversation of the same inbox is not in the backlog Carol sees either.
    assert rows(report, "days")[TODAY.isoformat()][-1] == 1


def test_medians_are_read_from_the_duration_buckets(admin: User, cast: dict[str, User]) -> None:
    report = reports.build_report(admin, reports.parse_period({"days": "7"}))

    # 60, 120 and 240 s: the median lies in the 60 to 120 s bucket.
    median = kpi(report, "First response, median (min)")
    assert isinstance(median, float) and 1.0 <= median <= 2.0
    assert kpi(report, "Handle time, mean (min)") == 15.0
    # Nothing answered a survey: no score rather than zero.
    assert kpi(report, "CSAT (%)") is None


def test_the_cost_per_contact_uses_each_channels_rates(
    admin: User, cast: dict[str, User]
) -> None:
    reports.save_channel_costs(admin, {"api": ("0.5", "0,1")})

    report = reports.build_report(admin, reports.parse_period({"days": "7"}))

    # 30 minutes of handling at 0.50 and 7 messages at 0.10, over 4 conversations.
    assert rows(report, "channels")["API"][-2:] == [Decimal("15.70"), Decimal("3.92")]
    assert kpi(report, "Cost per contact") == Decimal("3.92")


def test_only_administrators_set_channel_costs(admin: User, cast: dict[str, User]) -> None:
    response = client_for(cast["supervisor"]).post("/reports/costs/",
                                                   {"api-per_minute": "1"})
    assert response.status_code == 403
    assert not ChannelCost.objects.exists()

    response = client_for(admin).post("/reports/costs/", {"api-per_minute": "-1"})
    assert response.status_code == 302
    assert not ChannelCost.objects.exists()

    client_for(admin).post("/reports/costs/", {"api-per_minute": "0.35",
                                               "api-per_message": ""})
    cost = ChannelCost.objects.get(channel="api")
    assert (cost.per_minute, cost.per_message) == (Decimal("0.35"), Decimal("0"))


def test_the_page_shows_the_agents_own_figures(cast: dict[str, User]) -> None:
    response = client_for(cast["agent"]).get("/reports/?days=90")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Bob Agent" in page and "Carol Agent" not in page
    assert 'data-chart="days"' in page
    # The cost settings are for administrators.
    assert 'id="costs"' not in page


@pytest.mark.parametrize("query", ["days=12", "start=2026-02-30&end=2026-03-01",
                                   "start=2026-03-02&end=2026-03-01", "start=2000-01-01&end="])
def test_a_bad_period_is_refused_with_a_reason(agent: User, query: str) -> None:
    response = client_for(agent).get(f"/reports/?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert client_for(agent).get(f"/reports/export.csv?{query}").status_code == 400


def test_the_page_needs_a_login(db: object) -> None:
    assert Client().get("/reports/").status_code == 302
