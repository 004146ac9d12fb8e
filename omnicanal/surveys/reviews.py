"""Published reviews: which survey answers become reviews, their moderation, the team's public
answer, and the figures the public page shows. The one writer of a response's review fields.

Which answers become reviews: CSAT answers (1 to 5 stars) with a comment, from a customer who
agreed to publication (`publish_consent`). They wait for a supervisor's decision (pending):
there is no "publish without moderation" switch, because a free-text comment can carry a phone
number or a name, and one click is cheap next to publishing someone's personal data.

Moderation cannot hide bad reviews silently: a hidden review's score still counts in the
public average and distribution, and the public page says how many were hidden and why (a
reason from a fixed list). Only the text is withheld.

A review is "verified" because it comes from a survey about a real conversation: the public
page shows its channel and month and the customer as a first name and an initial, never an
address or a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_supervisor
from omnicanal.accounts.models import User
from omnicanal.conversations.models import ChannelKind, OutboxEvent
from omnicanal.core.exceptions import Conflict, InvalidField
from omnicanal.surveys.models import ReviewStatus, SurveyKind, SurveyResponse

REVIEW_KIND = SurveyKind.CSAT
STARS = (1, 2, 3, 4, 5)
MAX_REPLY_LENGTH = 2000
MAX_NOTE_LENGTH = 150
# What counts on the public page: published reviews and hidden ones (their scores, not text).
COUNTED = (ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN)


class HideReason:
    """Why a review may be hidden; nothing else is accepted, and each is shown publicly."""

    ABUSIVE = "abusive"
    PERSONAL_DATA = "personal_data"
    SPAM = "spam"
    NOT_ABOUT_US = "not_about_us"

    LABELS: dict[str, Promise] = {
        ABUSIVE: _("abusive or insulting language"),
        PERSONAL_DATA: _("personal data"),
        SPAM: _("off-topic or spam"),
        NOT_ABOUT_US: _("not about our service"),
    }


def reason_label(value: str) -> str:
    """The public wording of a stored `hidden_reason` ("code" or "code: note")."""
    code = value.split(":", 1)[0]
    return str(HideReason.LABELS.get(code, _("other reason")))


def hidden_note(value: str) -> str:
    """The moderator's note kept with a stored `hidden_reason` (for the team, never public)."""
    return value.split(":", 1)[1].strip() if ":" in value else ""


def is_review_candidate(response: SurveyResponse) -> bool:
    return (
        response.kind == REVIEW_KIND
        and response.score is not None
        and STARS[0] <= response.score <= STARS[-1]
        and bool(response.comment.strip())
        and response.publish_consent
    )


def consider_for_review(response: SurveyResponse) -> SurveyResponse:
    """Queue a just-recorded answer for moderation when it qualifies (see the module's
    docstring); otherwise it stays private. Called by whatever records or amends an answer
    (its comment or consent); a review already decided on keeps its decision."""
    if response.review_status not in (ReviewStatus.PRIVATE, ReviewStatus.PENDING):
        return response
    status = ReviewStatus.PENDING if is_review_candidate(response) else ReviewStatus.PRIVATE
    if status != response.review_status:
        response.review_status = status
        response.save(update_fields=["review_status"])
    return response


def handle_survey_answered(event: OutboxEvent) -> None:
    """On "survey.answered": put the answer forward for moderation when it qualifies."""
    response = SurveyResponse.objects.filter(pk=event.payload.get("response_id")).first()
    if response is not None:
        consider_for_review(response)


def _locked(response: SurveyResponse) -> SurveyResponse:
    return SurveyResponse.objects.select_for_update().get(pk=response.pk)


def publish(user: User, response: SurveyResponse) -> SurveyResponse:
    """Show a pending or hidden review on the public page (supervisors and administrators)."""
    require_supervisor(user)
    with transaction.atomic():
        row = _locked(response)
        if row.review_status not in (ReviewStatus.PENDING, ReviewStatus.HIDDEN):
            raise Conflict(_("Only a review awaiting moderation or hidden can be published."))
        if not row.publish_consent:
            raise Conflict(_("The customer did not agree to publish this answer."))
        previous = row.review_status
        row.review_status = ReviewStatus.PUBLISHED
        row.hidden_reason = ""
        row.moderated_by, row.moderated_at = user, timezone.now()
        row.save(update_fields=["review_status", "hidden_reason", "moderated_by",
                                "moderated_at"])
        record_audit(user, "review.published", row, previous=previous)
    return row


def hide(user: User, response: SurveyResponse, reason: str, note: str = "") -> SurveyResponse:
    """Withhold a review's text for one of the fixed reasons. Its score still counts and the
    public page shows the reason, whether the review was good or bad."""
    require_supervisor(user)
    if reason not in HideReason.LABELS:
        raise InvalidField("reason", _("Choose why this review is hidden."))
    note = " ".join(note.split())[:MAX_NOTE_LENGTH]
    with transaction.atomic():
        row = _locked(response)
        if row.review_status not in (ReviewStatus.PENDING, ReviewStatus.PUBLISHED,
                                     ReviewStatus.HIDDEN):
            raise Conflict(_("This answer is not a review."))
        previous = row.review_status
        row.review_status = ReviewStatus.HIDDEN
        row.hidden_reason = f"{reason}: {note}" if note else reason
        row.moderated_by, row.moderated_at = user, timezone.now()
        row.save(update_fields=["review_status", "hidden_reason", "moderated_by",
                                "moderated_at"])
        record_audit(user, "review.hidden", row, previous=previous, reason=reason, note=note,
                     score=row.score)
    return row


