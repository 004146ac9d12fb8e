"""Surveys (CSAT, NPS, CES): when they go out, what was sent, what customers answered, who
asked not to be asked again, and the follow-up a detractor opens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("CSAT (satisfaction, 1 to 5)")
    NPS = "nps", _("NPS (recommendation, 0 to 10)")
    CES = "ces", _("CES (effort, 1 to 7)")


# Each kind's scale, lowest and highest score. CES: 1 very difficult … 7 very easy.
SCALES: dict[str, tuple[int, int]] = {
    SurveyKind.CSAT: (1, 5),
    SurveyKind.NPS: (0, 10),
    SurveyKind.CES: (1, 7),
}


def new_survey_token() -> str:
    return secrets.token_urlsafe(24)


class SurveyPolicy(models.Model):
    """Whether and when one kind of survey goes out for an inbox's or a team's conversations
    (a team's policy wins over its inbox's). `delay_days` 0 sends on resolution; NPS is
    usually sent some days after."""

    kind = models.CharField(_("survey"), max_length=4, choices=SurveyKind.choices)
    inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_enabled = models.BooleanField(_("enabled"), default=False)
    delay_days = models.PositiveSmallIntegerField(_("days after resolution"), default=0)
    # The question as the customer reads it; blank: the product's wording in their language.
    question = models.CharField(_("question"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey policy")
        verbose_name_plural = _("survey policies")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(inbox__isnull=True, team__isnull=False)
                    | models.Q(inbox__isnull=False, team__isnull=True)
                ),
                name="survey_policy_inbox_xor_team",
            ),
            models.UniqueConstraint(fields=["kind", "inbox"], name="survey_policy_kind_inbox"),
            models.UniqueConstraint(fields=["kind", "team"], name="survey_policy_kind_team"),
        ]

    def __str__(self) -> str:
        scope = f"team {self.team_id}" if self.team_id else f"inbox {self.inbox_id}"
        return f"{self.kind} for {scope}"


class RequestStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    # Not sent: throttled, opted out, or the channel could not carry it (`skip_reason`).
    SKIPPED = "skipped", _("Skipped")


class SurveyRequest(models.Model):
    """One survey for one conversation, sent on the channel the customer used."""

    kind = models.CharField(_("survey"), max_length=4, choices=SurveyKind.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="survey_requests"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="survey_requests"
    )
    # The inbox it is sent through: the customer's own channel.
    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    # Whom the answer is about: the conversation's agent and team when it was resolved.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # In one-click links and the chat widget: whoever holds it may answer this survey only.
    token = models.CharField(max_length=64, unique=True, default=new_survey_token)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.SCHEDULED
    )
    skip_reason = models.CharField(max_length=100, blank=True)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Past this, a reply is an ordinary message again.
    expires_at = models.DateTimeField(null=True, blank=True)
    # The outgoing message that carried the question.
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey request")
        verbose_name_plural = _("survey requests")
        indexes = [
            models.Index(fields=["status", "due_at"], name="survey_request_due"),
            models.Index(fields=["contact", "-created_at"], name="survey_request_contact"),
            models.Index(fields=["conversation", "status"], name="survey_request_conv"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} for conversation {self.conversation_id}"


class AnswerSource(models.TextChoices):
    REPLY = "reply", _("Reply in the conversation")
    LINK = "link", _("One-click link")
    WIDGET = "widget", _("Chat widget")
    BUTTON = "button", _("Button or list")


class ReviewStatus(models.TextChoices):
    # Not a public review (no comment, or the customer did not agree to publish).
    PRIVATE = "private", _("Not for publication")
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    # Hidden reviews are counted and shown as hidden on the public page, never silently gone.
    HIDDEN = "hidden", _("Hidden")


class SurveyResponse(models.Model):
    """A customer's answer: a score on the kind's scale (null when the reply gave none: it is
    kept as a comment, never guessed), attached to the conversation, its agent and team."""

    request = models.OneToOneField(
        SurveyRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    kind = models.CharField(_("survey"), max_length=4, choices=SurveyKind.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="survey_responses"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="survey_responses"
    )
    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(max_length=10, choices=AnswerSource.choices)
    # The customer's message that carried the answer, when it came as a reply.
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField()
    # Publication as a review: the customer agreed, a moderator decided, the team answered.
    publish_consent = models.BooleanField(default=False)
    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PRIVATE
    )
    hidden_reason = models.CharField(max_length=200, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    team_reply = models.TextField(blank=True)
    team_reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    team_reply_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["kind", "answered_at"], name="survey_response_kind"),
            models.Index(fields=["review_status", "-answered_at"], name="survey_response_review"),
            models.Index(fields=["team", "answered_at"], name="survey_response_team"),
            models.Index(fields=["agent", "answered_at"], name="survey_response_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} on conversation {self.conversation_id}"


class SurveyOptOut(models.Model):
    """A contact who asked to receive no more surveys: honoured for good."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="survey_opt_out"
    )
    source = models.CharField(max_length=10, choices=AnswerSource.choices)
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self) -> str:
        return f"opt-out of contact {self.contact_id}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpTask(models.Model):
    """What a detractor's answer opens for the supervisor of the team concerned: call the
    customer back, understand, fix."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="follow_up"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
    )
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey follow-up")
        verbose_name_plural = _("survey follow-ups")
        indexes = [models.Index(fields=["assignee", "status"], name="survey_followup_assignee")]

    def __str__(self) -> str:
        return f"follow-up of response {self.response_id}"
