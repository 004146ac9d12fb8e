"""The help center: categories and articles in French and English, and readers' feedback."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class BodyFormat(models.TextChoices):
    TEXT = "text", _("Plain text")
    HTML = "html", _("HTML")


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(models.Model):
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    body_format = models.CharField(
        _("format"), max_length=5, choices=BodyFormat.choices, default=BodyFormat.TEXT
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
