"""The one writer of survey requests, answers, opt-outs and follow-ups.

A resolution schedules the surveys its policies ask for; a due request is sent on the
customer's own channel as an automated message (the send pipeline delivers and retries it);
the customer's answer, from a reply, a link, the widget or a button, is recorded by
`record_response`; a detractor opens a follow-up for the team's supervisor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator, require_supervisor
from omnicanal.accounts.models import Role, Team, User
from omnicanal.connectors.registry import adapter_for
from omnicanal.conversations.actions import automated_message
from omnicanal.conversations.events import record_event
from omnicanal.conversations.inbound import InboundMessage
from omnicanal.conversations.models import Conversation, Direction, Inbox, Message, Status
from omnicanal.core.exceptions import Conflict, InvalidField, InvalidInput, NotFound
from omnicanal.notifications.actions import notify
from omnicanal.notifications.models import Kind
from omnicanal.surveys.messages import compose
from omnicanal.surveys.models import (
    SCALES,
    AnswerSource,
    FollowUpStatus,
    FollowUpTask,
    RequestStatus,
    SurveyKind,
    SurveyOptOut,
    SurveyPolicy,
    SurveyRequest,
    SurveyResponse,
)
from omnicanal.surveys.parsing import Lang, parse_reply
from omnicanal.surveys.policies import applicable_policies

# Why a request was not sent (SurveyRequest.skip_reason).
SKIP_OPTED_OUT = "opted_out"
SKIP_THROTTLED = "throttled"
SKIP_NO_RECIPIENT = "no_recipient"
SKIP_CHANNEL = "channel_cannot_send"
SKIP_REOPENED = "reopened"


# The highest score that makes a detractor, per kind: NPS 0 to 6, CSAT 1 to 2, CES 1 to 3.
DETRACTOR_AT_MOST: dict[str, int] = {
    SurveyKind.NPS: 6,
    SurveyKind.CSAT: 2,
    SurveyKind.CES: 3,
}

MAX_DELAY_DAYS = 365


def is_detractor(kind: str, score: int | None) -> bool:
    return score is not None and score <= DETRACTOR_AT_MOST[kind]


def survey_language(conversation: Conversation) -> str:
    language = (conversation.language or "").lower()[:2]
    return language if language in ("fr", "en") else settings.LANGUAGE_CODE


def _parse_language(conversation: Conversation) -> Lang:
    language = (conversation.language or "").lower()[:2]
    if language == "fr":
        return "fr"
    if language == "en":
        return "en"
    return "auto"


# Scheduling and sending ------------------------------------------------------------------


def schedule_on_resolution(
    conversation_id: int, *, now: dt.datetime | None = None
) -> list[SurveyRequest]:
    """The requests the conversation's policies ask for, now that it is resolved: one per
    conversation and kind. A request skipped because the conversation was reopened before
    it went out is scheduled again by the next resolution; any other is left as it is."""
    now = now or timezone.now()
    scheduled: list[SurveyRequest] = []
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update().select_related("inbox", "contact")
            .filter(pk=conversation_id).first()
        )
        if conversation is None or conversation.status != Status.RESOLVED:
            return []
        for kind, policy in applicable_policies(conversation).items():
            if not policy.is_enabled:
                continue
            due_at = now + dt.timedelta(days=policy.delay_days)
            request = SurveyRequest.objects.filter(conversation=conversation, kind=kind).first()
            if request is None:
                request = SurveyRequest(kind=kind, conversation=conversation)
            elif not (
                request.status == RequestStatus.SKIPPED and request.skip_reason == SKIP_REOPENED
            ):
                continue
            request.contact = conversation.contact
            request.inbox = conversation.inbox
            request.agent_id = conversation.assignee_id
            request.team_id = conversation.team_id
            request.status = RequestStatus.SCHEDULED
            request.skip_reason = ""
            request.due_at = due_at
            reason = _skip_reason(request, conversation, now)
            if reason:
                request.status = RequestStatus.SKIPPED
                request.skip_reason = reason
            request.save()
            scheduled.append(request)
    return scheduled


def _skip_reason(request: SurveyRequest, conversation: Conversation, now: dt.datetime) -> str:
    if conversation.status != Status.RESOLVED:
        return SKIP_REOPENED
    if SurveyOptOut.objects.filter(contact_id=request.contact_id).exists():
        return SKIP_OPTED_OUT
    since = now - dt.timedelta(days=settings.SURVEY_THROTTLE_DAYS)
    recent = SurveyRequest.objects.filter(contact_id=request.contact_id, sent_at__gt=since)
    if request.pk is not None:
        recent = recent.exclude(pk=request.pk)
    if recent.exists():
        return SKIP_THROTTLED
    return _channel_problem(conversation)


def _channel_problem(conversation: Conversation) -> str:
    """Whether the conversation's channel can carry a survey to this customer."""
    inbox: Inbox = conversation.inbox
    try:
        adapter = adapter_for(inbox.channel)
    except LookupError:
        return SKIP_CHANNEL
    # A call is no place for a written survey.
    if adapter.work_kind == "voice" or not inbox.is_active:
        return SKIP_CHANNEL
    kinds = adapter.recipient_kinds
    if kinds and not conversation.contact.identities.filter(
        kind__in=kinds, is_undeliverable=False
    ).exists():
        return SKIP_NO_RECIPIENT
    return ""