def reply(user: User, response: SurveyResponse, text: str) -> SurveyResponse:
    """Set, change or (with blank text) remove the team's public answer under a review."""
    require_supervisor(user)
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > MAX_REPLY_LENGTH:
        raise InvalidField("text", _("The answer is too long (at most %(limit)s characters)."),
                           limit=MAX_REPLY_LENGTH)
    with transaction.atomic():
        row = _locked(response)
        if row.review_status == ReviewStatus.PRIVATE:
            raise Conflict(_("This answer is not a review."))
        previous = row.team_reply
        row.team_reply = text
        row.team_reply_by = user if text else None
        row.team_reply_at = timezone.now() if text else None
        row.save(update_fields=["team_reply", "team_reply_by", "team_reply_at"])
        record_audit(user, "review.replied" if text else "review.reply_removed", row,
                     before=previous, after=text)
    return row


# What the public sees.

def reviews() -> QuerySet[SurveyResponse]:
    """Every answer that is a review (whatever its moderation), newest first."""
    return (
        SurveyResponse.objects.filter(kind=REVIEW_KIND, publish_consent=True)
        .exclude(review_status=ReviewStatus.PRIVATE)
        .select_related("contact", "inbox", "moderated_by", "team_reply_by")
        .order_by("-answered_at", "-pk")
    )


def published_reviews() -> QuerySet[SurveyResponse]:
    return reviews().filter(review_status=ReviewStatus.PUBLISHED)


@dataclass(frozen=True)
class HiddenCount:
    label: str
    count: int


@dataclass(frozen=True)
class Bar:
    stars: int
    count: int
    percent: int


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None
    distribution: list[Bar]
    published: int
    hidden: int
    hidden_by_reason: list[HiddenCount]

    @property
    def hidden_reasons(self) -> str:
        """"personal data (2), abusive or insulting language (1)"."""
        return ", ".join(f"{item.label} ({item.count})" for item in self.hidden_by_reason)


def public_summary() -> Summary:
    """Average, count and distribution over published and hidden reviews alike, so that
    hiding a bad review cannot raise the average; the hidden ones counted by reason."""
    counted = reviews().filter(review_status__in=COUNTED, score__in=STARS).order_by()
    by_score = dict(counted.values("score").annotate(n=Count("pk")).values_list("score", "n"))
    total = sum(by_score.values())
    average = sum(score * n for score, n in by_score.items()) / total if total else None
    hidden_rows = counted.filter(review_status=ReviewStatus.HIDDEN).values_list(
        "hidden_reason", flat=True)
    per_reason: dict[str, int] = {}
    for value in hidden_rows:
        label = reason_label(value)
        per_reason[label] = per_reason.get(label, 0) + 1
    hidden = sum(per_reason.values())
    return Summary(
        count=total,
        average=round(average, 1) if average is not None else None,
        distribution=[
            Bar(stars, by_score.get(stars, 0),
                round(100 * by_score.get(stars, 0) / total) if total else 0)
            for stars in reversed(STARS)
        ],
        published=total - hidden,
        hidden=hidden,
        hidden_by_reason=sorted(
            (HiddenCount(label, n) for label, n in per_reason.items()),
            key=lambda item: (-item.count, item.label),
        ),
    )


_NOT_A_NAME = re.compile(r"[@\d+]")


def customer_label(name: str) -> str:
    """"Jeanne M." from "Jeanne Martin": enough to be a person, too little to find them. A
    name that looks like an address or a number is never shown."""
    words = [word for word in name.split() if not _NOT_A_NAME.search(word)]
    if not words or _NOT_A_NAME.search(name):
        return str(_("A customer"))
    first = words[0][:30]
    return f"{first} {words[-1][0].upper()}." if len(words) > 1 else first


@dataclass(frozen=True)
class PublicReview:
    pk: int
    score: int
    # Filled and empty stars, which the pages colour apart.
    stars_on: str
    stars_off: str
    comment: str
    customer: str
    channel: str
    month: datetime
    team_reply: str
    team_reply_at: datetime | None


def public_review(response: SurveyResponse) -> PublicReview:
    score = response.score or 0
    return PublicReview(
        pk=response.pk,
        score=score,
        stars_on="★" * score,
        stars_off="★" * (STARS[-1] - score),
        comment=response.comment,
        customer=customer_label(response.contact.name),
        channel=str(ChannelKind(response.inbox.channel).label)
        if response.inbox.channel in ChannelKind.values else "",
        month=response.answered_at,
        team_reply=response.team_reply,
        team_reply_at=response.team_reply_at,
    )


def tab_counts() -> dict[str, int]:
    """How many reviews each moderation tab holds."""
    rows = reviews().order_by().values_list("review_status").annotate(n=Count("pk"))
    tabs = (ReviewStatus.PENDING, ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN)
    counts: dict[str, int] = {str(status): 0 for status in tabs}
    counts.update(dict(rows.values_list("review_status", "n")))
    return counts
