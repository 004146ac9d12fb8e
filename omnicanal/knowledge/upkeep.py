"""Knowledge upkeep for the knowledge manager: what the knowledge base is missing (content
gaps), what it says twice (duplicate articles) and what may no longer be true (stale
articles), each with the action that fixes it.

Every report is computed on demand from the database and the sentence encoder, bounded (at
most `MAX_QUESTIONS` questions, `MAX_ARTICLES` articles and `MAX_CONVERSATIONS` conversations
per window, the most recent first) and memoised per text, so a page load re-encodes only what
is new. The thresholds were measured on StackFAQ (paraphrased questions sharing an answer)
with `bench/upkeep_thresholds.py`; the figures are in docs/benchmarks.md, "Knowledge upkeep".

Every change to an article goes through `knowledge.actions.save_article`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Conversation, Direction, Message
from omnicanal.core import embeddings
from omnicanal.core.exceptions import InvalidInput
from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    UnansweredQuestion,
)

# Two questions belong to one gap when their average-linkage cosine similarity is at least
# this: on StackFAQ's paraphrases, clusters at 0.60 match the FAQ entries best balanced
# (homogeneity 0.91, completeness 0.91, ARI 0.45; 0.55 merges unrelated ones, 0.65 splits).
GAP_SIMILARITY = 0.60
# Two articles are near-duplicates at or above this cosine similarity of their title + body:
# no unrelated StackFAQ pair of 14,520 reaches it (the highest is 0.76), a copy with a
# sentence added scores 0.95 or more; an article rewritten from scratch mostly stays below.
DUPLICATE_SIMILARITY = 0.80
# Word 4-gram Jaccard at or above this (same language): near-exact text, whatever the
# embeddings say.
NEAR_EXACT_JACCARD = 0.80
# Only pairs at least this similar are compared word by word (near-exact text is far above).
SHINGLE_CANDIDATE_SIMILARITY = 0.60
# A conversation counts for the article nearest to its first customer message (the better of
# its similarity to the title and to the title + body) when that is at least this. Low on
# purpose: a customer's message and an article are worded far apart (a late parcel against
# "Delivery delays" scores 0.3 to 0.45), and a rise compares two windows counted alike.
TOPIC_SIMILARITY = 0.35
# A topic "rises" when the last window holds at least this many conversations and at least
# `TOPIC_RISE_FACTOR` times the window before.
TOPIC_MIN_CONVERSATIONS = 3
TOPIC_RISE_FACTOR = 1.5
TOPIC_WINDOW_DAYS = 30

MAX_QUESTIONS = 3000
MAX_ARTICLES = 2000
MAX_CONVERSATIONS = 3000
EXCERPT_LENGTH = 400
EXAMPLES = 3


# --- embeddings, memoised per text ------------------------------------------------------

_CACHE_SIZE = 10_000  # 10,000 x 512 float32 = 20 MB at most
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def encode(texts: Sequence[str]) -> np.ndarray:
    """The encoder's L2-normalised vectors, computing only the texts not seen lately."""
    keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    with _cache_lock:
        missing = list(dict.fromkeys(
            (key, text) for key, text in zip(keys, texts, strict=True) if key not in _cache
        ))
    if missing:
        vectors = embeddings.encode([text for _key, text in missing])
        with _cache_lock:
            for (key, _text), vector in zip(missing, vectors, strict=True):
                _cache[key] = vector
                _cache.move_to_end(key)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    with _cache_lock:
        rows = [_cache.get(key) for key in keys]
    if any(row is None for row in rows):  # evicted meanwhile by a larger batch
        return embeddings.encode(list(texts))
    if not rows:
        return np.zeros((0, 512), dtype=np.float32)
    return np.vstack(rows)  # type: ignore[arg-type]


def forget_embeddings() -> None:
    with _cache_lock:
        _cache.clear()


