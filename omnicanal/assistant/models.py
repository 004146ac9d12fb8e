"""The assistant's own state.

Triage: each training run of the intent classifier (`TriageModel`, one active), each
message's triage (`MessageTriage`) and the intents administrators send to a skill.

Bot: its settings (one row, edited at /settings/bot/) and one `BotTurn` per customer message
it handled: the turn is written in the transaction of its reply, unique on the message, so a
crash before commit leaves neither and a retry after commit finds the turn and does nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from omnicanal.conversations.models import Message, Sentiment

# Retrieval confidence below which the bot abstains (see docs/benchmarks.md, "Bot").
DEFAULT_CONFIDENCE_THRESHOLD = 0.1


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


class TriageModelStatus(models.TextChoices):
    RUNNING = "running", _("Training")
    ACTIVE = "active", _("Active")
    KEPT_OUT = "kept_out", _("Not activated")
    RETIRED = "retired", _("Replaced")
    FAILED = "failed", _("Failed")


class TriageModel(models.Model):
    """One training run of the intent classifier: its model, its evaluation on the held-back
    fifth, and whether it is the one triage uses (at most one is ACTIVE)."""

    status = models.CharField(
        max_length=10, choices=TriageModelStatus.choices, default=TriageModelStatus.RUNNING
    )
    # "task", "command", "button": who asked.
    requested_by = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    data = models.BinaryField(null=True, blank=True, editable=False)
    labels = models.JSONField(default=list, blank=True)
    # accuracy, macro_f1, per_intent, worst_pairs, n_train, n_test, n_team, n_baseline, and
    # the active model's figures on the same held-back items ("compared_with").
    evaluation = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"),
                name="assistant_one_active_triage_model",
            ),
        ]

    def __str__(self) -> str:
        return f"triage model {self.pk} ({self.status})"


class MessageTriage(models.Model):
    """What triage made of one customer message."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="triage")
    language = models.CharField(max_length=8, blank=True)
    intent = models.CharField(max_length=100, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    urgent = models.BooleanField(default=False)
    cues = models.JSONField(default=list, blank=True)
    model = models.ForeignKey(
        TriageModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"triage of message {self.message_id}"


class IntentSkill(models.Model):
    """An administrator's choice: conversations of this intent need this skill."""

    intent = models.CharField(max_length=100, unique=True)
    skill = models.CharField(max_length=50)
    level = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["intent"]

    def __str__(self) -> str:
        return f"{self.intent} → {self.skill}"
