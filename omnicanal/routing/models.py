"""Routing data: agents' presence, capacity and skills, each conversation's place in a queue,
and the policies that pick an agent.

The queue order is (priority, value_rank, queued_at, conversation id): priority 1 first, gold
before standard when the policy favours value, then first come first served.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import ChannelKind

# Skill levels are numbers (1 to 5 in the UI, any number in the simulation).
Skills = Mapping[str, float]


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Mode(models.TextChoices):
    LONGEST_IDLE = "longest_idle", _("Longest idle")
    LEAST_BUSY = "least_busy", _("Least busy")
    ROUND_ROBIN = "round_robin", _("Round robin")
    # Conversations wait in the queue with a position; agents pick them up themselves.
    MANUAL = "manual", _("Manual")


# Capacity is counted per kind of work, not per provider: a WhatsApp thread, an SMS exchange
# and a web chat occupy an agent alike, an e-mail or a call does not.
_CHANNEL_KINDS = {ChannelKind.EMAIL.value: "email", ChannelKind.VOICE.value: "voice"}
CHAT = "chat"


def routing_channel(inbox_channel: str) -> str:
    """The capacity bucket ("chat", "email", "voice") an inbox's conversations count against."""
    return _CHANNEL_KINDS.get(inbox_channel, CHAT)


def skills_key(required: Skills) -> str:
    """A canonical text for a set of required skills, so that conversations needing the same
    skills group together (the dispatcher remembers per group that no free agent fits)."""
    return json.dumps(sorted(required.items()), separators=(",", ":"))


def has_required_skills(agent_skills: Skills, required: Skills) -> bool:
    """Every required skill held at the minimum level or above; a skill the agent lacks fails
    even when its minimum is 0 ("has every required skill")."""
    for name, minimum in required.items():
        level = agent_skills.get(name)
        if level is None or level < minimum:
            return False
    return True


