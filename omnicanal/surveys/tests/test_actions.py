"""The survey writer: which policy applies, when a request is skipped, the periodic send,
expiry, answers from other channels (one-click links, buttons) and who follows up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from omnicanal.accounts.models import Role, Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations import outbox
from omnicanal.conversations.actions import assign, reply, set_status
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    Conversation,
    Direction,
    HandlerRun,
    Inbox,
    OutboxEvent,
    Status,
)
from omnicanal.core.exceptions import Conflict, InvalidField, PermissionDenied
from omnicanal.surveys import actions
from omnicanal.surveys.models import (
    AnswerSource,
    FollowUpStatus,
    RequestStatus,
    SurveyPolicy,
    SurveyRequest,
    SurveyResponse,
)

pytestmark = pytest.mark.django_db


def settle() -> None:
    while outbox.process_pending_events():
        pass
    assert not HandlerRun.objects.exists(), HandlerRun.objects.values_list("last_error")


@pytest.fixture
def conversation(email_inbox: Inbox, agent: User, team: Team) -> Conversation:
    result = ingest(email_inbox, inbound("m1"))
    assign(agent, result.conversation_id, assignee_id=agent.pk, team_id=team.pk)
    settle()
    return Conversation.objects.get(pk=result.conversation_id)


def resolve(agent: User, conversation: Conversation) -> None:
    set_status(agent, conversation.pk, Status.RESOLVED)
    settle()


def test_a_team_policy_wins_over_its_inbox_s_even_to_turn_a_survey_off(
    conversation: Conversation, agent: User, team: Team, email_inbox: Inbox,
) -> None:
    SurveyPolicy.objects.create(kind="csat", inbox=email_inbox, is_enabled=True)
    SurveyPolicy.objects.create(kind="csat", team=team, is_enabled=False)
    SurveyPolicy.objects.create(kind="ces", inbox=email_inbox, is_enabled=True)

    resolve(agent, conversation)

    assert list(SurveyRequest.objects.values_list("kind", "status")) == [("ces", "sent")]
    request = SurveyRequest.objects.get()
    assert (request.agent, request.team) == (agent, team)
    assert request.message is not None
    assert request.message.direction == Direction.OUTGOING
    assert request.message.author is None and not request.message.is_bot
    assert request.message.metadata["survey"]["token"] == request.token
    assert request.expires_at == request.sent_at + dt.timedelta(days=7)


def test_an_nps_due_days_later_goes_out_with_the_periodic_task_unless_reopened_meanwhile(
    conversation: Conversation, agent: User, email_inbox: Inbox,
) -> None:
    SurveyPolicy.objects.create(kind="nps", inbox=email_inbox, is_enabled=True, delay_days=3)
    resolve(agent, conversation)
    request = SurveyRequest.objects.get()
    assert request.status == RequestStatus.SCHEDULED
    assert actions.send_due_surveys() == 0

    later = timezone.now() + dt.timedelta(days=3, minutes=1)
    assert actions.send_due_surveys(now=later) == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED

    # Another conversation reopened before its day: skipped, and sent after the next
    # resolution.
    SurveyRequest.objects.all().delete()
    resolve_again = Conversation.objects.get(pk=conversation.pk)
    set_status(agent, resolve_again.pk, Status.OPEN)
    resolve(agent, resolve_again)
    set_status(agent, resolve_again.pk, Status.OPEN)
    settle()
    actions.send_due_surveys(now=later)
    request = SurveyRequest.objects.get()
    assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, "reopened")
    resolve(agent, resolve_again)
    request.refresh_from_db()
    assert request.status == RequestStatus.SCHEDULED


def test_an_unanswered_survey_expires_and_a_late_reply_is_an_ordinary_message(
    conversation: Conversation, agent: User, email_inbox: Inbox,
) -> None:
    SurveyPolicy.objects.create(kind="csat", inbox=email_inbox, is_enabled=True)
    resolve(agent, conversation)
    actions.send_due_surveys(now=timezone.now() + dt.timedelta(days=8))
    request = SurveyRequest.objects.get()
    assert request.status == RequestStatus.EXPIRED

    with pytest.raises(Conflict):
        actions.record_response(request, score=5, comment="", source=AnswerSource.LINK)


@override_settings(SURVEY_THROTTLE_DAYS=0)
def test_no_survey_where_the_customer_cannot_be_reached(
    api_inbox: Inbox, agent: User, email_inbox: Inbox,
) -> None:
    result = ingest(email_inbox, inbound("m1"))
    conversation = Conversation.objects.get(pk=result.conversation_id)
    conversation.contact.identities.update(is_undeliverable=True)
    SurveyPolicy.objects.create(kind="csat", inbox=email_inbox, is_enabled=True)

    resolve(agent, conversation)

    request = SurveyRequest.objects.get()
    assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, "no_recipient")
    assert not conversation.messages.filter(direction=Direction.OUTGOING).exists()


def test_a_one_click_answer_is_validated_and_a_second_click_changes_the_score(
    conversation: Conversation, agent: User, email_inbox: Inbox,
) -> None:
    SurveyPolicy.objects.create(kind="csat", inbox=email_inbox, is_enabled=True)
    resolve(agent, conversation)
    request = SurveyRequest.objects.get()

    with pytest.raises(InvalidField):
        actions.record_response(request, score=6, comment="", source=AnswerSource.LINK)
    first = actions.record_response(request, score=2, comment="lent", source=AnswerSource.LINK)
    again = actions.record_response(request, score=4, comment="", source=AnswerSource.LINK)

    assert again.pk == first.pk
    assert (again.score, again.comment) == (4, "lent")
    events = OutboxEvent.objects.filter(kind="survey.answered").order_by("pk")
    assert [event.payload["score"] for event in events] == [2, 4]
    assert events[0].payload["kind"] == "csat"
    assert events[0].payload["response_id"] == first.pk
    # The first answer was a detractor's: its follow-up stays for the supervisor to judge.
    assert first.follow_up.status == FollowUpStatus.OPEN


def test_a_follow_up_goes_to_any_supervisor_then_to_an_administrator(
    db: Any, admin: User,
) -> None:
    assert actions.follow_up_owner(None) == admin
    loner = Team.objects.create(name="Nobody supervises")
    other = User.objects.create_user("s2@example.com", "pw-s2-1234", role=Role.SUPERVISOR)
    assert actions.follow_up_owner(loner) == other


def test_only_administrators_change_policies_and_delays_are_bounded(
    agent: User, admin: User, email_inbox: Inbox,
) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_policy(agent, kind="nps", inbox=email_inbox, is_enabled=True,
                            delay_days=7)
    with pytest.raises(InvalidField):
        actions.save_policy(admin, kind="nps", inbox=email_inbox, is_enabled=True,
                            delay_days=400)
    policy = actions.save_policy(admin, kind="nps", inbox=email_inbox, is_enabled=True,
                                 delay_days=7, question=" Nous recommanderiez-vous ? ")
    assert (policy.is_enabled, policy.delay_days, policy.question) == (
        True, 7, "Nous recommanderiez-vous ?"
    )


def test_a_customer_answering_an_agent_after_the_survey_is_not_a_survey_comment(
    conversation: Conversation, agent: User, email_inbox: Inbox,
) -> None:
    SurveyPolicy.objects.create(kind="csat", inbox=email_inbox, is_enabled=True)
    resolve(agent, conversation)
    set_status(agent, conversation.pk, Status.OPEN)
    reply(agent, conversation.pk, "Avez-vous bien reçu le colis ?")
    settle()

    ingest(email_inbox, inbound("m2", "Oui, reçu ce matin."))
    settle()

    assert not SurveyResponse.objects.exists()
    assert SurveyRequest.objects.get().status == RequestStatus.SENT
