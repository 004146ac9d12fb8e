"""Every write to the help center, and its search."""

from __future__ import annotations

import hashlib
import secrets

import nh3
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from omnicanal.connectors.base import (
    IdentityKind,
    InboundMessage,
    Sender,
    SenderIdentity,
    ThreadHints,
)
from omnicanal.connectors.registry import adapter_for, all_adapters
from omnicanal.conversations.ingest import IngestResult, ingest
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import InvalidInput, NotFound
from omnicanal.knowledge import search, vectors_store
from omnicanal.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    BodyFormat,
    Category,
    UnansweredQuestion,
)

MAX_COMMENT_LENGTH = 2000
ARTICLE_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "img", "table", "thead", "tbody", "tr", "th", "td", "hr",
}


def clean_body(body: str, body_format: str) -> str:
    if body_format == BodyFormat.HTML:
        return nh3.clean(body, tags=ARTICLE_TAGS, url_schemes={"http", "https", "mailto"})
    return body


def save_article(article: Article) -> Article:
    """Clean the HTML, fill the slug, stamp the first publication; then save."""
    article.body = clean_body(article.body, article.body_format)
    if not article.slug:
        article.slug = slugify(article.title)[:200] or secrets.token_hex(4)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.search_index = search.index_text(
        article.locale, article.title, article.body, article.body_format
    )
    article.save()
    # Retrieval's chunks follow once this is committed (only changed texts re-embedded).
    vectors_store.article_saved(article.pk)
    return article


def record_unanswered_question(
    question: str, *, locale: str, conversation_id: int | None, articles_tried: list[int]
) -> UnansweredQuestion:
    """Keep a question the bot could not answer, for the content-gap report."""
    return UnansweredQuestion.objects.create(
        question=question[:4000], locale=locale, conversation_id=conversation_id,
        articles_tried=articles_tried,
    )


def published_article(locale: str, slug: str) -> Article:
    article = (
        Article.objects.published().select_related("category").filter(locale=locale, slug=slug)
    ).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def search_articles(locale: str, query: str) -> list[Article]:
    """Published articles of the language holding every word of the query, stemmed, accents
    ignored, synonyms counted (see `knowledge.search`); best first."""
    return [hit.article for hit in search.search(locale, query)]


def categories_with_articles(locale: str) -> list[tuple[Category | None, list[Article]]]:
    articles = list(
        Article.objects.published().filter(locale=locale).select_related("category")
        .order_by("category__position", "category__name", "title")
    )
    groups: dict[int | None, tuple[Category | None, list[Article]]] = {}
    for article in articles:
        key = article.category_id
        groups.setdefault(key, (article.category, []))[1].append(article)
    return list(groups.values())


def record_feedback(
    article: Article, is_helpful: bool, comment: str = "", *, visitor: str = ""
) -> ArticleFeedback:
    """A reader's "was this helpful?". `visitor` (the help center's visitor cookie) makes
    it one vote per visitor and article: a second vote only adds its comment to the first.
    The article's tallies move with the new vote."""
    if article.status != ArticleStatus.PUBLISHED:
        raise NotFound(_("No such article."))
    comment = comment.strip()[:MAX_COMMENT_LENGTH]
    visitor_hash = hashlib.sha256(visitor.encode()).hexdigest() if visitor else ""
    with transaction.atomic():
        if visitor_hash:
            earlier = (ArticleFeedback.objects.select_for_update()
                       .filter(article=article, visitor=visitor_hash).first())
            if earlier is not None:
                if comment and not earlier.comment:
                    earlier.comment = comment
                    earlier.save(update_fields=["comment"])
                return earlier
        feedback = ArticleFeedback.objects.create(
            article=article, is_helpful=is_helpful, comment=comment, visitor=visitor_hash
        )
        tally = "helpful_votes" if is_helpful else "unhelpful_votes"
        Article.objects.filter(pk=article.pk).update(**{tally: F(tally) + 1})
    return feedback


def has_voted(article: Article, visitor: str) -> ArticleFeedback | None:
    if not visitor:
        return None
    visitor_hash = hashlib.sha256(visitor.encode()).hexdigest()
    return ArticleFeedback.objects.filter(article=article, visitor=visitor_hash).first()


def related_articles(article: Article, limit: int = 5) -> list[Article]:
    """Other published articles of its category, then of its language, newest first."""
    others = Article.objects.published().filter(locale=article.locale).exclude(pk=article.pk)
    related = list(others.filter(category_id=article.category_id)
                   .order_by("-published_at", "title")[:limit]) if article.category_id else []
    if len(related) < limit:
        related += list(others.exclude(pk__in=[a.pk for a in related])
                        .order_by("-published_at", "title")[:limit - len(related)])
    return related


def popular_articles(locale: str, limit: int = 6) -> list[Article]:
    """The articles readers found most helpful, newest first among equals."""
    return list(Article.objects.published().filter(locale=locale)
                .order_by("-helpful_votes", "unhelpful_votes", "-published_at", "title")[:limit])


def published_category(locale: str, slug: str) -> tuple[Category, list[Article]]:
    category = Category.objects.filter(locale=locale, slug=slug).first()
    if category is None:
        raise NotFound(_("No such category."))
    articles = list(Article.objects.published().filter(category=category).order_by("title"))
    return category, articles


def contact_inbox() -> Inbox | None:
    """Where the help center's contact form lands: the inbox whose settings say
    `"help_center_contact": true`, else the first active inbox of a channel that takes the
    form by default (the web chat: its replies go by e-mail through its e-mail fallback, as
    the writer has no widget open)."""
    active = Inbox.objects.filter(is_active=True)
    default_channels = [a.kind for a in all_adapters() if a.takes_contact_form]
    return (
        active.filter(settings__help_center_contact=True).order_by("id").first()
        or active.filter(channel__in=default_channels).order_by("id").first()
    )


def submit_contact_form(
    *, form_id: str, name: str, email: str, subject: str, text: str
) -> IngestResult:
    """The contact form as a customer message. The address is typed, so unverified: it
    never joins an existing contact, at most suggests a merge. `form_id` (a token the form
    carries) makes a double submission one message."""
    inbox = contact_inbox()
    if inbox is None:
        raise NotFound(_("The contact form is not available."))
    if not text.strip():
        raise InvalidInput(_("The message is empty."))
    # The channel may give the writer a handle of its own: the web chat makes the form a
    # visitor, whose verified handle lets the customer's mail answer find this conversation.
    identities = [
        *adapter_for(inbox.channel).contact_form_identities(inbox.pk, form_id),
        SenderIdentity(IdentityKind.EMAIL, email, is_verified=False),
    ]
    subject = subject.strip()[:300]
    return ingest(
        inbox,
        InboundMessage(
            external_id=f"helpform:{form_id}",
            sender=Sender(identities, name.strip()[:200]),
            text=text.strip(),
            thread=ThreadHints(subject=subject),
            sent_at=timezone.now(),
        ),
    )