class AgentProfile(models.Model):
    """An agent as routing sees them: presence and skills."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="routing_profile",
    )
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.OFFLINE
    )
    # {"billing": 3, "german": 5}
    skills = models.JSONField(_("skills"), default=dict, blank=True)
    presence_changed_at = models.DateTimeField(null=True, blank=True)
    # Away because the workspace saw no activity (not by the agent's choice): activity brings
    # them back online, which a chosen away or offline never does.
    is_away_for_inactivity = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("agent routing profile")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.presence}"


AVAILABLE_SLOT = models.Q(is_available=True, load__lt=models.F("capacity"))


class AgentCapacity(models.Model):
    """How many conversations of one channel kind an agent handles at once, and how many
    they hold now. A channel kind without a row means a capacity of 0.

    `load` changes only while the agent's profile row is locked, which is what keeps two
    dispatchers from filling the same last slot. `is_available` (online) and `became_idle_at`
    are the agent's, copied on each of their rows so that finding the longest-idle agent with a
    free slot is one walk of a partial index instead of a join and a sort of every agent.
    """

    profile = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="capacities")
    channel = models.CharField(_("channel kind"), max_length=20)
    capacity = models.PositiveIntegerField(_("capacity"))
    # Conversations assigned and not resolved yet. A supervisor's manual assignment may push
    # it past capacity; the dispatcher then simply finds no free slot.
    load = models.PositiveIntegerField(default=0)
    is_available = models.BooleanField(default=False)
    # The agent's last assignment or the moment they came online, whichever is later: the
    # longest-idle policy gives the next conversation to the oldest.
    became_idle_at = models.DateTimeField()

    class Meta:
        verbose_name = _("agent capacity")
        verbose_name_plural = _("agent capacities")
        constraints = [
            models.UniqueConstraint(fields=["profile", "channel"], name="unique_agent_channel")
        ]
        indexes = [
            models.Index(
                fields=["channel", "became_idle_at", "profile"],
                condition=AVAILABLE_SLOT,
                name="capacity_longest_idle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.channel} {self.load}/{self.capacity}"


class RoutingPolicy(models.Model):
    """How a team's or an inbox's conversations find an agent; one global policy (neither
    set) covers the rest. A team's policy wins over its inbox's."""

    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices,
                            default=Mode.LONGEST_IDLE)
    # Gold customers go before standard ones of the same priority.
    has_value_priority = models.BooleanField(_("value priority"), default=True)
    # Where the round-robin rotation stands: the next agent is the one after this one.
    last_assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("routing policy")
        verbose_name_plural = _("routing policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=True) | models.Q(inbox__isnull=True),
                name="policy_single_scope",
            ),
            # One policy per team, per inbox, and one global (NULLs would otherwise differ).
            models.UniqueConstraint(
                Coalesce("team", models.Value(0)),
                Coalesce("inbox", models.Value(0)),
                name="unique_policy_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = f"team {self.team_id}" if self.team_id else (
            f"inbox {self.inbox_id}" if self.inbox_id else "global")
        return f"{scope}: {self.mode}"


WAITING = models.Q(agent__isnull=True, resolved_at__isnull=True)


class ConversationRouting(models.Model):
    """A conversation's routing: what it needs, its place in the queue, who took it.

    Waiting means neither assigned nor resolved. A conversation reopened after resolution is
    queued again with the same row.
    """

    conversation = models.OneToOneField(
        "conversations.Conversation",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="routing",
    )
    channel = models.CharField(_("channel kind"), max_length=20)
    # {"billing": 2}: the agent needs each skill at this level or above.
    required_skills = models.JSONField(_("required skills"), default=dict, blank=True)
    skills_key = models.TextField(default="[]", editable=False)
    priority = models.PositiveSmallIntegerField(_("priority"), default=3)
    value_tier = models.CharField(
        _("value tier"), max_length=20, choices=ValueTier.choices, default=ValueTier.STANDARD
    )
    # 0 for gold under a value-priority policy, else 1; stored so the queue is one index scan.
    value_rank = models.PositiveSmallIntegerField(default=1)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField()
    # No plain index: on SQLite one on agent_id would be picked for "agent_id IS NULL" over
    # the partial queue index, and scan every conversation ever left unassigned.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="routed_conversations", db_index=False,
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation routing")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="routing_priority_1_4"
            ),
        ]
        indexes = [
            # The dispatcher walks the waiting conversations of the channel kinds with a free
            # slot in queue order, and stops early; partial, so that the walk stays off the
            # far larger history of assigned conversations.
            models.Index(
                fields=["channel", "priority", "value_rank", "queued_at", "conversation"],
                condition=WAITING,
                name="routing_queue_order",
            ),
            # What each agent holds now.
            models.Index(
                fields=["agent"],
                condition=models.Q(agent__isnull=False, resolved_at__isnull=True),
                name="routing_held",
            ),
            # Average handle time: the latest resolutions of a channel kind.
            models.Index(
                fields=["channel", "-resolved_at"],
                condition=models.Q(assigned_at__isnull=False, resolved_at__isnull=False),
                name="routing_handled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.channel} p{self.priority}"

    @property
    def is_waiting(self) -> bool:
        return self.agent_id is None and self.resolved_at is None


# Automation: rules that react to events, macros and canned replies agents apply by hand.
# Conditions and actions are JSON checked by `automation.validate_*` / `macros.validate_*`
# on every save, so a stored rule always has a shape the engine knows.


class Trigger(models.TextChoices):
    CONVERSATION_CREATED = "conversation_created", _("Conversation created")
    MESSAGE_RECEIVED = "message_received", _("Customer message received")
    STATUS_CHANGED = "status_changed", _("Conversation status changed")
    ASSIGNMENT_CHANGED = "assignment_changed", _("Assignment changed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")


class AutomationRule(models.Model):
    """When `trigger` happens and every condition holds, apply the actions, in order."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Rules of one trigger run in this order (then by id).
    position = models.PositiveIntegerField(_("position"), default=0)
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    # [{"type": "channel", "values": ["email"]}, ...]: all must hold.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    # [{"type": "add_label", "name": "refund"}, ...]
    actions = models.JSONField(_("actions"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        indexes = [models.Index(fields=["trigger", "position"], name="rule_trigger_order")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # Whatever the path (admin, API, shell), a rule the engine cannot read is refused.
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from omnicanal.routing import automation

        automation.check_rule(self)


class AutomationRun(models.Model):
    """One rule applied to one conversation because of one event: the audit trail."""

    rule = models.ForeignKey(
        AutomationRule, null=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # Kept when the rule is deleted, so the history still says which rule it was.
    rule_name = models.CharField(max_length=100)
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    event_id = models.BigIntegerField()
    trigger = models.CharField(max_length=30)
    # [{"type": "add_label", "ok": true}, {"type": "assign_agent", "ok": false, "error": "…"}]
    outcomes = models.JSONField(default=list)
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("automation run")
        constraints = [
            # An event caught up twice must not apply a rule twice.
            models.UniqueConstraint(fields=["rule", "event_id"], name="unique_rule_event"),
        ]
        indexes = [models.Index(fields=["conversation", "ran_at"], name="run_conversation")]

    def __str__(self) -> str:
        return f"{self.rule_name} on {self.conversation_id}"


class CannedReply(models.Model):
    """A ready answer with variables ({{contact.first_name}}), the same on every channel."""

    shortcut = models.SlugField(_("shortcut"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shortcut"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return f"/{self.shortcut}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from omnicanal.routing import macros

        macros.check_canned_reply(self)


class Macro(models.Model):
    """Several steps in one pick: a reply to review, a note, a label, a priority, a status…"""

    shortcut = models.SlugField(_("shortcut"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # [{"type": "reply", "text": "…"}, {"type": "add_label", "name": "refund"}, ...]
    actions = models.JSONField(_("actions"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shortcut"]
        verbose_name = _("macro")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from omnicanal.routing import macros

        macros.check_macro(self)
