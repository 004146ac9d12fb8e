from django.contrib import admin

from omnicanal.accounts.models import ApiToken, AuditLogEntry, Team, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "name", "role", "language", "is_active"]
    list_filter = ["role", "language", "is_active"]
    search_fields = ["email", "name"]
    exclude = ["password", "user_permissions", "groups", "is_superuser", "last_login"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    filter_horizontal = ["members"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin[AuditLogEntry]):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    readonly_fields = ["actor", "action", "target_type", "target_id", "data", "created_at"]
