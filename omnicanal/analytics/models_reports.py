"""The reports' pre-aggregated facts: one row per local day and combination of inbox, team,
agent, channel and topic, summed from the conversation facts (analytics.daily writes them).

A report over years reads a few rows a day instead of every conversation and message, and
every figure it shows is a SUM over those rows, so that any period and any scope (a team, an
agent) adds up in the database. Medians and 90th percentiles cannot be summed: durations are
kept as counts in fixed logarithmic buckets (DURATION_BUCKETS) and the percentiles are read
from the summed buckets, to within a bucket's width."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Upper bounds in seconds of the duration buckets; the last bucket holds everything above.
DURATION_BUCKETS: tuple[int, ...] = (
    30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 345600, 604800,
)
BUCKET_COUNT = len(DURATION_BUCKETS) + 1
# The measured durations that get buckets (prefix of their columns: first_response_b0 ...).
BUCKETED = ("first_response", "resolution")
HOURS = 24


def bucket_fields(prefix: str) -> list[str]:
    return [f"{prefix}_b{index}" for index in range(BUCKET_COUNT)]


HOUR_FIELDS = [f"hour_{hour:02d}" for hour in range(HOURS)]


class DailyFact(models.Model):
    """What the conversations created on `day` (local time) of one combination measured, and
    how many of that combination were resolved on `day` (`closed`, for the backlog)."""

    day = models.DateField()
    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(max_length=20)
    topic = models.CharField(max_length=100, blank=True)
    # Created that day; resolved that day (whenever created): the backlog at the end of a
    # day is every `opened` up to it minus every `closed` up to it.
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    customer_messages = models.PositiveIntegerField(default=0)
    agent_messages = models.PositiveIntegerField(default=0)
    bot_messages = models.PositiveIntegerField(default=0)
    first_response_count = models.PositiveIntegerField(default=0)
    first_response_sum = models.FloatField(default=0)
    resolution_count = models.PositiveIntegerField(default=0)
    resolution_sum = models.FloatField(default=0)
    handle_count = models.PositiveIntegerField(default=0)
    handle_sum = models.FloatField(default=0)
    # SLA clocks with a target that ended (stopped or breached), and those within the target.
    sla_total = models.PositiveIntegerField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    csat_count = models.PositiveIntegerField(default=0)
    csat_satisfied = models.PositiveIntegerField(default=0)
    nps_count = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    ces_count = models.PositiveIntegerField(default=0)
    ces_sum = models.PositiveIntegerField(default=0)

    # Buckets and hours as plain columns (not JSON) so that the database sums them.
    for _prefix in BUCKETED:
        for _name in bucket_fields(_prefix):
            locals()[_name] = models.PositiveIntegerField(default=0)
    # Conversations opened in each local hour of the day.
    for _name in HOUR_FIELDS:
        locals()[_name] = models.PositiveIntegerField(default=0)
    del _prefix, _name

    class Meta:
        verbose_name = _("daily fact")
        verbose_name_plural = _("daily facts")
        indexes = [
            models.Index(fields=["day"], name="daily_fact_day"),
            models.Index(fields=["team", "day"], name="daily_fact_team"),
            models.Index(fields=["agent", "day"], name="daily_fact_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} inbox {self.inbox_id}"


class DirtyDay(models.Model):
    """A local day whose daily facts must be summed again: event handlers write it (quick),
    the periodic refresh empties it."""

    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return str(self.day)


class ChannelCost(models.Model):
    """What a channel costs: per minute an agent spends on a conversation and per message
    (SMS, WhatsApp templates, calls by the minute). Zero when not configured."""

    channel = models.CharField(_("channel"), max_length=20, unique=True)
    per_minute = models.DecimalField(_("cost per minute"), max_digits=8, decimal_places=4,
                                     default=0)
    per_message = models.DecimalField(_("cost per message"), max_digits=8, decimal_places=4,
                                      default=0)

    class Meta:
        verbose_name = _("channel cost")
        verbose_name_plural = _("channel costs")

    def __str__(self) -> str:
        return self.channel
