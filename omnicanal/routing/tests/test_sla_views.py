"""The SLA badge on the conversation page and in the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import Language, User
from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox
from omnicanal.routing.models import BusinessCalendar, SlaPolicy
from omnicanal.routing.sla import check_sla_clocks

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def english_agent(agent: User) -> Client:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def policy(db: Any) -> SlaPolicy:
    # No calendar: around the clock, so that the test does not depend on today's hours.
    return SlaPolicy.objects.create(name="Standard", first_response_time=HOUR,
                                    resolution_time=8 * HOUR)


def receive(inbox: Inbox, external_id: str, email: str) -> int:
    conversation_id = ingest(inbox, inbound(external_id, email=email)).conversation_id
    outbox.process_pending_events()
    return conversation_id


def test_the_conversation_header_shows_the_first_response_deadline_then_the_breach(
    english_agent: Client, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    conversation_id = receive(api_inbox, "m-1", "a@example.fr")
    url = reverse("web:conversation", args=[conversation_id])

    page = english_agent.get(url).content.decode()
    assert 'data-sla-target="first_response"' in page
    assert "First response due" in page

    check_sla_clocks(now=timezone.now() + 2 * HOUR)
    page = english_agent.get(url).content.decode()
    assert "First response overdue" in page


def test_the_list_shows_each_rows_deadline_for_the_same_number_of_queries(
    english_agent: Client, api_inbox: Inbox, policy: SlaPolicy,
    django_assert_max_num_queries: Any,
) -> None:
    receive(api_inbox, "m-0", "first@example.fr")
    with django_assert_max_num_queries(100) as one:
        english_agent.get(reverse("web:conversations"), HTTP_HX_REQUEST="true")
    for number in range(1, 6):
        receive(api_inbox, f"m-{number}", f"customer{number}@example.fr")
    with django_assert_max_num_queries(100) as six:
        page = english_agent.get(reverse("web:conversations"), HTTP_HX_REQUEST="true")

    assert page.content.decode().count("First response due") == 6
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.fixture
def superuser_client(db: Any) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.com", "pw-root-123"))
    return client


def test_an_administrator_adds_a_policy_in_the_admin(superuser_client: Client) -> None:
    response = superuser_client.post(reverse("admin:routing_slapolicy_add"), {
        "name": "Urgent", "position": "1", "is_active": "on", "priority": "1",
        "first_response_time": "00:30:00", "resolution_time": "04:00:00",
        "warning_percent": "75",
    })

    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.priority, policy.target_seconds("first_response")) == (1, 1800)
    assert policy.warning_seconds(1800) == 1350


def test_the_admin_calendar_form_checks_the_time_zone_and_region(
    superuser_client: Client,
) -> None:
    add_url = reverse("admin:routing_businesscalendar_add")
    page = superuser_client.get(add_url)
    assert page.status_code == 200

    form = {
        "name": "Metz", "time_zone": "Europe/Metz", "holiday_country": "FR",
        "holiday_subdivision": "99",
    }
    for prefix in ("opening_hours", "special_days", "team_links"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = superuser_client.post(add_url, form)

    errors = response.context["adminform"].form.errors
    assert set(errors) == {"time_zone", "holiday_subdivision"}

    form |= {
        "time_zone": "Europe/Paris", "holiday_subdivision": "57",
        "opening_hours-TOTAL_FORMS": "1", "opening_hours-0-weekday": "0",
        "opening_hours-0-opens_at": "09:00", "opening_hours-0-closes_at": "18:00",
    }
    assert superuser_client.post(add_url, form).status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.schedule().hours_on(dt.date(2026, 11, 23)) == [(dt.time(9), dt.time(18))]


def test_the_supervisor_sees_a_breached_conversation_among_those_at_risk(
    supervisor: User, api_inbox: Inbox, policy: SlaPolicy
) -> None:
    User.objects.filter(pk=supervisor.pk).update(language=Language.ENGLISH)
    client = Client()
    client.force_login(supervisor)
    late = receive(api_inbox, "m-1", "late@example.fr")
    check_sla_clocks(now=timezone.now() + 2 * HOUR)
    on_time = receive(api_inbox, "m-2", "on-time@example.fr")

    page = client.get(reverse("routing:supervisor")).content.decode()
    at_risk = page.split('id="at-risk-title"')[1].split("</section>")[0]

    assert f'data-conversation-id="{late}"' in at_risk
    assert "First response overdue" in at_risk
    assert f'data-conversation-id="{on_time}"' not in at_risk
    # Both still wait, each with its deadline in its queue row.
    queues = page.split('id="queues-title"')[1]
    assert queues.count("First response") == 2
