"""Administrators' settings: business calendars and SLA policies, automation rules, canned
replies and macros. Each model validates on save, so the admin shows the engine's own error
messages."""

from django.contrib import admin
from django.http import HttpRequest

from omnicanal.routing.models import (
    AutomationRule,
    AutomationRun,
    BusinessCalendar,
    CannedReply,
    Macro,
    OpeningHours,
    SlaClock,
    SlaPolicy,
    SpecialDay,
    TeamCalendar,
)


class OpeningHoursInline(admin.TabularInline[OpeningHours, BusinessCalendar]):
    model = OpeningHours
    extra = 0


class SpecialDayInline(admin.TabularInline[SpecialDay, BusinessCalendar]):
    model = SpecialDay
    extra = 0


class TeamCalendarInline(admin.TabularInline[TeamCalendar, BusinessCalendar]):
    model = TeamCalendar
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["name", "time_zone", "holiday_country", "holiday_subdivision", "is_default"]
    inlines = [OpeningHoursInline, SpecialDayInline, TeamCalendarInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = [
        "position", "name", "is_active", "priority", "value_tier", "channel", "team", "inbox",
        "first_response_time", "next_response_time", "resolution_time",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "priority", "value_tier", "channel"]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin[SlaClock]):
    """Read-only: clocks are the event handlers' to change."""

    list_display = ["conversation", "target", "started_at", "due_at", "stopped_at",
                    "breached_at"]
    list_filter = ["target"]
    raw_id_fields = ["conversation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SlaClock | None = None) -> bool:
        return False


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
