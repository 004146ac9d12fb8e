"""Every write to the help center, and its search."""

from __future__ import annotations

import difflib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

import nh3
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.accounts.photos import sniff_image
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
from omnicanal.core.exceptions import InvalidField, InvalidInput, NotFound, PermissionDenied
from omnicanal.knowledge import search, vectors_store
from omnicanal.knowledge.markdown import ARTICLE_TAGS
from omnicanal.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleFile,
    ArticleStatus,
    ArticleVersion,
    BodyFormat,
    Category,
    Locale,
    Section,
    UnansweredQuestion,
    Visibility,
)

MAX_COMMENT_LENGTH = 2000


def clean_body(body: str, body_format: str) -> str:
    if body_format == BodyFormat.HTML:
        return nh3.clean(body, tags=ARTICLE_TAGS, url_schemes={"http", "https", "mailto"})
    return body


def save_article(article: Article) -> Article:
    """Clean the HTML, fill the slug, stamp the first publication; then save."""
    article.body = clean_body(article.body, article.body_format)
    if not article.slug:
        article.slug = _unique_slug(article.locale, article.title, exclude=article.pk)
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


def published_translations(article: Article) -> list[Article]:
    """The article's published public versions in the other languages."""
    return list(Article.objects.published().filter(translation_group=article.translation_group)
                .exclude(pk=article.pk))


def published_article_file(pk: int, name: str) -> ArticleFile | None:
    """A file the help center may serve: one of a published public article's."""
    return (ArticleFile.objects.filter(pk=pk, filename=name,
                                       article__in=Article.objects.published())
            .select_related("article").first())


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


# --- The knowledge base in the workspace: writing, review, versions, translations, files ---
#
# Who may do what: every agent writes drafts, edits articles in draft or in review, submits
# them for review and withdraws their submission; supervisors and administrators also edit
# published and archived articles, publish, send back to draft, archive and unarchive, and
# manage categories. Every content change goes through `save_article`.

MAX_FILE_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ZIP_DOCUMENTS = {".docx", ".xlsx", ".pptx", ".odt", ".ods"}
TEXT_DOCUMENTS = {".txt", ".csv"}
EDITABLE_BY_AGENTS = {ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW}


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    # Sources an agent who is not a supervisor may start it from (empty: supervisors only).
    agent_sources: frozenset[str] = frozenset()


TRANSITIONS = {
    t.name: t for t in (
        Transition("submit", _("Submit for review"), frozenset({ArticleStatus.DRAFT}),
                   ArticleStatus.IN_REVIEW, frozenset({ArticleStatus.DRAFT})),
        Transition("publish", _("Approve and publish"),
                   frozenset({ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW}),
                   ArticleStatus.PUBLISHED),
        Transition("draft", _("Send back to draft"),
                   frozenset({ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED}),
                   ArticleStatus.DRAFT, frozenset({ArticleStatus.IN_REVIEW})),
        Transition("archive", _("Archive"),
                   frozenset({ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW,
                              ArticleStatus.PUBLISHED}),
                   ArticleStatus.ARCHIVED),
        Transition("unarchive", _("Unarchive"), frozenset({ArticleStatus.ARCHIVED}),
                   ArticleStatus.DRAFT),
    )
}


@dataclass(frozen=True)
class ArticleInput:
    """What the editor's form says about an article."""

    title: str
    body: str
    locale: str
    category_id: int | None = None
    section_id: int | None = None
    visibility: str = Visibility.PUBLIC
    owner_id: int | None = None
    review_by: date | None = None
    body_format: str = BodyFormat.MARKDOWN


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "inserted", "deleted"
    text: str


def can_edit(agent: User, article: Article) -> bool:
    return agent.is_supervisor_or_above or article.status in EDITABLE_BY_AGENTS


def can_manage(agent: User) -> bool:
    """Publish, archive, manage categories: supervisors and administrators."""
    return agent.is_supervisor_or_above


def available_transitions(agent: User, article: Article) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if _may(agent, t, article.status)]


