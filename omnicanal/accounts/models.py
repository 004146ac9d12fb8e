from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class SendShortcut(models.TextChoices):
    """Which key sends from the composer; the other one (and Shift+Enter) adds a line."""

    CTRL_ENTER = "ctrl_enter", _("Ctrl+Enter sends, Enter adds a line")
    ENTER = "enter", _("Enter sends, Shift+Enter adds a line")


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An agent needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", Role.ADMINISTRATOR)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


def agent_photo_path(instance: Any, filename: str) -> str:
    """A random name per upload: the public URL (`accounts.photos.photo_url`) cannot be
    guessed from the agent, and a new photo is a new URL (no stale cache)."""
    import secrets
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"agent-photos/{secrets.token_urlsafe(18)}{suffix}"


class User(AbstractBaseUser, PermissionsMixin):
    """An agent, supervisor or administrator; logs in with an e-mail address."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    is_active = models.BooleanField(_("active"), default=True)
    # {channel kind: text}, e.g. {"email": "Camille\nService client"}: appended to the
    # agent's replies on that channel (see `accounts.profile.signature_for`).
    signatures = models.JSONField(_("signatures"), default=dict, blank=True)
    send_shortcut = models.CharField(
        _("send with"), max_length=10, choices=SendShortcut.choices,
        default=SendShortcut.CTRL_ENTER,
    )
    # Shown beside the agent's messages (the web chat widget, the workspace); written by
    # `accounts.photos` only, which checks it is a small PNG, JPEG, GIF or WebP image.
    photo = models.FileField(_("photo"), upload_to=agent_photo_path, blank=True, max_length=200)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_staff(self) -> bool:
        # Django's admin is a technical back office for superusers only: administrators
        # set Omnicanal up from the workspace's settings.
        return self.is_active and self.is_superuser

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_supervisor_or_above(self) -> bool:
        return self.role in (Role.ADMINISTRATOR, Role.SUPERVISOR)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    # The first characters, kept in clear so an agent can tell tokens apart in a list.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditLogEntry(models.Model):
    """Who did which administrative action to what, and when."""

    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
