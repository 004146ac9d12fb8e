"""Quarantined IMAP mail, for administrators: what failed, why, and a "retry" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.connectors.email.quarantine import retry_quarantined_mail
from omnicanal.connectors.models import QuarantinedMail
from omnicanal.core.exceptions import DomainError


class QuarantineStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("quarantined", gettext("Quarantined")),
            ("failing", gettext("Failing, will be retried by the poll")),
            ("released", gettext("Stored after a retry")),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[QuarantinedMail]
    ) -> QuerySet[QuarantinedMail]:
        if self.value() == "quarantined":
            return queryset.filter(quarantined_at__isnull=False, released_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(quarantined_at__isnull=True)
        if self.value() == "released":
            return queryset.filter(released_at__isnull=False)
        return queryset


@admin.register(QuarantinedMail)
class QuarantinedMailAdmin(admin.ModelAdmin):
    list_display = ["uid", "subject", "inbox", "mailbox", "attempts", "quarantined_at",
                    "released_at", "error"]
    list_filter = [QuarantineStateFilter, "inbox"]
    search_fields = ["subject", "error"]
    readonly_fields = ["inbox", "mailbox", "uidvalidity", "uid", "subject", "error", "attempts",
                       "first_failed_at", "last_failed_at", "quarantined_at", "released_at",
                       "released_message_id", "size"]
    exclude = ["raw"]
    actions = ["retry"]

    @admin.display(description=_("size (bytes)"))
    def size(self, mail: QuarantinedMail) -> int:
        return len(mail.raw)

    # Administrators (User.is_staff) without model permissions of their own: the role is
    # the permission, as everywhere in Omnicanal.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_staff)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_staff)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry storing the selected mail"))
    def retry(self, request: HttpRequest, queryset: QuerySet[QuarantinedMail]) -> None:
        """The settings page's retry (Operations → Quarantined mail), audited, per mail."""
        assert isinstance(request.user, User)
        stored = 0
        for mail_id in queryset.filter(released_at__isnull=True).values_list("pk", flat=True):
            try:
                retry_quarantined_mail(request.user, mail_id)
            except DomainError as error:  # shown to the administrator, kept on the row
                self.message_user(request, error.message, messages.ERROR)
            else:
                stored += 1
        if stored:
            self.message_user(
                request, gettext("%(count)s mail stored.") % {"count": stored}, messages.SUCCESS
            )
