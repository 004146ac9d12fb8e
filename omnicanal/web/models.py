"""What the runtime keeps between processes: when each periodic task was last enqueued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicTaskRun(models.Model):
    """One row per periodic task. Every scheduler (a thread in each `omnicanal serve`, or
    `omnicanal tick` from cron) claims a due run by moving `last_enqueued_at` forward with a
    conditional UPDATE, so that several of them never enqueue the same run twice."""

    task_path = models.CharField(max_length=200, primary_key=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self) -> str:
        return f"{self.task_path} {self.last_enqueued_at}"


class SavedView(models.Model):
    """A list an agent named: one of the workspace's lists (`list_view`), its filters and its
    order. Private to its owner, or shared with one team (`team`), whose members see it.

    `filters` holds what `ListFilters.as_query()` gives, checked by `saved_views` on every
    write, so that opening a view always yields the list it was saved from."""

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    # Null: private. A team deleted later makes its views private to their owners again.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    list_view = models.CharField(_("list"), max_length=20)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("order"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            # Two views of one agent with one name could not be told apart in the menu.
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner"),
        ]
        indexes = [models.Index(fields=["team"], name="saved_view_team")]

    def __str__(self) -> str:
        return self.name
