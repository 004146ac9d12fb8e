"""What an agent is told about: notifications, the preferences that filter them, and the
mentions that feed the "mentions" list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to me")
    MENTIONED = "mentioned", _("Mentioned in a note")
    SLA_WARNING = "sla_warning", _("SLA about to be missed")
    SLA_BREACHED = "sla_breached", _("SLA missed")
    NEW_MESSAGE = "new_message", _("New message on my conversations")
    AUTOMATION = "automation", _("Automation rules")


class Notification(models.Model):
    """One line in an agent's bell. New messages on a conversation accumulate in one unread
    row (`count`) rather than one row each: the flood agents of older helpdesks complain of."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the text is made of (a contact's name, an SLA target, an automation's words); the
    # text itself is rendered in the reader's language when shown.
    params = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last occurrence folded into this row: what the list is ordered by.
    updated_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # When a browser notification was asked for: the rate limit per conversation reads it.
    popped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notif_recipient"),
            # The bell's unread count, on every workspace page.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True),
                name="notif_unread",
            ),
        ]
        constraints = [
            # One unread row per conversation for new messages, even when two messages are
            # handled at the same time by two processes: the second one folds into the first.
            models.UniqueConstraint(
                fields=["recipient", "conversation"],
                condition=models.Q(read_at__isnull=True, kind="new_message"),
                name="notif_one_unread_new_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """An agent's choice for one kind; without a row, `DEFAULT_PREFERENCES` applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_in_app = models.BooleanField(default=True)
    is_browser = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class Mention(models.Model):
    """An agent named in a note: the "mentions" list reads these, whatever the agent's
    notification preferences (turning the bell off must not hide the list)."""

    message = models.ForeignKey(
        "conversations.Message", on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["message", "agent"], name="unique_mention")
        ]
        indexes = [models.Index(fields=["agent", "conversation"], name="mention_agent")]

    def __str__(self) -> str:
        return f"{self.agent_id} in {self.message_id}"
