from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import Article, ArticleFeedback, ArticleVersion, Category, Section


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "locale", "position"]
    list_filter = ["locale"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "position"]
    list_filter = ["category__locale"]


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ("number", "title", "status", "author", "comment", "created_at")
    readonly_fields = ("number", "title", "status", "author", "comment", "created_at")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "locale", "category", "status", "visibility", "owner", "updated_at"]
    list_filter = ["locale", "status", "visibility", "body_format", "category"]
    inlines = [ArticleVersionInline]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        save_article(obj)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "is_helpful", "comment", "created_at"]
    list_filter = ["is_helpful"]
    readonly_fields = ["article", "is_helpful", "comment", "created_at"]
