"""The demo's voice of the customer: survey policies on its inboxes, answers to a share of its
resolved conversations (with comments, reviews and a detractor's follow-up), then the
analytics facts and the reports' daily aggregates rebuilt from the dated history, so that
reports and journeys open on a month of figures."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from omnicanal.accounts.models import Role, User
from omnicanal.analytics import daily
from omnicanal.analytics.facts import rebuild_conversations
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Status
from omnicanal.surveys.actions import is_detractor
from omnicanal.surveys.models import (
    SCALES,
    AnswerSource,
    FollowUpTask,
    RequestStatus,
    ReviewStatus,
    SurveyKind,
    SurveyPolicy,
    SurveyRequest,
    SurveyResponse,
)

# Which surveys each demo channel sends: satisfaction and effort where the contact is short
# and live, recommendation a week after an e-mail exchange.
POLICIES: dict[str, tuple[tuple[SurveyKind, int], ...]] = {
    ChannelKind.WEBCHAT: ((SurveyKind.CSAT, 0), (SurveyKind.CES, 0)),
    ChannelKind.EMAIL: ((SurveyKind.CSAT, 0), (SurveyKind.NPS, 7)),
    ChannelKind.SMS: ((SurveyKind.NPS, 0),),
    ChannelKind.WHATSAPP: ((SurveyKind.CSAT, 0),),
}
ANSWER_SHARE = 0.45
# Scores lean positive, as real answers do, with a tail of unhappy customers.
WEIGHTS: dict[str, list[int]] = {
    SurveyKind.CSAT: [6, 6, 12, 34, 42],
    SurveyKind.NPS: [2, 1, 2, 3, 3, 6, 7, 12, 20, 22, 22],
    SurveyKind.CES: [3, 4, 6, 10, 17, 28, 32],
}
GOOD_COMMENTS = (
    "Réponse rapide et claire, merci !",
    "Conseillère très aimable, problème réglé en une fois.",
    "Parfait, j'ai reçu mon remboursement le lendemain.",
    "Efficace et sympathique.",
)
BAD_COMMENTS = (
    "Trois relances avant d'avoir une réponse.",
    "On m'a demandé deux fois mon numéro client.",
    "Toujours pas de nouvelles de mon colis.",
)
TEAM_REPLY = (
    "Merci pour votre retour : nous avons revu notre procédure pour éviter de redemander "
    "votre numéro client."
)


def load_listening_demo(rng: random.Random) -> int:
    """Survey policies and a month of answers; returns how many answers were written. The
    conversations' facts are rebuilt afterwards (their timestamps are the history's)."""
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    answers = 0
    with transaction.atomic():
        inboxes = {inbox.channel: inbox for inbox in Inbox.objects.all()}
        for channel, kinds in POLICIES.items():
            inbox = inboxes.get(channel)
            if inbox is None:
                continue
            for kind, delay in kinds:
                SurveyPolicy.objects.get_or_create(
                    kind=kind, inbox=inbox, defaults={"is_enabled": True, "delay_days": delay}
                )
        resolved = Conversation.objects.filter(
            status=Status.RESOLVED, resolved_at__isnull=False
        ).select_related("inbox").order_by("pk")
        for conversation in resolved:
            kinds = POLICIES.get(conversation.inbox.channel, ())
            if not kinds or rng.random() > ANSWER_SHARE:
                continue
            kind, delay = rng.choice(kinds)
            answers += _answer(rng, conversation, kind, delay, supervisor)
    conversation_ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(conversation_ids), 500):
        rebuild_conversations(conversation_ids[start:start + 500])
    daily.rebuild()
    return answers


def _answer(
    rng: random.Random, conversation: Conversation, kind: SurveyKind, delay: int,
    supervisor: User | None,
) -> int:
    assert conversation.resolved_at is not None
    low, _high = SCALES[kind]
    sent_at = conversation.resolved_at + dt.timedelta(days=delay, minutes=1)
    answered_at = sent_at + dt.timedelta(minutes=rng.randint(2, 600))
    score = low + rng.choices(range(len(WEIGHTS[kind])), weights=WEIGHTS[kind])[0]
    is_bad = is_detractor(kind, score)
    comment = ""
    if rng.random() < 0.35:
        comment = rng.choice(BAD_COMMENTS if is_bad else GOOD_COMMENTS)
    request = SurveyRequest.objects.create(
        kind=kind, conversation=conversation, contact_id=conversation.contact_id,
        inbox=conversation.inbox, agent_id=conversation.assignee_id,
        team_id=conversation.team_id, status=RequestStatus.ANSWERED, due_at=sent_at,
        sent_at=sent_at, expires_at=sent_at + dt.timedelta(days=7),
    )
    is_review = kind == SurveyKind.CSAT and bool(comment) and rng.random() < 0.8
    response = SurveyResponse.objects.create(
        request=request, kind=kind, conversation=conversation,
        contact_id=conversation.contact_id, inbox=conversation.inbox,
        agent_id=conversation.assignee_id, team_id=conversation.team_id, score=score,
        comment=comment, source=AnswerSource.LINK if comment else AnswerSource.REPLY,
        answered_at=answered_at, publish_consent=is_review,
        review_status=(
            rng.choice([ReviewStatus.PUBLISHED, ReviewStatus.PUBLISHED, ReviewStatus.PENDING])
            if is_review else ReviewStatus.PRIVATE
        ),
        moderated_by=supervisor if is_review else None,
        moderated_at=answered_at + dt.timedelta(hours=3) if is_review else None,
    )
    if is_review and is_bad and response.review_status == ReviewStatus.PUBLISHED:
        response.team_reply = TEAM_REPLY
        response.team_reply_by = supervisor
        response.team_reply_at = answered_at + dt.timedelta(hours=4)
        response.save(update_fields=["team_reply", "team_reply_by", "team_reply_at"])
    if is_bad and rng.random() < 0.5:
        FollowUpTask.objects.create(response=response, team_id=conversation.team_id,
                                    assignee=supervisor)
    return 1