def clusters(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clusters of the rows (cosine), each a list of row indices, largest
    first."""
    count = len(vectors)
    if count == 0:
        return []
    if count == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - threshold
    ).fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda members: (-len(members), members[0]))


# --- content gaps -----------------------------------------------------------------------


@dataclass
class Gap:
    """Unanswered questions on one subject."""

    question_ids: list[int]
    count: int
    representative: str
    locale: str
    languages: list[str]
    examples: list[str]
    # How many of the questions an agent answered afterwards in their conversation, and the
    # most common of those answers (an excerpt).
    answered_count: int = 0
    answer: str = ""
    answer_count: int = 0
    answers: list[str] = field(default_factory=list)
    last_asked: datetime.datetime | None = None

    @property
    def key(self) -> str:
        return ",".join(str(pk) for pk in sorted(self.question_ids))


def content_gaps(since: datetime.datetime, *, limit: int = MAX_QUESTIONS) -> list[Gap]:
    """The open unanswered questions asked since `since` (the `limit` most recent),
    clustered by meaning across languages, largest gap first."""
    questions = list(
        UnansweredQuestion.objects.filter(created_at__gte=since, answered_by__isnull=True)
        .order_by("-created_at", "-id")[:limit]
    )
    if not questions:
        return []
    vectors = encode([question.question for question in questions])
    gaps = [
        _gap([questions[i] for i in members], vectors[members])
        for members in clusters(vectors, GAP_SIMILARITY)
    ]
    gaps.sort(key=lambda gap: (-gap.count, -gap.answered_count, gap.representative))
    return gaps


def gap_of(question_ids: Iterable[int]) -> Gap | None:
    """The gap made of these questions (those still open), as the page posted it back."""
    questions = list(
        UnansweredQuestion.objects.filter(pk__in=list(question_ids), answered_by__isnull=True)
        .order_by("-created_at", "-id")
    )
    if not questions:
        return None
    return _gap(questions, encode([question.question for question in questions]))


def _gap(questions: list[UnansweredQuestion], vectors: np.ndarray) -> Gap:
    centroid = vectors.mean(axis=0)
    order = np.argsort(-(vectors @ centroid), kind="stable")
    representative = questions[int(order[0])]
    examples: list[str] = []
    seen = {_normalised(representative.question)}
    for index in order[1:]:
        text = questions[int(index)].question
        if _normalised(text) not in seen and len(examples) < EXAMPLES:
            seen.add(_normalised(text))
            examples.append(text)
    locales = Counter(question.locale for question in questions if question.locale)
    answers = agent_answers(questions)
    tally = Counter(_normalised(text) for text in answers.values())
    best_text, best_count = "", 0
    if tally:
        best_key, best_count = tally.most_common(1)[0]
        best_text = next(text for text in answers.values() if _normalised(text) == best_key)
    distinct: list[str] = []
    for key, _count in tally.most_common():
        distinct.append(next(text for text in answers.values() if _normalised(text) == key))
    return Gap(
        question_ids=[question.pk for question in questions],
        count=len(questions),
        representative=representative.question,
        # The draft's language: the representative question's (its title), else the most
        # common one.
        locale=representative.locale or (locales.most_common(1)[0][0] if locales else ""),
        languages=sorted(locales),
        examples=examples,
        answered_count=len(answers),
        answer=_excerpt(best_text),
        answer_count=best_count,
        answers=distinct,
        last_asked=max(question.created_at for question in questions),
    )


def agent_answers(questions: Sequence[UnansweredQuestion]) -> dict[int, str]:
    """Question id -> the first reply an agent (not the bot) sent in its conversation after
    it was asked."""
    by_conversation: dict[int, list[UnansweredQuestion]] = {}
    for question in questions:
        if question.conversation_id:
            by_conversation.setdefault(question.conversation_id, []).append(question)
    if not by_conversation:
        return {}
    replies = (
        Message.objects.filter(
            conversation_id__in=list(by_conversation), direction=Direction.OUTGOING,
            is_bot=False, is_auto_reply=False,
        )
        .exclude(text="")
        .order_by("created_at", "id")
        .values_list("conversation_id", "created_at", "text")
    )
    answers: dict[int, str] = {}
    for conversation_id, created_at, text in replies:
        for question in by_conversation[conversation_id]:
            if question.pk not in answers and created_at >= question.created_at:
                answers[question.pk] = text.strip()
    return answers


# --- duplicates -------------------------------------------------------------------------


@dataclass
class Duplicate:
    # The article to keep (published first, then the most helpful, then the oldest) and the
    # one a merge archives.
    keep: Article
    remove: Article
    similarity: float
    # "exact" (same normalised text), "near_exact" (shingles) or "similar" (embeddings).
    kind: str

    @property
    def key(self) -> str:
        return f"{self.keep.pk}-{self.remove.pk}"


def article_text(article: Article) -> str:
    return f"{article.title}\n{strip_tags(article.body)}"


def duplicate_articles(*, limit: int = MAX_ARTICLES) -> list[Duplicate]:
    """Pairs of articles (not archived) saying the same thing: in one language, or in two
    languages without being translations of each other (another translation group)."""
    articles = list(
        Article.objects.exclude(status=ArticleStatus.ARCHIVED)
        .select_related("owner").order_by("-updated_at", "-id")[:limit]
    )
    if len(articles) < 2:
        return []
    texts = [article_text(article) for article in articles]
    vectors = encode(texts)
    similarity = vectors @ vectors.T
    hashes = [hashlib.sha256(_normalised(text).encode()).hexdigest() for text in texts]
    shingles: dict[int, set[str]] = {}
    rows, columns = np.nonzero(np.triu(similarity >= SHINGLE_CANDIDATE_SIMILARITY, 1))
    found: list[Duplicate] = []
    for i, j in zip(rows.tolist(), columns.tolist(), strict=True):
        first, second = articles[i], articles[j]
        if first.translation_group == second.translation_group:
            continue
        score = float(similarity[i, j])
        kind = ""
        if hashes[i] == hashes[j]:
            kind = "exact"
        elif first.locale == second.locale:
            left = shingles.setdefault(i, _shingles(texts[i]))
            right = shingles.setdefault(j, _shingles(texts[j]))
            if left and right and len(left & right) / len(left | right) >= NEAR_EXACT_JACCARD:
                kind = "near_exact"
        if not kind and score >= DUPLICATE_SIMILARITY:
            kind = "similar"
        if kind:
            keep, remove = sorted((first, second), key=_keep_order)
            found.append(Duplicate(keep, remove, min(score, 1.0), kind))
    rank = {"exact": 0, "near_exact": 1, "similar": 2}
    found.sort(key=lambda pair: (rank[pair.kind], -pair.similarity, pair.keep.pk))
    return found


def _keep_order(article: Article) -> tuple[int, int, datetime.datetime, int]:
    return (
        0 if article.status == ArticleStatus.PUBLISHED else 1,
        -(article.helpful_votes - article.unhelpful_votes),
        article.created_at,
        article.pk,
    )


# --- stale articles ---------------------------------------------------------------------


@dataclass
class Stale:
    article: Article
    # "review" (past its review date) or "topic" (its topic's conversations rose while it
    # stayed unchanged); both when both.
    reasons: list[str]
    recent: int = 0
    previous: int = 0

    @property
    def is_past_review(self) -> bool:
        return "review" in self.reasons

    @property
    def is_topic_rise(self) -> bool:
        return "topic" in self.reasons


def stale_articles(today: datetime.date) -> list[Stale]:
    """Published articles past their review date, and those whose topic's conversations
    rose (the last 30 days against the 30 before) while nobody updated them."""
    found: dict[int, Stale] = {}
    for article in (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, review_by__lt=today)
        .select_related("owner").order_by("review_by", "id")
    ):
        found[article.pk] = Stale(article, ["review"])
    for article, recent, previous in topic_rises(today):
        stale = found.setdefault(article.pk, Stale(article, []))
        stale.reasons.append("topic")
        stale.recent, stale.previous = recent, previous
    return sorted(found.values(), key=lambda stale: (
        -len(stale.reasons), -(stale.recent - stale.previous),
        stale.article.review_by or today, stale.article.pk,
    ))


def topic_rises(today: datetime.date) -> list[tuple[Article, int, int]]:
    """(article, conversations of the last window, of the window before) for the published
    articles whose topic rose and that were not updated during the last window. A
    conversation's topic is the article nearest to its first customer message (at least
    `TOPIC_SIMILARITY`)."""
    articles = list(
        Article.objects.for_agents().select_related("owner")
        .order_by("-updated_at", "-id")[:MAX_ARTICLES]
    )
    if not articles:
        return []
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    window = datetime.timedelta(days=TOPIC_WINDOW_DAYS)
    recent_start, previous_start = midnight - window, midnight - 2 * window
    recent = _topic_counts(articles, recent_start, midnight)
    previous = _topic_counts(articles, previous_start, recent_start)
    rises = []
    for index, article in enumerate(articles):
        now, before = int(recent[index]), int(previous[index])
        if (now >= TOPIC_MIN_CONVERSATIONS and now >= TOPIC_RISE_FACTOR * before
                and now > before and article.updated_at < recent_start):
            rises.append((article, now, before))
    return rises


def _topic_counts(
    articles: list[Article], start: datetime.datetime, end: datetime.datetime
) -> np.ndarray:
    counts = np.zeros(len(articles), dtype=np.int64)
    texts = first_customer_messages(start, end)
    if not texts:
        return counts
    questions = encode(texts)
    similarity = np.maximum(
        questions @ encode([article_text(article) for article in articles]).T,
        questions @ encode([article.title for article in articles]).T,
    )
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(texts)), nearest]
    for index in nearest[best >= TOPIC_SIMILARITY]:
        counts[int(index)] += 1
    return counts


def first_customer_messages(start: datetime.datetime, end: datetime.datetime) -> list[str]:
    """The first customer message (or the subject) of each conversation opened in the
    window, the `MAX_CONVERSATIONS` most recent."""
    conversations = dict(
        Conversation.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("-created_at", "-id").values_list("id", "subject")[:MAX_CONVERSATIONS]
    )
    first: dict[int, str] = {}
    messages = (
        Message.objects.filter(conversation_id__in=list(conversations),
                               direction=Direction.INCOMING)
        .exclude(text="").order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "text")
    )
    for conversation_id, text in messages:
        first.setdefault(conversation_id, text[:2000])
    texts = [first.get(pk) or subject for pk, subject in conversations.items()]
    return [text for text in texts if text.strip()]


# --- actions ----------------------------------------------------------------------------


@transaction.atomic
def draft_from_gap(gap: Gap, user: User) -> Article:
    """A draft article for the gap: the representative question as its title, the agents'
    answers as its body; the gap's questions count as answered by it from now on (they leave
    the report; publishing it is the editor's step)."""
    title = gap.representative.strip().replace("\n", " ")[:200] or gettext("New article")
    if gap.answers:
        body = "\n\n".join(gap.answers[:3])
    else:
        body = gettext("(No agent answered these questions yet.)")
    questions = [gap.representative, *gap.examples]
    body += "\n\n---\n" + gettext("Questions asked:") + "\n" + "\n".join(
        f"- {question.strip()}" for question in questions
    )
    locale = gap.locale if gap.locale in {"fr", "en"} else user.language or "fr"
    article = Article(
        locale=locale, title=title, slug="", body=body,
        body_format=BodyFormat.MARKDOWN, status=ArticleStatus.DRAFT, owner=user,
    )
    save_article(article)
    UnansweredQuestion.objects.filter(
        pk__in=gap.question_ids, answered_by__isnull=True
    ).update(answered_by=article)
    return article