def send_request(request_id: int, *, now: dt.datetime | None = None) -> SurveyRequest | None:
    """Send one due request as an automated message on the conversation (the send task
    delivers it), or skip it when it should no longer go out. None when it was not due."""
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            SurveyRequest.objects.select_for_update().filter(pk=request_id).first()
        )
        if request is None or request.status != RequestStatus.SCHEDULED or request.due_at > now:
            return None
        conversation = Conversation.objects.select_related("inbox", "contact").get(
            pk=request.conversation_id
        )
        reason = _skip_reason(request, conversation, now)
        if reason:
            request.status = RequestStatus.SKIPPED
            request.skip_reason = reason
            request.save(update_fields=["status", "skip_reason"])
            return request
        request.sent_at = now
        request.expires_at = now + dt.timedelta(days=settings.SURVEY_ANSWER_DAYS)
        composed = compose(request, survey_language(conversation))
        message = automated_message(
            conversation.pk, composed.text, html=composed.html, metadata=composed.metadata
        )
        request.message = message
        request.status = RequestStatus.SENT
        request.save(update_fields=["sent_at", "expires_at", "message", "status"])
    return request


def send_due_surveys(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due and expire what went unanswered; returns how many were sent."""
    now = now or timezone.now()
    SurveyRequest.objects.filter(status=RequestStatus.SENT, expires_at__lte=now).update(
        status=RequestStatus.EXPIRED
    )
    due = list(
        SurveyRequest.objects.filter(status=RequestStatus.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "pk").values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for request_id in due:
        request = send_request(request_id, now=now)
        if request is not None and request.status == RequestStatus.SENT:
            sent += 1
    return sent


# Answers ----------------------------------------------------------------------------------


def open_request(conversation: Conversation, *, now: dt.datetime | None = None,
                 lock: bool = False) -> SurveyRequest | None:
    """The conversation's sent request still waiting for its answer, the newest first."""
    now = now or timezone.now()
    requests = SurveyRequest.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        conversation=conversation, status=RequestStatus.SENT,
    ).order_by("-sent_at", "-pk")
    if lock:
        requests = requests.select_for_update()
    return requests.first()


def claims_reply(conversation: Conversation, inbound: InboundMessage) -> bool:
    """The reply claim: a message answers the survey when it gives a score or asks to stop
    (a button reply naming the request's token counts too); anything else reopens."""
    request = open_request(conversation)
    if request is None:
        return False
    if inbound.choice_id.startswith(f"survey:{request.token}:"):
        return True
    parsed = parse_reply(inbound.text or "", request.kind, _parse_language(conversation))
    return parsed.score is not None or parsed.opt_out


def record_reply(message_id: int, *, claimed: bool) -> SurveyResponse | None:
    """A customer message on a conversation whose survey waits for its answer. Claimed, it
    is the answer (score, opt-out, comment); unclaimed, it gave no score: kept as the
    comment with no score, never guessed, and the conversation reopened as for any
    message."""
    message = (
        Message.objects.select_related("conversation").filter(pk=message_id).first()
    )
    if message is None or message.is_auto_reply:
        return None
    request = open_request(message.conversation)
    if request is None:
        return None
    text = (message.text or "").strip()
    if not claimed:
        if _has_messages_between(request, message):
            # The conversation moved on (an agent wrote, the customer already answered):
            # this message is about that, not about the survey.
            return None
        return record_response(request, score=None, comment=text, source=AnswerSource.REPLY,
                               message=message)
    choice = str(message.metadata.get("choice_id") or "")
    prefix = f"survey:{request.token}:"
    if choice.startswith(prefix) and choice[len(prefix):].isdigit():
        # A tapped button or list row: its id names the score, no reading needed.
        return record_response(request, score=int(choice[len(prefix):]), comment="",
                               source=AnswerSource.BUTTON, message=message)
    parsed = parse_reply(text, request.kind, _parse_language(message.conversation))
    return record_response(
        request, score=parsed.score, comment=parsed.comment if parsed.score is not None
        or parsed.opt_out else text, source=AnswerSource.REPLY, message=message,
        opt_out=parsed.opt_out,
    )