def _may(agent: User, transition: Transition, status: str) -> bool:
    if status not in transition.sources:
        return False
    return agent.is_supervisor_or_above or status in transition.agent_sources


def free_slug(taken: QuerySet, text: str, max_length: int) -> str:
    """The slug of `text`, numbered ("-2", "-3"…) past those `taken` already holds."""
    base = slugify(text)[: max_length - 10] or secrets.token_hex(4)
    slug, number = base, 2
    while taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _unique_slug(locale: str, title: str, exclude: int | None = None) -> str:
    taken = Article.objects.filter(locale=locale)
    return free_slug(taken if exclude is None else taken.exclude(pk=exclude), title, 200)


def _apply(article: Article, data: ArticleInput) -> None:
    title = data.title.strip()
    if not title:
        raise InvalidField("title", _("The article needs a title."))
    if len(title) > 200:
        raise InvalidField("title", _("The title is too long (at most 200 characters)."))
    if data.locale not in Locale.values:
        raise InvalidField("locale", _("Choose French or English."))
    if data.visibility not in Visibility.values:
        raise InvalidField("visibility", _("Choose public or internal."))
    if data.body_format not in BodyFormat.values:
        raise InvalidField("body", _("Unknown format."))
    category = section = None
    if data.section_id is not None:
        section = Section.objects.select_related("category").filter(pk=data.section_id).first()
        if section is None:
            raise InvalidField("section", _("No such section."))
        if data.category_id is not None and section.category_id != data.category_id:
            raise InvalidField("section", _("This section belongs to another category."))
        category = section.category
    elif data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id).first()
        if category is None:
            raise InvalidField("category", _("No such category."))
    if category is not None and category.locale != data.locale:
        raise InvalidField("category", _("This category is in the other language."))
    if data.owner_id is not None and not User.objects.filter(
            pk=data.owner_id, is_active=True).exists():
        raise InvalidField("owner", _("No such agent."))
    article.title = title
    article.body = data.body.replace("\r\n", "\n")
    article.body_format = data.body_format
    article.locale = data.locale
    article.category = category
    article.section = section
    article.visibility = data.visibility
    article.owner_id = data.owner_id
    article.review_by = data.review_by


def _next_number(article: Article) -> int:
    last = article.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def _record_version(article: Article, agent: User | None, comment: str = "") -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article, number=_next_number(article), title=article.title,
        body_format=article.body_format, body=article.body, status=article.status,
        author=agent, comment=comment[:300],
    )


def create_article(agent: User, data: ArticleInput) -> Article:
    """A new draft, and its first version; its writer owns it unless another owner is named."""
    article = Article(status=ArticleStatus.DRAFT)
    _apply(article, data)
    article.owner_id = article.owner_id or agent.pk
    article.slug = _unique_slug(article.locale, article.title)
    with transaction.atomic():
        save_article(article)
        _record_version(article, agent)
    return article


def update_article(agent: User, article_id: int, data: ArticleInput,
                   *, comment: str = "") -> Article:
    """The editor's save: a new version when the title or body changed."""
    with transaction.atomic():
        article = _locked(article_id)
        if not can_edit(agent, article):
            raise PermissionDenied(
                _("Only a supervisor can change a published or archived article."))
        before = (article.title, article.body, article.body_format)
        old_locale = article.locale
        _apply(article, data)
        if article.locale != old_locale:
            article.slug = _unique_slug(article.locale, article.title, exclude=article.pk)
        changed = (article.title, article.body, article.body_format) != before
        if changed and not article.versions.exists():
            # An article written before versions (or imported): keep what it said first.
            ArticleVersion.objects.create(
                article=article, number=1, title=before[0], body=before[1],
                body_format=before[2], status=article.status, author=None,
            )
        save_article(article)
        if changed:
            _record_version(article, agent, comment)
    return article


