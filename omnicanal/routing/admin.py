"""Supervisors' and administrators' settings for automation, canned replies and macros.
Each model validates its JSON on save, so the admin shows the engine's own error messages."""

from django.contrib import admin

from omnicanal.routing.models import AutomationRule, AutomationRun, CannedReply, Macro


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin[AutomationRule]):
    list_display = ["name", "trigger", "position", "is_active", "updated_at"]
    list_filter = ["trigger", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


@admin.register(AutomationRun)
class AutomationRunAdmin(admin.ModelAdmin[AutomationRun]):
    list_display = ["ran_at", "rule_name", "conversation", "trigger"]
    list_filter = ["trigger"]
    readonly_fields = ["rule", "rule_name", "conversation", "event_id", "trigger", "outcomes",
                       "ran_at"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin[CannedReply]):
    list_display = ["shortcut", "title", "updated_at"]
    search_fields = ["shortcut", "title", "text"]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin[Macro]):
    list_display = ["shortcut", "name", "updated_at"]
    search_fields = ["shortcut", "name"]
