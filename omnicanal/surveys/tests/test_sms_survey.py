"""The survey lifecycle on SMS, end to end: a resolution sends the survey through Twilio, and
the customer's text answers come back through the real signed webhook."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import Role, Team, User
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.twilio.tests.conftest import fields, post_signed, sms_inbox, twilio
from omnicanal.connectors.twilio.tests.stub import TwilioStub
from omnicanal.conversations import outbox
from omnicanal.conversations.actions import assign, set_status
from omnicanal.conversations.models import (
    Conversation,
    Direction,
    HandlerRun,
    Inbox,
    Message,
    Status,
)
from omnicanal.notifications.models import Notification
from omnicanal.surveys.models import (
    FollowUpStatus,
    FollowUpTask,
    RequestStatus,
    SurveyOptOut,
    SurveyPolicy,
    SurveyRequest,
    SurveyResponse,
)

__all__ = ["sms_inbox", "twilio"]

pytestmark = pytest.mark.django_db

CUSTOMER = "+33612345678"


def settle() -> None:
    """What the after-commit dispatch does in production: every event handled, including
    those the handlers themselves wrote."""
    while outbox.process_pending_events():
        pass
    assert not HandlerRun.objects.exists(), HandlerRun.objects.values_list("last_error")


def customer_texts(inbox: Inbox, body: str, sid: int) -> Any:
    number = f"SM{sid:032x}"
    response = post_signed(inbox, fields("sms_inbound.json", Body=body, MessageSid=number,
                                         SmsSid=number, SmsMessageSid=number))
    assert response.status_code == 200
    settle()
    return response


@pytest.fixture
def supervisor_of_support(db: Any) -> User:
    return User.objects.create_user("lea@example.com", "pw-lea-123", name="Léa Superviseure",
                                    role=Role.SUPERVISOR, language="en")


@pytest.fixture
def support(agent: User, supervisor_of_support: User) -> Team:
    team = Team.objects.create(name="Support")
    team.members.add(agent, supervisor_of_support)
    return team


@pytest.fixture
def conversation(sms_inbox: Inbox, agent: User, support: Team) -> Conversation:
    SurveyPolicy.objects.create(kind="nps", inbox=sms_inbox, is_enabled=True, delay_days=0)
    customer_texts(sms_inbox, "Bonjour, ma commande n'est pas arrivée.", 1)
    conversation = Conversation.objects.get()
    assign(agent, conversation.pk, assignee_id=agent.pk, team_id=support.pk)
    settle()
    conversation.refresh_from_db()
    return conversation


def resolve(agent: User, conversation: Conversation) -> None:
    set_status(agent, conversation.pk, Status.RESOLVED)
    settle()


def survey_messages(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.filter(
        direction=Direction.OUTGOING, metadata__has_key="survey"
    ).order_by("pk"))


def test_a_resolved_sms_conversation_gets_its_nps_by_sms_and_9_super_lands_on_it(
    conversation: Conversation, agent: User, twilio: TwilioStub, sms_inbox: Inbox,
) -> None:
    resolve(agent, conversation)

    [question] = survey_messages(conversation)
    assert send_message.call(question.pk) == "sent"
    sent = twilio.requests[-1].form()
    assert sent["To"] == CUSTOMER
    assert sent["Body"] == question.text
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED

    customer_texts(sms_inbox, "9 super", 2)

    response = SurveyResponse.objects.get()
    assert (response.kind, response.score, response.comment) == ("nps", 9, "super")
    assert response.conversation_id == conversation.pk
    assert response.agent == agent
    assert response.team == conversation.team
    assert response.message is not None and response.message.text == "9 super"
    conversation.refresh_from_db()
    # The answer joined the conversation without reopening it: nobody owes a reply.
    assert conversation.status == Status.RESOLVED
    assert conversation.waiting_since is None
    assert conversation.messages.filter(direction=Direction.INCOMING).count() == 2
    assert SurveyRequest.objects.get().status == RequestStatus.ANSWERED
    assert not FollowUpTask.objects.exists()


def test_a_detractor_opens_a_follow_up_for_the_team_s_supervisor_who_is_notified(
    conversation: Conversation, agent: User, sms_inbox: Inbox, supervisor_of_support: User,
    supervisor: User,
) -> None:
    resolve(agent, conversation)

    customer_texts(sms_inbox, "3", 2)

    task = FollowUpTask.objects.get()
    assert task.status == FollowUpStatus.OPEN
    assert task.assignee == supervisor_of_support
    assert task.team == conversation.team
    assert task.response.score == 3
    notification = Notification.objects.get(recipient=supervisor_of_support)
    assert notification.conversation_id == conversation.pk
    assert "NPS 3" in notification.params["text"]
    assert not Notification.objects.filter(recipient=supervisor).exists()


def test_stop_opts_out_for_good_and_the_next_resolution_sends_nothing(
    conversation: Conversation, agent: User, sms_inbox: Inbox,
) -> None:
    resolve(agent, conversation)
    customer_texts(sms_inbox, "STOP", 2)
    assert SurveyOptOut.objects.filter(contact=conversation.contact).exists()
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED

    # A month and more later, a new question, a new resolution: no survey.
    SurveyRequest.objects.update(sent_at=timezone.now() - dt.timedelta(days=40))
    customer_texts(sms_inbox, "Une autre question", 3)
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    resolve(agent, conversation)
    SurveyRequest.objects.all().delete()  # even a conversation never surveyed before
    set_status(agent, conversation.pk, Status.OPEN)
    resolve(agent, conversation)

    request = SurveyRequest.objects.get()
    assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, "opted_out")
    assert len(survey_messages(conversation)) == 1


def test_no_second_survey_to_the_same_customer_within_30_days(
    conversation: Conversation, agent: User, sms_inbox: Inbox,
) -> None:
    resolve(agent, conversation)
    customer_texts(sms_inbox, "10", 2)
    # The same customer writes again on another conversation of the inbox, resolved too.
    Conversation.objects.filter(pk=conversation.pk).update(
        resolved_at=timezone.now() - dt.timedelta(days=10)
    )
    second = Conversation.objects.create(
        inbox=sms_inbox, contact=conversation.contact, team=conversation.team,
        last_activity_at=timezone.now(),
    )
    resolve(agent, second)

    request = SurveyRequest.objects.get(conversation=second)
    assert (request.status, request.skip_reason) == (RequestStatus.SKIPPED, "throttled")
    assert survey_messages(second) == []


def test_a_reply_without_a_score_is_kept_as_a_comment_and_reopens_the_conversation(
    conversation: Conversation, agent: User, sms_inbox: Inbox,
) -> None:
    resolve(agent, conversation)

    customer_texts(sms_inbox, "merci mais j'attends toujours mon colis", 2)

    response = SurveyResponse.objects.get()
    assert response.score is None
    assert response.comment == "merci mais j'attends toujours mon colis"
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.waiting_since is not None
    assert SurveyRequest.objects.get().status == RequestStatus.ANSWERED
    assert not FollowUpTask.objects.exists()
