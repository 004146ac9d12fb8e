"""Analytics facts: every contact event on every channel (the journeys' raw material) and one
row per conversation of what its journey measured. Both are maintained by event handlers
(analytics.facts) and rebuilt from the conversations by a command; reports read them, never
the live tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CUSTOMER_MESSAGE = "customer_message", _("Customer message")
    AGENT_MESSAGE = "agent_message", _("Agent message")
    BOT_MESSAGE = "bot_message", _("Bot message")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    # Left without an answer: a chat abandoned in the queue, a call hung up while waiting.
    ABANDONED = "abandoned", _("Abandoned")
    HANDED_OVER = "handed_over", _("Handed over by the bot")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")


class ContactEvent(models.Model):
    """One thing that happened in a customer's journey, on whatever channel."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    # The inbox's channel kind (conversations.ChannelKind) at the time.
    channel = models.CharField(max_length=20)
    type = models.CharField(max_length=20, choices=EventType.choices)
    at = models.DateTimeField()
    # Ties the fact to what caused it (an outbox event or a message), so that a handler run
    # twice writes it once.
    source_key = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")
        indexes = [
            models.Index(fields=["contact", "at"], name="contact_event_contact"),
            models.Index(fields=["conversation", "at"], name="contact_event_conversation"),
            models.Index(fields=["at"], name="contact_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} of contact {self.contact_id} at {self.at:%Y-%m-%d %H:%M}"


class ConversationFact(models.Model):
    """What one conversation's journey measured, by the definitions of the `analytics_eval`
    contract (first response, resolution, repeat contact within 7 days, channel switch,
    first-contact resolution, abandon, survey scores). Durations in seconds, calendar time."""

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="fact"
    )
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who answered it (the assignee when it was resolved, else the last assignee).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The customer's segment (contacts.ValueTier) when the conversation was created.
    segment = models.CharField(max_length=20, blank=True)
    # What it was about: its first label's name, else its triaged intent ("" when neither).
    topic = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    first_response_s = models.FloatField(null=True, blank=True)
    # Set only when the last status event is "resolved".
    resolution_s = models.FloatField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    is_resolved = models.BooleanField(default=False)
    was_reopened = models.BooleanField(default=False)
    is_abandoned = models.BooleanField(default=False)
    # A conversation of the same contact and topic created 0 < Δ ≤ 7 days after this one.
    has_repeat_7d = models.BooleanField(default=False)
    # Whether that next repeat is on another channel (null without a repeat).
    repeat_switched_channel = models.BooleanField(null=True, blank=True)
    is_fcr = models.BooleanField(default=False)
    # The bot held it at some point, and whether it ended without a human nor a resolution.
    had_bot = models.BooleanField(default=False)
    customer_messages = models.PositiveIntegerField(default=0)
    agent_messages = models.PositiveIntegerField(default=0)
    bot_messages = models.PositiveIntegerField(default=0)
    # Time agents spent on it (sum of their reply gaps, see analytics.facts); null if none.
    handle_s = models.FloatField(null=True, blank=True)
    csat = models.SmallIntegerField(null=True, blank=True)
    nps = models.SmallIntegerField(null=True, blank=True)
    ces = models.SmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conversation fact")
        verbose_name_plural = _("conversation facts")
        indexes = [
            models.Index(fields=["created_at"], name="conv_fact_created"),
            models.Index(fields=["inbox", "created_at"], name="conv_fact_inbox"),
            models.Index(fields=["team", "created_at"], name="conv_fact_team"),
            models.Index(fields=["agent", "created_at"], name="conv_fact_agent"),
            models.Index(fields=["channel", "created_at"], name="conv_fact_channel"),
            models.Index(fields=["contact", "topic", "created_at"], name="conv_fact_repeat"),
        ]

    def __str__(self) -> str:
        return f"facts of conversation {self.conversation_id}"


# Pilots and the reports' daily aggregates live in their own modules; imported here so that
# Django registers their models with the app.
from omnicanal.analytics.models_pilots import GroupKind, Pilot  # noqa: E402, F401
from omnicanal.analytics.models_reports import (  # noqa: E402, F401
    ChannelCost,
    DailyFact,
    DirtyDay,
)
