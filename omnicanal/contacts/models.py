from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from omnicanal.contacts.naming import contact_display_name, identity_display_value
from omnicanal.contacts.senders import IdentityKind


class ValueTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    GOLD = "gold", _("Gold")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """One customer, whatever the channels they use."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL)
    value_tier = models.CharField(
        _("value tier"), max_length=20, choices=ValueTier.choices, default=ValueTier.STANDARD
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # Set when this contact was merged into another; the merge can be undone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        """The name people read (see `naming.contact_display_name`)."""
        return contact_display_name(self)


class Identity(models.Model):
    """A way to reach a contact: an address, a number, a platform id."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(
        max_length=20, choices=[(k.value, k.value) for k in IdentityKind]
    )
    # Normalised: lower-case e-mail, E.164 phone number, provider id as given.
    value = models.CharField(max_length=320)
    is_verified = models.BooleanField(default=False)
    # Set after a hard bounce or a provider's permanent refusal.
    is_undeliverable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            # A verified value belongs to exactly one contact; unverified claims may repeat
            # (they are what merge suggestions are made of).
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=models.Q(is_verified=True),
                name="unique_verified_identity",
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def display_value(self) -> str:
        """The value people read (see `naming.identity_display_value`)."""
        return identity_display_value(self.kind, self.value)


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    BOOLEAN = "boolean", _("Yes/no")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")


class AttributeDefinition(models.Model):
    """The schema an administrator defines for contacts' custom attributes."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=AttributeType.choices)
    choices = models.JSONField(default=list, blank=True)
    is_required = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("custom attribute")
        verbose_name_plural = _("custom attributes")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label


class MergeSuggestion(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merge suggestion")
        verbose_name_plural = _("merge suggestions")
        constraints = [
            models.UniqueConstraint(fields=["contact", "candidate"], name="unique_suggestion")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} ~ {self.candidate_id}: {self.reason}"


class ContactMerge(models.Model):
    """A merge and everything needed to undo it exactly."""

    target = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    # {"identity_ids": [...], "conversation_ids": [...], "target_before": {...}}
    snapshot = models.JSONField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact merge")
        verbose_name_plural = _("contact merges")

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class ContactNote(models.Model):
    """An agent's internal note about a customer (not about one conversation): seen by
    agents only, on the contact's page."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact note")
        verbose_name_plural = _("contact notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.text[:40]}"
