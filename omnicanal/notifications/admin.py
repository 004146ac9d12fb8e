from django.contrib import admin

from omnicanal.notifications.models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "conversation", "count", "updated_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "conversation", "actor")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "is_in_app", "is_browser")
    raw_id_fields = ("user",)
