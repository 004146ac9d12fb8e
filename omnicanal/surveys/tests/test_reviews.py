"""Moderation of published reviews: who may moderate, what a review needs, and why hiding a
bad review can never improve the public rating."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox, Status
from omnicanal.core.exceptions import Conflict, InvalidField, PermissionDenied
from omnicanal.surveys import reviews
from omnicanal.surveys.models import ReviewStatus, SurveyKind, SurveyResponse

pytestmark = pytest.mark.django_db


def answer(score: int | None, comment: str = "Très bon service", *, consent: bool = True,
           kind: str = SurveyKind.CSAT, name: str = "Jeanne Martin",
           channel: str = ChannelKind.WHATSAPP, queue: bool = True) -> SurveyResponse:
    """A survey answer on a resolved conversation, put forward for review as the answer
    flow does."""
    inbox, _ = Inbox.objects.get_or_create(name=f"Inbox {channel}", channel=channel)
    contact = Contact.objects.create(name=name)
    now = timezone.now()
    conversation = Conversation.objects.create(
        inbox=inbox, contact=contact, status=Status.RESOLVED,
        last_activity_at=now, resolved_at=now,
    )
    response = SurveyResponse.objects.create(
        kind=kind, conversation=conversation, contact=contact, inbox=inbox, score=score,
        comment=comment, source="reply", answered_at=now, publish_consent=consent,
    )
    return reviews.consider_for_review(response) if queue else response


def test_only_csat_answers_with_comment_and_consent_await_moderation() -> None:
    assert answer(5).review_status == ReviewStatus.PENDING
    # No consent, no comment, no score, another kind: private for good.
    assert answer(5, consent=False).review_status == ReviewStatus.PRIVATE
    assert answer(4, "  ").review_status == ReviewStatus.PRIVATE
    assert answer(None, "je ne sais pas").review_status == ReviewStatus.PRIVATE
    assert answer(9, kind=SurveyKind.NPS).review_status == ReviewStatus.PRIVATE


def test_an_agent_cannot_moderate_or_answer(agent: User) -> None:
    response = answer(1, "Nul")
    with pytest.raises(PermissionDenied):
        reviews.hide(agent, response, reviews.HideReason.ABUSIVE)
    with pytest.raises(PermissionDenied):
        reviews.publish(agent, response)
    with pytest.raises(PermissionDenied):
        reviews.reply(agent, response, "Désolés")
    response.refresh_from_db()
    assert response.review_status == ReviewStatus.PENDING


def test_hiding_needs_a_reason_from_the_list(supervisor: User) -> None:
    response = answer(1, "Nul")
    for reason in ("", "I don't like it"):
        with pytest.raises(InvalidField):
            reviews.hide(supervisor, response, reason)
    response.refresh_from_db()
    assert response.review_status == ReviewStatus.PENDING


def test_hidden_reviews_still_count_so_hiding_cannot_raise_the_average(
    supervisor: User, admin: User,
) -> None:
    good, bad, other_bad = answer(5, "Parfait"), answer(1, "Horrible"), answer(2, "Lent")
    for response in (good, bad, other_bad):
        reviews.publish(supervisor, response)
    before = reviews.public_summary()
    reviews.hide(supervisor, bad, reviews.HideReason.PERSONAL_DATA, "his phone number")
    reviews.hide(admin, other_bad, reviews.HideReason.ABUSIVE)
    after = reviews.public_summary()
    assert after.average == before.average == round(8 / 3, 1)
    assert after.count == 3
    assert [bar.count for bar in after.distribution] == [1, 0, 0, 1, 1]
    assert (after.published, after.hidden) == (1, 2)
    assert {(item.label, item.count) for item in after.hidden_by_reason} == {
        ("personal data", 1), ("abusive or insulting language", 1)}
    # Only the published one is listed; the hidden ones' text never is.
    assert list(reviews.published_reviews()) == [good]
    # A good review may be hidden too, and is counted just the same.
    reviews.hide(supervisor, good, reviews.HideReason.SPAM)
    assert reviews.public_summary().hidden == 3
    assert AuditLogEntry.objects.filter(action="review.hidden").count() == 3


def test_private_answers_and_answers_without_consent_never_count() -> None:
    answer(1, "Jamais plus", consent=False)
    answer(2, "")
    answer(1, "Mauvais", queue=False)  # still private: never put forward
    summary = reviews.public_summary()
    assert summary.count == 0 and summary.average is None
    assert not reviews.published_reviews().exists()


def test_publishing_needs_consent_and_a_review(supervisor: User) -> None:
    private = answer(5, consent=False)
    with pytest.raises(Conflict):
        reviews.publish(supervisor, private)
    # Even when a review was put forward and the consent later withdrawn by the answer flow.
    withdrawn = answer(5)
    SurveyResponse.objects.filter(pk=withdrawn.pk).update(publish_consent=False)
    with pytest.raises(Conflict):
        reviews.publish(supervisor, withdrawn)


def test_the_team_answer_is_editable_and_removable(supervisor: User) -> None:
    response = reviews.publish(supervisor, answer(2, "Trop long"))
    reviews.reply(supervisor, response, "Merci, nous avons renforcé l'équipe.")
    reviews.reply(supervisor, response, "Merci, l'équipe du soir est renforcée.")
    response.refresh_from_db()
    assert response.team_reply == "Merci, l'équipe du soir est renforcée."
    assert response.team_reply_by == supervisor
    reviews.reply(supervisor, response, "   ")
    response.refresh_from_db()
    assert response.team_reply == "" and response.team_reply_by is None
    with pytest.raises(InvalidField):
        reviews.reply(supervisor, response, "x" * (reviews.MAX_REPLY_LENGTH + 1))
    with pytest.raises(Conflict):
        reviews.reply(supervisor, answer(3, consent=False), "Merci")


@pytest.mark.parametrize(("name", "shown"), [
    ("Jeanne Martin", "Jeanne M."),
    ("jean-pierre de la tour", "jean-pierre T."),
    ("Amélie", "Amélie"),
    ("jeanne.martin@example.fr", "A customer"),
    ("+33 6 12 34 56 78", "A customer"),
    ("Marc 0612345678", "A customer"),
    ("", "A customer"),
])
def test_the_customer_is_a_first_name_and_an_initial(name: str, shown: str) -> None:
    assert reviews.customer_label(name) == shown


def test_a_public_review_shows_channel_and_month_not_contact_details(supervisor: User) -> None:
    response = reviews.publish(supervisor, answer(4, "Bien", name="Paul Durand",
                                                  channel=ChannelKind.SMS))
    public: Any = reviews.public_review(response)
    assert (public.customer, public.channel) == ("Paul D.", "SMS")
    assert (public.stars_on, public.stars_off) == ("★★★★", "★")


def test_an_answer_recorded_as_an_event_is_put_forward_for_moderation(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    from omnicanal.conversations.events import record_event

    response = answer(5, "Rapide et aimable", queue=False)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_event("survey.answered", response.conversation, response_id=response.pk,
                     score=response.score)
    response.refresh_from_db()
    assert response.review_status == ReviewStatus.PENDING