def _has_messages_between(request: SurveyRequest, message: Message) -> bool:
    if request.message_id is None:
        return True
    return (
        Message.objects.filter(
            conversation_id=message.conversation_id, pk__gt=request.message_id, pk__lt=message.pk
        )
        .exclude(direction=Direction.NOTE)
        .exists()
    )


def _check_score(kind: str, score: int | None) -> None:
    if score is None:
        return
    low, high = SCALES[kind]
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise InvalidField(
            "score", _("The score must be a whole number from %(low)s to %(high)s."),
            low=low, high=high,
        )


def record_response(
    request: SurveyRequest,
    *,
    score: int | None,
    comment: str,
    source: str,
    message: Message | None = None,
    opt_out: bool = False,
    publish_consent: bool = False,
) -> SurveyResponse:
    """The customer's answer to `request`, from any channel. A second answer while the
    survey is open replaces the score it gives (a customer who clicks another score, or
    corrects "sorry, 8") and keeps the first one's comment unless it brings its own; an
    answer without a score never erases one. Refused (Conflict) when the request was not
    sent or has expired. `opt_out` also stops every future survey to this contact."""
    _check_score(request.kind, score)
    if source not in AnswerSource.values:
        raise InvalidInput(_("Unknown answer source."))
    comment = (comment or "").strip()[:5000]
    now = timezone.now()
    with transaction.atomic():
        locked = SurveyRequest.objects.select_for_update().filter(pk=request.pk).first()
        if locked is None:
            raise NotFound(_("This survey no longer exists."))
        if locked.status not in (RequestStatus.SENT, RequestStatus.ANSWERED) or (
            locked.expires_at is not None and locked.expires_at <= now
        ):
            raise Conflict(_("This survey is closed: it can no longer be answered."))
        response = SurveyResponse.objects.filter(request=locked).first()
        if response is None:
            response = SurveyResponse(
                request=locked, kind=locked.kind, conversation_id=locked.conversation_id,
                contact_id=locked.contact_id, inbox_id=locked.inbox_id,
                agent_id=locked.agent_id, team_id=locked.team_id,
            )
        if score is not None or response.pk is None:
            response.score = score
        if comment or response.pk is None:
            response.comment = comment
        if message is not None or response.pk is None:
            response.message = message
        response.source = source
        response.answered_at = now
        response.publish_consent = response.publish_consent or publish_consent
        response.save()
        if locked.status != RequestStatus.ANSWERED:
            locked.status = RequestStatus.ANSWERED
            locked.save(update_fields=["status"])
        if opt_out:
            SurveyOptOut.objects.get_or_create(
                contact_id=locked.contact_id, defaults={"source": source, "message": message}
            )
        conversation = Conversation.objects.get(pk=locked.conversation_id)
        record_event("survey.answered", conversation, response_id=response.pk,
                     kind=response.kind, score=response.score)
        if is_detractor(response.kind, response.score):
            open_follow_up(response)
    return response


def opt_out(contact_id: int, *, source: str, message: Message | None = None) -> SurveyOptOut:
    """No more surveys to this contact, for good (an unsubscribe link, a STOP)."""
    opted, _created = SurveyOptOut.objects.get_or_create(
        contact_id=contact_id, defaults={"source": source, "message": message}
    )
    return opted


# Follow-ups -------------------------------------------------------------------------------


def follow_up_owner(team: Team | None) -> User | None:
    """The team's supervisor; else any supervisor; else an administrator."""
    active = User.objects.filter(is_active=True).order_by("pk")
    if team is not None:
        found = active.filter(role=Role.SUPERVISOR, teams=team).first()
        if found is not None:
            return found
    return (
        active.filter(role=Role.SUPERVISOR).first()
        or active.filter(role=Role.ADMINISTRATOR).first()
    )


