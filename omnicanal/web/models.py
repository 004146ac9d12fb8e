"""What the runtime keeps between processes: when each periodic task was last enqueued."""

from __future__ import annotations

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
