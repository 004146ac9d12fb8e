"""A pilot: a group of conversations (a team, an inbox, a label or a customer segment) whose
KPIs over a period are compared with the rest and with the group's own past
(analytics.pilots)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from omnicanal.contacts.models import ValueTier


class GroupKind(models.TextChoices):
    TEAM = "team", _("Team")
    INBOX = "inbox", _("Inbox")
    LABEL = "label", _("Label")
    SEGMENT = "segment", _("Customer segment")


class Pilot(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    group_kind = models.CharField(_("group"), max_length=20, choices=GroupKind.choices)
    # Exactly one of these four says which group, the one named by group_kind (checked below).
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.ForeignKey(
        "conversations.Label", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    segment = models.CharField(max_length=20, blank=True, choices=ValueTier.choices)
    # Both days included, in the site's time zone.
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pilot_period_order"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(group_kind=GroupKind.TEAM, team__isnull=False, inbox__isnull=True,
                             label__isnull=True, segment="")
                    | models.Q(group_kind=GroupKind.INBOX, team__isnull=True,
                               inbox__isnull=False, label__isnull=True, segment="")
                    | models.Q(group_kind=GroupKind.LABEL, team__isnull=True, inbox__isnull=True,
                               label__isnull=False, segment="")
                    | (models.Q(group_kind=GroupKind.SEGMENT, team__isnull=True,
                                inbox__isnull=True, label__isnull=True)
                       & ~models.Q(segment=""))
                ),
                name="pilot_one_group",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def group_name(self) -> str:
        if self.group_kind == GroupKind.TEAM and self.team is not None:
            return self.team.name
        if self.group_kind == GroupKind.INBOX and self.inbox is not None:
            return self.inbox.name
        if self.group_kind == GroupKind.LABEL and self.label is not None:
            return self.label.name
        return str(ValueTier(self.segment).label) if self.segment else ""