def open_follow_up(response: SurveyResponse) -> FollowUpTask:
    """One follow-up per response, for the supervisor of its team, who is notified."""
    existing = FollowUpTask.objects.filter(response=response).first()
    if existing is not None:
        return existing
    owner = follow_up_owner(response.team)
    task = FollowUpTask.objects.create(response=response, team=response.team, assignee=owner)
    if owner is not None:
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            text = gettext("%(kind)s %(score)s from %(contact)s: call them back") % {
                "kind": response.kind.upper(), "score": response.score,
                "contact": response.contact.display_name,
            }
        # An automation-kind notification carries its own text: the follow-up is the
        # product's rule that a detractor is called back.
        notify(owner, Kind.AUTOMATION, conversation=response.conversation,
               params={"text": text, "follow_up_id": task.pk})
    return task


def follow_ups_for(user: User, *, status: str = FollowUpStatus.OPEN) -> QuerySet[FollowUpTask]:
    """Administrators see every follow-up; supervisors theirs, their teams' and those of no
    team; agents none."""
    tasks = FollowUpTask.objects.select_related(
        "response", "response__contact", "response__agent", "team", "assignee", "done_by",
        "response__conversation",
    )
    if status:
        tasks = tasks.filter(status=status)
    if user.is_administrator:
        return tasks
    if not user.is_supervisor_or_above:
        return tasks.none()
    # A subquery, not a join: no duplicate rows, and the rows can be locked.
    return tasks.filter(
        Q(assignee=user) | Q(team__in=user.teams.values("pk")) | Q(team__isnull=True)
    )


def complete_follow_up(user: User, task_id: int, note: str) -> FollowUpTask:
    require_supervisor(user)
    note = (note or "").strip()
    if len(note) > 5000:
        raise InvalidField("note", _("The note is too long (5,000 characters at most)."))
    with transaction.atomic():
        task = follow_ups_for(user, status="").select_for_update(of=("self",)).filter(
            pk=task_id
        ).first()
        if task is None:
            raise NotFound(_("No such follow-up."))
        if task.status == FollowUpStatus.DONE:
            raise Conflict(_("This follow-up is already done."))
        task.status = FollowUpStatus.DONE
        task.note = note
        task.done_at = timezone.now()
        task.done_by = user
        task.save(update_fields=["status", "note", "done_at", "done_by"])
    return task


# Policies ---------------------------------------------------------------------------------


def save_policy(
    user: User,
    *,
    kind: str,
    inbox: Inbox | None = None,
    team: Team | None = None,
    is_enabled: bool,
    delay_days: int,
    question: str = "",
) -> SurveyPolicy:
    """Create or change one scope's policy for one kind (administrators)."""
    require_administrator(user)
    if kind not in SurveyKind.values:
        raise InvalidField("kind", _("Unknown survey."))
    if (inbox is None) == (team is None):
        raise InvalidInput(_("A survey policy is for an inbox or for a team."))
    if not 0 <= delay_days <= MAX_DELAY_DAYS:
        raise InvalidField("delay_days", _("Days after resolution: from 0 to %(max)s."),
                           max=MAX_DELAY_DAYS)
    question = question.strip()
    if len(question) > 300:
        raise InvalidField("question", _("The question is too long (300 characters at most)."))
    scope: dict[str, Any] = {"inbox": inbox} if inbox is not None else {"team": team}
    with transaction.atomic():
        policy, created = SurveyPolicy.objects.select_for_update().get_or_create(
            kind=kind, **scope,
            defaults={"is_enabled": is_enabled, "delay_days": delay_days, "question": question},
        )
        changed = (policy.is_enabled, policy.delay_days, policy.question) != (
            is_enabled, delay_days, question
        )
        if not created and changed:
            policy.is_enabled = is_enabled
            policy.delay_days = delay_days
            policy.question = question
            policy.save(update_fields=["is_enabled", "delay_days", "question", "updated_at"])
        if created or changed:
            record_audit(user, "survey_policy.saved", policy, kind=kind,
                         is_enabled=is_enabled, delay_days=delay_days)
    return policy


def clear_policy(user: User, *, kind: str, team: Team) -> bool:
    """The team follows its inbox's policy again for this kind; True when one was removed."""
    require_administrator(user)
    with transaction.atomic():
        policy = SurveyPolicy.objects.select_for_update().filter(kind=kind, team=team).first()
        if policy is None:
            return False
        record_audit(user, "survey_policy.cleared", policy, kind=kind, team_id=team.pk)
        policy.delete()
    return True
