"""The detractor follow-ups page: supervisors see what the customer said and close the
follow-up with a note; agents are refused; the answer shows on the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import Role, Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.surveys import actions
from omnicanal.surveys.models import (
    AnswerSource,
    FollowUpStatus,
    FollowUpTask,
    RequestStatus,
    SurveyRequest,
    SurveyResponse,
)
from omnicanal.web.tests.settings_helpers import client_for, post, text

pytestmark = pytest.mark.django_db

URL = "/surveys/follow-ups/"


@pytest.fixture
def answered(email_inbox: Inbox, agent: User, team: Team, supervisor: User) -> SurveyResponse:
    team.members.add(supervisor)
    conversation = Conversation.objects.get(pk=ingest(email_inbox, inbound("m1")).conversation_id)
    now = timezone.now()
    request = SurveyRequest.objects.create(
        kind="nps", conversation=conversation, contact=conversation.contact,
        inbox=email_inbox, agent=agent, team=team, status=RequestStatus.SENT,
        due_at=now, sent_at=now, expires_at=now + timezone.timedelta(days=7),
    )
    return actions.record_response(request, score=2, comment="Trois semaines sans réponse",
                                   source=AnswerSource.LINK)


def test_agents_are_refused(agent: User, answered: SurveyResponse) -> None:
    client = client_for(agent)
    assert client.get(URL).status_code == 403
    task = FollowUpTask.objects.get()
    assert post(client, f"{URL}{task.pk}/done/", {"note": "x"}, page_url="/conversations/"
                ).status_code == 403
    task.refresh_from_db()
    assert task.status == FollowUpStatus.OPEN


def test_a_supervisor_sees_the_detractor_and_marks_the_follow_up_done_with_a_note(
    supervisor: User, answered: SurveyResponse,
) -> None:
    client = client_for(supervisor)
    page = client.get(URL)

    assert page.status_code == 200
    shown = text(page.content)
    assert "NPS 2" in shown
    assert "Trois semaines sans réponse" in shown
    assert "Jeanne Martin" in shown
    assert "Bob Agent" in shown and "Support" in shown
    assert f'href="/conversations/{answered.conversation_id}/"' in page.content.decode()

    task = FollowUpTask.objects.get()
    done = post(client, f"{URL}{task.pk}/done/", {"note": "Rappelée, colis renvoyé"}, URL)

    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.note, task.done_by) == (
        FollowUpStatus.DONE, "Rappelée, colis renvoyé", supervisor
    )
    assert "No open follow-up" in text(client.get(URL).content)
    assert "Rappelée, colis renvoyé" in text(client.get(URL + "?status=done").content)
    again = post(client, f"{URL}{task.pk}/done/", {"note": "again"}, URL)
    assert again.status_code == 409


def test_a_supervisor_of_another_team_does_not_see_it(
    answered: SurveyResponse, db: Any,
) -> None:
    other = User.objects.create_user("o@example.com", "pw-o-12345", role=Role.SUPERVISOR)
    Team.objects.create(name="Ventes").members.add(other)
    assert "No open follow-up" in text(client_for(other).get(URL).content)
    task = FollowUpTask.objects.get()
    assert post(client_for(other), f"{URL}{task.pk}/done/", {"note": ""}, URL
                ).status_code == 404


def test_the_answer_shows_on_the_conversation(agent: User, answered: SurveyResponse) -> None:
    page = client_for(agent).get(f"/conversations/{answered.conversation_id}/")

    assert page.status_code == 200
    assert "NPS 2 — « Trois semaines sans réponse »" in text(page.content)
