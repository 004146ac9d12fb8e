"""The help center: categories and articles in French and English, and readers' feedback."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Locale(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Category(models.Model):
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["locale", "position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="unique_category_slug")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"


class Section(models.Model):
    """A group of articles inside a category ("Billing", then "Invoices")."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["category", "position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (agents only)")


class BodyFormat(models.TextChoices):
    TEXT = "text", _("Plain text")
    HTML = "html", _("HTML")
    MARKDOWN = "markdown", _("Markdown")


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        """What customers, the help center and the bot may read: published and public."""
        return self.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)

    def for_agents(self) -> ArticleQuerySet:
        """What agents and the copilot may read: published, public or internal."""
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(models.Model):
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    # The French and English versions of one article share a group; a new article starts one.
    translation_group = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("owner"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    body_format = models.CharField(
        _("format"), max_length=8, choices=BodyFormat.choices, default=BodyFormat.TEXT
    )
    # Plain text, or HTML cleaned by nh3 when saved through `actions.save_article` (and the
    # admin, which calls it): the page renders it as is.
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The words of the title and body folded (lower case, no accents) and stemmed in the
    # article's language, space-separated with a space at each end: SQLite's search and
    # PostgreSQL's without `unaccent` look a stem up as " stem " (see `knowledge.search`).
    search_index = models.TextField(blank=True, default="", editable=False)
    # "Was this helpful?" tallies, kept beside the votes so a page needs no aggregate.
    helpful_votes = models.PositiveIntegerField(default=0, editable=False)
    unhelpful_votes = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["locale", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="unique_article_slug")
        ]
        indexes = [models.Index(fields=["locale", "status"], name="article_locale_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.locale, self.slug])


class ArticleVersion(models.Model):
    """What an article read like after one save: the history shown with diffs and restored
    from. Written by `knowledge.actions` whenever the title or body changes."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_format = models.CharField(max_length=8, choices=BodyFormat.choices)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_article_version")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


def article_file_path(instance: ArticleFile, filename: str) -> str:
    return f"knowledge/{instance.article_id}/{uuid.uuid4().hex[:16]}/{filename}"


class ArticleFile(models.Model):
    """An image shown in an article or a document attached to it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=article_file_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "created_at"]
        verbose_name = _("article file")
        verbose_name_plural = _("article files")

    def __str__(self) -> str:
        return self.filename


class ArticleFeedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    is_helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    # A hash of the visitor's help-center cookie: one vote per visitor and article, without
    # keeping anything that identifies the person.
    visitor = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "visitor"], condition=~models.Q(visitor=""),
                name="one_vote_per_visitor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.is_helpful else '-'}"


class HelpCenterSettings(models.Model):
    """The help center's look and contact details: one row (pk 1), written by
    `knowledge.branding.save_help_center_settings`."""

    organisation_name = models.CharField(_("organisation name"), max_length=120, blank=True)
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#1d4ed8")
    # The logo's bytes, checked and (for SVG) rebuilt from an allow-list before they are
    # stored; served by the help center with its own content type.
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True, default="")
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("help center settings")
        verbose_name_plural = _("help center settings")

    def __str__(self) -> str:
        return self.organisation_name or "Help center"


class UnansweredQuestion(models.Model):
    """A customer's question the bot could not answer from the knowledge base: the raw
    material of content gaps (clustered and counted for the knowledge manager)."""

    question = models.TextField()
    locale = models.CharField(max_length=8, blank=True)
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The articles retrieval offered and the bot found too weak, best first.
    articles_tried = models.JSONField(default=list, blank=True)
    # Set when an article written or chosen for it closes the gap.
    answered_by = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unanswered question")
        verbose_name_plural = _("unanswered questions")

    def __str__(self) -> str:
        return self.question[:60]


class ImportKind(models.TextChoices):
    FILES = "files", _("Files (HTML, Markdown, CSV, ZIP)")
    SITEMAP = "sitemap", _("Sitemap of a website")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("import status", "Queued")
    RUNNING = "running", pgettext_lazy("import status", "Running")
    DONE = "done", pgettext_lazy("import status", "Done")
    FAILED = "failed", pgettext_lazy("import status", "Failed")


class ImportRun(models.Model):
    """One import into the knowledge base (files uploaded, or a sitemap's pages): its options,
    its progress while the background task runs, and the report of what became of each item.
    Written by `knowledge.importing` only."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("imported by"),
    )
    kind = models.CharField(_("source"), max_length=10, choices=ImportKind.choices)
    # The files' names, or the sitemap's address.
    name = models.CharField(_("name"), max_length=500)
    # Where the uploaded files wait for the task (storage names), emptied once it has run.
    files = models.JSONField(default=list, blank=True)
    # {"language": "auto"|"fr"|"en", "category": str, "visibility": str,
    #  "on_duplicate": "skip"|"update", "publish": bool}
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # One row per item: {"item", "outcome": created|updated|skipped|failed, "article",
    # "title", "reason"}.
    report = models.JSONField(default=list, blank=True)
    # Why the whole run failed (the sitemap could not be read, ...).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("knowledge import")
        verbose_name_plural = _("knowledge imports")

    def __str__(self) -> str:
        return f"{self.kind}: {self.name[:60]}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0

class ChunkVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    # Drafts, articles in review or archived: kept (their vectors are reused when they come
    # back) but never retrieved.
    HIDDEN = "hidden", _("Hidden")


class KnowledgeChunk(models.Model):
    """A passage retrieval ranks: a piece of an article, or a resolved conversation's
    question and answer, with its vector (float32 bytes) and its stems. Written only by
    `knowledge.vectors_store`."""

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="chunks"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    locale = models.CharField(max_length=8)
    visibility = models.CharField(max_length=10, choices=ChunkVisibility.choices)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField()
    # sha256 of what was embedded: an unchanged chunk keeps its vector.
    digest = models.CharField(max_length=64)
    encoder = models.CharField(max_length=80)
    stems = models.TextField(blank=True, default="")
    vector = models.BinaryField()
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["encoder", "visibility"])]

    def __str__(self) -> str:
        return f"{self.title} #{self.position}"
