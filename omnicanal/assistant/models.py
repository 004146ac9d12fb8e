"""The assistant's own state.

Bot: its settings (one row, edited at /settings/bot/) and one `BotTurn` per customer message
it handled: the turn is written in the transaction of its reply, unique on the message, so a
crash before commit leaves neither and a retry after commit finds the turn and does nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Retrieval confidence below which the bot abstains (see docs/benchmarks.md, "Bot").
DEFAULT_CONFIDENCE_THRESHOLD = 0.5


class BotSettings(models.Model):
    """The bot's settings, shared by the inboxes where it is on (`Inbox.bot_enabled`)."""

    display_name = models.CharField(_("bot's name"), max_length=60, default="Assistant")
    confidence_threshold = models.FloatField(
        _("confidence threshold"), default=DEFAULT_CONFIDENCE_THRESHOLD
    )
    greeting_fr = models.TextField(_("greeting (French)"), blank=True)
    greeting_en = models.TextField(_("greeting (English)"), blank=True)
    handover_fr = models.TextField(_("handover message (French)"), blank=True)
    handover_en = models.TextField(_("handover message (English)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bot settings")
        verbose_name_plural = _("bot settings")

    def __str__(self) -> str:
        return self.display_name


class BotOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABSTAINED = "abstained", _("Abstained")
    HANDED_OVER = "handed_over", _("Handed over")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class BotTurn(models.Model):
    """The bot's handling of one customer message."""

    # Unique: the claim that keeps a retried handler from answering twice.
    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="bot_turn"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="bot_turns"
    )
    outcome = models.CharField(max_length=20, choices=BotOutcome.choices)
    language = models.CharField(max_length=8, blank=True)
    # [{"article_id", "title", "url", "confidence"}], best first: what retrieval offered.
    passages = models.JSONField(default=list, blank=True)
    # The bot's reply (None when it only handed over without a message).
    reply = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the bot waits for next: "feedback" (did it help?), "choice" (human, callback,
    # e-mail) or "".
    awaiting = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bot turn")
        verbose_name_plural = _("bot turns")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} #{self.message_id}"