@transaction.atomic
def merge_articles(keep: Article, remove: Article, user: User) -> Article:
    """Keep one article of a duplicate pair and archive the other. The archived one keeps
    its text and history (its editor can copy anything worth keeping); the questions it
    answered now point to the kept one."""
    if keep.pk == remove.pk:
        raise InvalidInput(_("An article cannot be merged into itself."))
    if ArticleStatus.ARCHIVED in (keep.status, remove.status):
        raise InvalidInput(_("An archived article cannot be merged."))
    remove.status = ArticleStatus.ARCHIVED
    save_article(remove)
    UnansweredQuestion.objects.filter(answered_by=remove).update(answered_by=keep)
    return keep


@transaction.atomic
def assign_review(
    article: Article, owner: User, review_by: datetime.date, user: User
) -> Article:
    """Ask `owner` to review the article by `review_by`. A draft goes to review; a
    published article stays published while it is reviewed (customers and the bot keep
    reading it)."""
    if not owner.is_active:
        raise InvalidInput(_("The reviewer's account is deactivated."))
    if article.status == ArticleStatus.ARCHIVED:
        raise InvalidInput(_("An archived article is not reviewed."))
    article.owner = owner
    article.review_by = review_by
    if article.status == ArticleStatus.DRAFT:
        article.status = ArticleStatus.IN_REVIEW
    save_article(article)
    return article


# --- helpers ----------------------------------------------------------------------------


def _normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKD", strip_tags(text).lower())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", folded))


def _shingles(text: str, size: int = 4) -> set[str]:
    words = _normalised(text).split()
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"

