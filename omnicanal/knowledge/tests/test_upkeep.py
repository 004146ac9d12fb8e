"""Knowledge upkeep: content gaps, duplicates, stale articles, their actions and the page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Direction, Inbox, Message
from omnicanal.knowledge import upkeep
from omnicanal.knowledge.models import Article, ArticleStatus, UnansweredQuestion

PASSWORD_QUESTIONS = [
    ("How do I reset my password?", "en"),
    ("I forgot my password, how can I change it?", "en"),
    ("Comment réinitialiser mon mot de passe ?", "fr"),
    ("J'ai oublié mon mot de passe, comment le changer ?", "fr"),
]
UNRELATED_QUESTION = ("What are your opening hours on Sunday?", "en")
PASSWORD_ANSWER = "Use the Forgot password link on the login page; we e-mail you a new link."


def conversation(inbox: Inbox, key: str, text: str, *, days_ago: int = 0) -> Conversation:
    result = ingest(inbox, inbound(key, text, email=f"{key}@example.com"))
    if days_ago:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        Conversation.objects.filter(pk=result.conversation_id).update(created_at=when)
        Message.objects.filter(pk=result.message_id).update(created_at=when)
    return Conversation.objects.get(pk=result.conversation_id)


def agent_reply(conv: Conversation, author: User, text: str) -> Message:
    return Message.objects.create(
        conversation=conv, inbox=conv.inbox, direction=Direction.OUTGOING, author=author,
        text=text,
    )


def article(title: str, body: str, *, locale: str = "en", **fields: Any) -> Article:
    fields.setdefault("status", ArticleStatus.PUBLISHED)
    return Article.objects.create(locale=locale, title=title, body=body,
                                  slug=title.lower().replace(" ", "-")[:50], **fields)


@pytest.fixture
def questions(api_inbox: Inbox, agent: User) -> list[UnansweredQuestion]:
    made = []
    for index, (text, locale) in enumerate([*PASSWORD_QUESTIONS, UNRELATED_QUESTION]):
        conv = conversation(api_inbox, f"q{index}", text)
        made.append(UnansweredQuestion.objects.create(
            question=text, locale=locale, conversation=conv, articles_tried=[],
        ))
        if index < 2:  # agents answered two of the password questions, alike
            agent_reply(conv, agent, PASSWORD_ANSWER)
    return made


def last_90_days() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=90)


# Content gaps.


def test_french_and_english_paraphrases_make_one_gap_with_its_count(questions: Any) -> None:
    gaps = upkeep.content_gaps(last_90_days())

    assert [gap.count for gap in gaps] == [4, 1]
    password, hours = gaps
    assert password.languages == ["en", "fr"]
    assert password.representative in {text for text, _locale in PASSWORD_QUESTIONS}
    assert len(password.examples) == 3
    assert password.answered_count == 2
    assert password.answer == PASSWORD_ANSWER and password.answer_count == 2
    assert hours.representative == UNRELATED_QUESTION[0]
    assert hours.answered_count == 0


def test_a_closed_gap_and_an_old_question_are_left_out(questions: Any) -> None:
    kept = article("Reset your password", "Use the Forgot password link.")
    UnansweredQuestion.objects.filter(pk=questions[0].pk).update(answered_by=kept)
    UnansweredQuestion.objects.filter(pk=questions[4].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=200))

    gaps = upkeep.content_gaps(last_90_days())

    assert [gap.count for gap in gaps] == [3]


def test_an_agent_reply_before_the_question_or_from_the_bot_is_no_answer(
    api_inbox: Inbox, agent: User,
) -> None:
    conv = conversation(api_inbox, "bot", "Can I change my delivery address?")
    Message.objects.create(conversation=conv, inbox=api_inbox, direction=Direction.OUTGOING,
                           text="I am the bot and I do not know.", is_bot=True)
    UnansweredQuestion.objects.create(question="Can I change my delivery address?",
                                      locale="en", conversation=conv)

    (gap,) = upkeep.content_gaps(last_90_days())

    assert gap.answered_count == 0 and gap.answer == ""


# Duplicates.

RESET = ("How to reset your password", "Open the login page, click Forgot password and follow "
         "the link we e-mail you to choose a new password.")
RESET_AGAIN = ("Resetting a forgotten password", "On the login page, click Forgot password, then "
               "follow the link sent to you by e-mail to pick a new password.")
SHIPPING = ("Shipping to Canada", "We deliver to Canada within ten working days; customs duties "
            "are paid on delivery.")


def test_a_paraphrased_article_is_a_duplicate_and_an_unrelated_one_is_not(db: Any) -> None:
    original = article(*RESET)
    copy = article(*RESET_AGAIN, status=ArticleStatus.DRAFT)
    article(*SHIPPING)

    (pair,) = upkeep.duplicate_articles()

    assert (pair.keep, pair.remove) == (original, copy)  # the published one is kept
    assert pair.kind == "similar" and pair.similarity >= upkeep.DUPLICATE_SIMILARITY


def test_a_translation_is_no_duplicate_but_the_same_text_is(db: Any) -> None:
    original = article(*RESET)
    article("Réinitialiser votre mot de passe", "Ouvrez la page de connexion, cliquez sur Mot "
            "de passe oublié et suivez le lien reçu par e-mail.", locale="fr",
            translation_group=original.translation_group)
    assert upkeep.duplicate_articles() == []

    same = article(RESET[0] + "!", RESET[1] + " ", status=ArticleStatus.DRAFT)
    (pair,) = upkeep.duplicate_articles()
    assert pair.kind == "exact" and pair.remove == same


def test_archived_articles_are_not_compared(db: Any) -> None:
    article(*RESET)
    article(*RESET_AGAIN, status=ArticleStatus.ARCHIVED)

    assert upkeep.duplicate_articles() == []


# Stale articles.


def test_a_published_article_past_its_review_date_is_stale(db: Any) -> None:
    today = timezone.localdate()
    late = article(*RESET, review_by=today - datetime.timedelta(days=3))
    article(*SHIPPING, review_by=today + datetime.timedelta(days=3))
    article("Old draft", "Not published.", status=ArticleStatus.DRAFT,
            review_by=today - datetime.timedelta(days=3))

    (stale,) = upkeep.stale_articles(today)

    assert stale.article == late and stale.reasons == ["review"]


DELIVERY_COMPLAINTS = [
    "Hello, my parcel is late, it should have arrived last week",
    "Where is my order? The delivery is late",
    "Bonjour, mon colis est en retard, il devait arriver la semaine dernière",
    "My package is late and I am still waiting for the delivery",
]


DELIVERY = ("Delivery delays", "If your parcel is late, check the tracking link in your "
            "confirmation e-mail. Deliveries take 3 to 5 working days.")


def test_an_article_whose_topic_rises_while_unchanged_is_stale(api_inbox: Inbox) -> None:
    delivery = article(*DELIVERY)
    payment = article("Payment methods", "We accept Visa, Mastercard and PayPal.")
    long_ago = timezone.now() - datetime.timedelta(days=120)
    Article.objects.filter(pk__in=[delivery.pk, payment.pk]).update(updated_at=long_ago)
    for index, text in enumerate(DELIVERY_COMPLAINTS):
        conversation(api_inbox, f"late{index}", text, days_ago=3 + index)
    conversation(api_inbox, "late-before", DELIVERY_COMPLAINTS[0], days_ago=45)
    conversation(api_inbox, "pay", "Can I pay with PayPal?", days_ago=2)

    (stale,) = upkeep.stale_articles(timezone.localdate())

    assert stale.article == delivery and stale.reasons == ["topic"]
    assert (stale.recent, stale.previous) == (4, 1)

    # Updated during the period: no longer stale.
    Article.objects.filter(pk=delivery.pk).update(updated_at=timezone.now())
    assert upkeep.stale_articles(timezone.localdate()) == []


# Actions.


def test_drafting_from_a_gap_prefills_an_article_and_closes_the_gap(
    questions: Any, supervisor: User,
) -> None:
    gap = upkeep.content_gaps(last_90_days())[0]

    draft = upkeep.draft_from_gap(gap, supervisor)

    assert draft.status == ArticleStatus.DRAFT and draft.owner == supervisor
    assert draft.title == gap.representative
    assert PASSWORD_ANSWER in draft.body
    assert UnansweredQuestion.objects.filter(answered_by=draft).count() == 4
    assert [gap.count for gap in upkeep.content_gaps(last_90_days())] == [1]


def test_merging_archives_the_removed_article(db: Any, supervisor: User) -> None:
    keep, remove = article(*RESET), article(*RESET_AGAIN)
    question = UnansweredQuestion.objects.create(question="reset?", answered_by=remove)

    upkeep.merge_articles(keep, remove, supervisor)

    remove.refresh_from_db()
    keep.refresh_from_db()
    assert remove.status == ArticleStatus.ARCHIVED
    assert keep.status == ArticleStatus.PUBLISHED
    question.refresh_from_db()
    assert question.answered_by == keep
    assert upkeep.duplicate_articles() == []


def test_assigning_a_review_sets_owner_and_date(db: Any, supervisor: User, agent: User) -> None:
    today = timezone.localdate()
    late = article(*RESET, review_by=today - datetime.timedelta(days=3))
    draft = article(*SHIPPING, status=ArticleStatus.DRAFT)
    due = today + datetime.timedelta(days=14)

    upkeep.assign_review(late, agent, due, supervisor)
    upkeep.assign_review(draft, agent, due, supervisor)

    late.refresh_from_db()
    draft.refresh_from_db()
    assert (late.owner, late.review_by, late.status) == (agent, due, ArticleStatus.PUBLISHED)
    assert (draft.owner, draft.status) == (agent, ArticleStatus.IN_REVIEW)
    assert upkeep.stale_articles(today) == []


# The page.


@pytest.fixture
def supervisor_client(supervisor: User) -> Client:
    User.objects.filter(pk=supervisor.pk).update(language="en")
    client = Client()
    client.force_login(supervisor)
    return client


def test_agents_may_not_open_the_page_nor_act(client: Client, agent: User, db: Any) -> None:
    client.force_login(agent)
    target = article(*RESET)

    assert client.get(reverse("kb:upkeep")).status_code == 403
    assert client.post(reverse("kb:upkeep_draft"), {"questions": "1"}).status_code == 403
    assert client.post(reverse("kb:upkeep_merge"), {"keep": 1, "remove": 2}).status_code == 403
    response = client.post(reverse("kb:upkeep_review", args=[target.pk]),
                           {"owner": agent.pk, "review_by": "2099-01-01"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.owner is None


def test_the_page_lists_each_report_with_its_count(
    supervisor_client: Client, questions: Any,
) -> None:
    article(*RESET, review_by=timezone.localdate() - datetime.timedelta(days=1))
    article(*RESET_AGAIN)

    gaps = supervisor_client.get(reverse("kb:upkeep")).content.decode()
    duplicates = supervisor_client.get(reverse("kb:upkeep") + "?tab=duplicates").content.decode()
    stale = supervisor_client.get(reverse("kb:upkeep") + "?tab=stale").content.decode()

    assert "4 questions" in gaps and PASSWORD_ANSWER in gaps and "Draft an article" in gaps
    assert "Resetting a forgotten password" in duplicates and "Merge" in duplicates
    assert "Review was due on" in stale and "Assign a review" in stale


def test_the_draft_button_creates_the_draft_and_replaces_its_row(
    supervisor_client: Client, questions: Any,
) -> None:
    gap = upkeep.content_gaps(last_90_days())[0]

    response = supervisor_client.post(reverse("kb:upkeep_draft"), {"questions": gap.key},
                                      HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "created" in response.content.decode()
    assert Article.objects.get(status=ArticleStatus.DRAFT).title == gap.representative


def test_actions_need_the_form_token(supervisor: User, db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    keep, remove = article(*RESET), article(*RESET_AGAIN)

    response = client.post(reverse("kb:upkeep_merge"), {"keep": keep.pk, "remove": remove.pk})

    assert response.status_code == 403
    remove.refresh_from_db()
    assert remove.status == ArticleStatus.PUBLISHED


def test_merge_and_review_buttons_without_javascript(
    supervisor_client: Client, supervisor: User, db: Any,
) -> None:
    keep, remove = article(*RESET), article(*RESET_AGAIN)

    response = supervisor_client.post(reverse("kb:upkeep_merge"),
                                      {"keep": keep.pk, "remove": remove.pk}, follow=True)
    assert "is archived" in response.content.decode()
    remove.refresh_from_db()
    assert remove.status == ArticleStatus.ARCHIVED

    response = supervisor_client.post(reverse("kb:upkeep_review", args=[keep.pk]),
                                      {"owner": supervisor.pk, "review_by": "2000-01-01"},
                                      follow=True)
    assert "in the past" in response.content.decode()
    due = timezone.localdate() + datetime.timedelta(days=7)
    supervisor_client.post(reverse("kb:upkeep_review", args=[keep.pk]),
                           {"owner": supervisor.pk, "review_by": due.isoformat()})
    keep.refresh_from_db()
    assert (keep.owner, keep.review_by) == (supervisor, due)


def test_the_period_chooses_which_questions_count(
    supervisor_client: Client, questions: Any,
) -> None:
    UnansweredQuestion.objects.filter(pk=questions[4].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30))

    last_week = supervisor_client.get(reverse("kb:upkeep") + "?days=7").content.decode()
    last_quarter = supervisor_client.get(reverse("kb:upkeep") + "?days=90").content.decode()

    assert UNRELATED_QUESTION[0] not in last_week and "4 questions" in last_week
    assert UNRELATED_QUESTION[0] in last_quarter