def _locked(article_id: int) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def transition_article(agent: User, article_id: int, name: str) -> Article:
    """Submit, publish, send back to draft, archive or unarchive, if the agent may."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise InvalidInput(_("Unknown action."))
    with transaction.atomic():
        article = _locked(article_id)
        if article.status not in transition.sources:
            raise InvalidInput(_("This article is %(status)s: it cannot be changed that way."),
                               status=article.get_status_display().lower())
        if not _may(agent, transition, article.status):
            raise PermissionDenied(_("Only a supervisor or an administrator can do that."))
        article.status = transition.target
        save_article(article)
    return article


def restore_version(agent: User, article_id: int, number: int) -> Article:
    """The old version's title and body, saved as a new version."""
    version = ArticleVersion.objects.filter(article_id=article_id, number=number).first()
    if version is None:
        raise NotFound(_("No such version."))
    article = Article.objects.get(pk=article_id)
    data = ArticleInput(
        title=version.title, body=version.body, body_format=version.body_format,
        locale=article.locale, category_id=article.category_id, section_id=article.section_id,
        visibility=article.visibility, owner_id=article.owner_id, review_by=article.review_by,
    )
    return update_article(agent, article_id, data,
                          comment=str(_("Restored from version %(number)s") % {"number": number}))


def version_diff(old: ArticleVersion, new: ArticleVersion) -> list[DiffLine]:
    """Line by line, what the newer version's text added and removed (the title is compared
    on its own)."""
    lines = []
    for line in difflib.ndiff(old.body.splitlines(), new.body.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        kind = {"+ ": "inserted", "- ": "deleted"}.get(code, "same")
        lines.append(DiffLine(kind, text))
    return lines


def translations(article: Article) -> list[Article]:
    """The other languages' articles of its translation group."""
    return list(Article.objects.filter(translation_group=article.translation_group)
                .exclude(pk=article.pk).order_by("locale"))


def translate_article(agent: User, article_id: int, locale: str) -> Article:
    """The article's draft in another language, in the same translation group (the one that
    exists already, if any), to be translated by the agent."""
    if locale not in Locale.values:
        raise InvalidInput(_("Choose French or English."))
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such article."))
    if locale == article.locale:
        raise InvalidInput(_("The article is already in that language."))
    existing = Article.objects.filter(
        translation_group=article.translation_group, locale=locale).first()
    if existing is not None:
        return existing
    translation = Article(
        locale=locale, translation_group=article.translation_group, title=article.title,
        body=article.body, body_format=article.body_format, visibility=article.visibility,
        status=ArticleStatus.DRAFT, owner_id=agent.pk,
    )
    translation.slug = _unique_slug(locale, translation.title)
    with transaction.atomic():
        save_article(translation)
        _record_version(translation, agent, str(_("Translation of “%(title)s”")
                                                % {"title": article.title}))
    return translation


def _file_type(name: str, head: bytes, upload: UploadedFile) -> str:
    image = sniff_image(head)
    if image is not None:
        return image[0]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".svg" or head.lstrip().startswith((b"<svg", b"<?xml")):
        raise InvalidInput(_("SVG images are not accepted: use PNG, JPEG, GIF or WebP."))
    if suffix == ".pdf" and head.startswith(b"%PDF-"):
        return DOCUMENT_TYPES[suffix]
    if suffix in ZIP_DOCUMENTS and head.startswith(b"PK\x03\x04"):
        return DOCUMENT_TYPES[suffix]
    if suffix in TEXT_DOCUMENTS:
        upload.seek(0)
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            text = "\x00"
        upload.seek(0)
        if "\x00" not in text and "<" not in text[:1024].lstrip()[:1]:
            return DOCUMENT_TYPES[suffix]
    raise InvalidInput(_("This type of file is not accepted: images (PNG, JPEG, GIF, WebP), "
                         "PDF, text, CSV and office documents only."))


def add_article_file(agent: User, article_id: int, upload: UploadedFile) -> ArticleFile:
    """An image or document for the article, checked by its first bytes and its size."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such article."))
    if not can_edit(agent, article):
        raise PermissionDenied(
            _("Only a supervisor can change a published or archived article."))
    size = upload.size or 0
    if size == 0:
        raise InvalidInput(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise InvalidInput(_("The file is too large: at most %(limit)s MB."),
                           limit=MAX_FILE_BYTES // 2**20)
    name = PurePosixPath((upload.name or "file").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")[:120] or "file"
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = _file_type(name, head, upload)
    stored = ArticleFile(article=article, filename=name, content_type=content_type, size=size,
                         uploaded_by=agent)
    stored.file.save(name, upload, save=False)
    stored.save()
    return stored


def file_url(stored: ArticleFile) -> str:
    return reverse("kb:file", args=[stored.pk, stored.filename])


def file_markdown(stored: ArticleFile) -> str:
    """What the editor inserts: an image, or a link to the document."""
    label = stored.filename.replace("[", "(").replace("]", ")")
    url = file_url(stored).replace(" ", "%20")
    if stored.content_type.startswith("image/"):
        return f"![{label}]({url})"
    return f"[{label}]({url})"


def save_category(agent: User, *, locale: str, name: str, category_id: int | None = None,
                  position: int = 0) -> Category:
    if not can_manage(agent):
        raise PermissionDenied(_("Only a supervisor or an administrator can do that."))
    name = name.strip()[:120]
    if not name:
        raise InvalidField("name", _("The category needs a name."))
    if locale not in Locale.values:
        raise InvalidField("locale", _("Choose French or English."))
    category = (Category.objects.filter(pk=category_id).first() if category_id is not None
                else Category(locale=locale))
    if category is None:
        raise NotFound(_("No such category."))
    category.name, category.position = name, position
    if not category.slug:
        category.slug = free_slug(Category.objects.filter(locale=category.locale), name, 120)
    category.save()
    return category


def add_section(agent: User, *, category_id: int, name: str) -> Section:
    if not can_manage(agent):
        raise PermissionDenied(_("Only a supervisor or an administrator can do that."))
    name = name.strip()[:120]
    if not name:
        raise InvalidField("section_name", _("The section needs a name."))
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("No such category."))
    position = category.sections.count() + 1
    return Section.objects.create(category=category, name=name, position=position)


def delete_category(agent: User, category_id: int) -> None:
    """Its articles stay, without a category."""
    if not can_manage(agent):
        raise PermissionDenied(_("Only a supervisor or an administrator can do that."))
    Category.objects.filter(pk=category_id).delete()


def delete_section(agent: User, section_id: int) -> None:
    if not can_manage(agent):
        raise PermissionDenied(_("Only a supervisor or an administrator can do that."))
    Section.objects.filter(pk=section_id).delete()


@dataclass(frozen=True)
class ArticleFilters:
    query: str = ""
    status: str = ""
    visibility: str = ""
    locale: str = ""
    category: int | None = None
    owner: str = ""  # "me", "none" or an agent's id
    review_due: bool = False

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or self.status or self.visibility or self.locale
                    or self.category or self.owner or self.review_due)


def workspace_articles(agent: User, filters: ArticleFilters
                       ) -> tuple[QuerySet[Article], dict[str, int]]:
    """The articles the filters select, and how many of them are in each status (the status
    filter left out of those counts, so the chips say what choosing one would show)."""
    articles = Article.objects.select_related("category", "section", "owner")
    if filters.query:
        for word in filters.query.split()[:8]:
            articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if filters.visibility:
        articles = articles.filter(visibility=filters.visibility)
    if filters.locale:
        articles = articles.filter(locale=filters.locale)
    if filters.category:
        articles = articles.filter(category_id=filters.category)
    if filters.owner == "me":
        articles = articles.filter(owner=agent)
    elif filters.owner == "none":
        articles = articles.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        articles = articles.filter(owner_id=int(filters.owner))
    if filters.review_due:
        articles = articles.filter(review_by__lte=timezone.localdate()).exclude(
            status=ArticleStatus.ARCHIVED)
    counts = {status: 0 for status in ArticleStatus.values}
    for row in articles.order_by().values("status").annotate(total=Count("pk")):
        counts[row["status"]] = row["total"]
    if filters.status:
        articles = articles.filter(status=filters.status)
    return articles.order_by("-updated_at", "title"), counts
