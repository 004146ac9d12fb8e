"""A supervisor opens knowledge upkeep, drafts an article from a content gap with one click,
and the page reads right in French and English at two window sizes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Inbox
from omnicanal.knowledge import upkeep
from omnicanal.knowledge.models import Article, ArticleStatus, UnansweredQuestion
from omnicanal.knowledge.tests.test_upkeep import (
    DELIVERY,
    DELIVERY_COMPLAINTS,
    PASSWORD_ANSWER,
    PASSWORD_QUESTIONS,
    RESET,
    RESET_AGAIN,
    SHIPPING,
    UNRELATED_QUESTION,
    agent_reply,
    article,
    conversation,
)
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    screenshot,
)

pytestmark = BROWSER_MARKS
SIZES = [(1440, 900), (1024, 768)]


@pytest.fixture
def upkeep_data(api_inbox: Inbox, agent: User) -> None:
    """Made before the browser starts (conversations' events push outside its loop), with
    the embeddings computed once, as a page load before would have."""
    for index, (text, locale) in enumerate([*PASSWORD_QUESTIONS, UNRELATED_QUESTION]):
        conv = conversation(api_inbox, f"b{index}", text)
        UnansweredQuestion.objects.create(question=text, locale=locale, conversation=conv)
        if index < 2:
            agent_reply(conv, agent, PASSWORD_ANSWER)
    today = timezone.localdate()
    article(*RESET, review_by=today - datetime.timedelta(days=12), owner=agent)
    article(*RESET_AGAIN, status=ArticleStatus.DRAFT)
    article(*SHIPPING, review_by=today - datetime.timedelta(days=2))
    delivery = article(DELIVERY[0], DELIVERY[1], owner=agent)
    Article.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=120))
    for index, text in enumerate(DELIVERY_COMPLAINTS):
        conversation(api_inbox, f"late{index}", text, days_ago=3 + index)
    upkeep.content_gaps(timezone.now() - datetime.timedelta(days=90))
    upkeep.duplicate_articles()
    upkeep.stale_articles(today)


def test_the_upkeep_page_in_french_and_english(
    upkeep_data: None, asgi_live_server: LiveServer, playwright_page: Any, supervisor: User,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    problems: list[str] = []
    for language in in_each_language(page, asgi_live_server, supervisor, "pw-sup-123"):
        for tab in ("gaps", "duplicates", "stale"):
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{asgi_live_server.url}/knowledge/upkeep/?tab={tab}", timeout=30000)
                expect(page.locator(".upkeep-item").first).to_be_visible()
                screenshot(page, f"upkeep-{tab}-{language}-{width}x{height}")
            problems += accessibility_problems(page, f"upkeep-{tab}-{language}")
    assert problems == []


def test_one_click_drafts_an_article_from_a_gap(
    upkeep_data: None, asgi_live_server: LiveServer, playwright_page: Any, supervisor: User,
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    for language in in_each_language(page, asgi_live_server, supervisor, "pw-sup-123"):
        if language == "fr":
            continue
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{asgi_live_server.url}/knowledge/upkeep/", timeout=30000)
        first = page.locator("#gap-list .upkeep-item").first
        expect(first).to_contain_text("4 questions")
        first.get_by_role("button", name="Draft an article").click(timeout=30000)

        expect(page.locator(".upkeep-done")).to_contain_text("created", timeout=30000)
        screenshot(page, "upkeep-gap-drafted-en")
    draft = Article.objects.get(status=ArticleStatus.DRAFT, owner=supervisor)
    assert PASSWORD_ANSWER in draft.body
    assert UnansweredQuestion.objects.filter(answered_by=draft).count() == 4
