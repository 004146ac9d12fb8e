"""Routing data: agents' presence, capacity and skills, each conversation's place in a queue,
and the policies that pick an agent.

The queue order is (priority, value_rank, queued_at, conversation id): priority 1 first, gold
before standard when the policy favours value, then first come first served.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from zoneinfo import ZoneInfo, available_timezones

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from omnicanal.connectors.registry import adapter_for
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import Priority
from omnicanal.routing.business_hours import Interval, Schedule, public_holidays

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


CHAT = "chat"


def routing_channel(inbox_channel: str) -> str:
    """The capacity bucket ("chat", "email", "voice") an inbox's conversations count against:
    capacity is counted per kind of work, which the channel's adapter knows, not per
    provider."""
    try:
        return adapter_for(inbox_channel).work_kind
    except LookupError:
        return CHAT


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
        verbose_name_plural = _("agent routing profiles")

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
        verbose_name_plural = _("conversation routing")
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


# Business hours and SLA policies.


def _validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


def _validate_holiday_country(value: str) -> None:
    if value and value not in holidays.list_supported_countries():
        raise ValidationError(_("Unknown country code: %(code)s"), params={"code": value})


class BusinessCalendar(models.Model):
    """When a team works: weekly opening hours in a time zone, the country's (and region's)
    public holidays, and dates that differ. A team without one uses the default calendar;
    with no calendar at all, SLA clocks run around the clock."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(
        _("time zone"), max_length=60, default="Europe/Paris", validators=[_validate_time_zone]
    )
    holiday_country = models.CharField(
        _("public holidays of"), max_length=3, default="FR", blank=True,
        validators=[_validate_holiday_country],
        help_text=_("ISO country code; empty for no public holidays."),
    )
    holiday_subdivision = models.CharField(
        _("region"), max_length=40, blank=True,
        help_text=_("A subdivision known to the holidays package: 57 (Moselle), 6AE (Alsace), "
                    "971 (Guadeloupe), 972, 973, 974, 976…"),
    )
    is_default = models.BooleanField(
        _("default calendar"), default=False,
        help_text=_("Used for conversations whose team has no calendar of its own."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True),
                name="one_default_calendar",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.holiday_country and self.holiday_subdivision:
            try:
                holidays.country_holidays(
                    self.holiday_country, subdiv=self.holiday_subdivision
                )
            except NotImplementedError as exc:
                raise ValidationError(
                    {"holiday_subdivision": _("This country has no such region.")}
                ) from exc

    def schedule(self) -> Schedule:
        weekly: dict[int, list[Interval]] = {}
        for hours in self.opening_hours.all():
            weekly.setdefault(hours.weekday, []).append((hours.opens_at, hours.closes_at))
        special: dict[dt.date, list[Interval]] = {}
        for day in self.special_days.all():
            intervals = special.setdefault(day.date, [])
            if day.opens_at is not None and day.closes_at is not None:
                intervals.append((day.opens_at, day.closes_at))
        return Schedule(
            time_zone=ZoneInfo(self.time_zone),
            weekly=weekly,
            is_holiday=public_holidays(self.holiday_country, self.holiday_subdivision),
            special_days=special,
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval of a weekday; a day may have several (9:00-12:30, 14:00-18:00).
    A closing time at or before the opening time is on the next day (22:00-02:00; 0:00-0:00
    is the whole day)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class SpecialDay(models.Model):
    """A date whose hours differ from the week's: closed (no hours: a company holiday, a
    bridge day) or open with these hours (a Saturday sale, a public holiday worked). Several
    rows on one date open it several times."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="special_days"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)

    class Meta:
        ordering = ["date", "opens_at"]
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True, closes_at__isnull=True)
                | models.Q(opens_at__isnull=False, closes_at__isnull=False),
                name="special_day_both_times_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class TeamCalendar(models.Model):
    """A team's calendar (one per team)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="team_links"
    )

    class Meta:
        verbose_name = _("team calendar")
        verbose_name_plural = _("team calendars")

    def __str__(self) -> str:
        return f"{self.team_id}: {self.calendar_id}"


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Targets for the conversations that match every condition set (an empty condition
    matches anything). Policies are tried by position, lowest first, and the first match
    applies, as in Zendesk: put the specific ones (gold customers, urgent) above the general.
    Targets are in business time of the conversation's calendar."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), null=True, blank=True, choices=Priority.choices
    )
    value_tier = models.CharField(
        _("value tier"), max_length=20, blank=True, choices=ValueTier.choices
    )
    channel = models.CharField(
        _("channel kind"), max_length=20, blank=True,
        choices=[("chat", _("Chat")), ("email", _("E-mail")), ("voice", _("Voice"))],
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("team"),
    )
    inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", verbose_name=_("inbox"),
    )
    first_response_time = models.DurationField(_("first response"), null=True, blank=True)
    next_response_time = models.DurationField(_("next response"), null=True, blank=True)
    resolution_time = models.DurationField(_("resolution"), null=True, blank=True)
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at this percentage of the target"), null=True, blank=True, default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    warning_before = models.DurationField(
        _("warn this long before"), null=True, blank=True,
        help_text=_("Business time before the deadline; the earlier warning wins."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def target_seconds(self, target: str) -> int | None:
        duration = {
            SlaTarget.FIRST_RESPONSE: self.first_response_time,
            SlaTarget.NEXT_RESPONSE: self.next_response_time,
            SlaTarget.RESOLUTION: self.resolution_time,
        }[SlaTarget(target)]
        return None if duration is None else int(duration.total_seconds())

    def warning_seconds(self, target_seconds: int) -> int | None:
        """Business seconds used when the warning is due: the earlier of the percentage and
        the time before the deadline."""
        candidates = []
        if self.warning_percent:
            candidates.append(target_seconds * self.warning_percent // 100)
        if self.warning_before is not None:
            candidates.append(target_seconds - int(self.warning_before.total_seconds()))
        candidates = [seconds for seconds in candidates if 0 < seconds < target_seconds]
        return min(candidates) if candidates else None


ACTIVE_CLOCK = models.Q(stopped_at__isnull=True)
RUNNING_CLOCK = models.Q(stopped_at__isnull=True, running_since__isnull=False)


class SlaClock(models.Model):
    """One measured target of one conversation: from `started_at` until `stopped_at` (the
    reply, the resolution). Business time is counted in segments: `elapsed_seconds` holds
    what the closed segments used, `running_since` starts the current one (null while the
    clock is paused or stopped). While it runs, `due_at` and `warn_at` are the moments the
    target and the warning threshold are reached, through the calendar.

    A clock without a target (no policy, or the policy sets none) still measures; it is never
    due. `warned_at` and `breached_at` are set once, with the event."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    target = models.CharField(_("target"), max_length=20, choices=SlaTarget.choices)
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The calendar the running segment is counted on (null: around the clock).
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_seconds = models.PositiveIntegerField(null=True, blank=True)
    warning_seconds = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    elapsed_seconds = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "target"], condition=ACTIVE_CLOCK,
                name="one_active_clock_per_target",
            )
        ]
        indexes = [
            # The periodic check: running clocks by deadline, not yet breached.
            models.Index(
                fields=["due_at"], condition=RUNNING_CLOCK & models.Q(breached_at__isnull=True),
                name="sla_clock_due",
            ),
            models.Index(
                fields=["warn_at"], condition=RUNNING_CLOCK & models.Q(warned_at__isnull=True),
                name="sla_clock_warn",
            ),
            models.Index(fields=["conversation"], condition=ACTIVE_CLOCK,
                         name="sla_clock_active"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.target} due {self.due_at}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.running_since is not None

    @property
    def is_paused(self) -> bool:
        return self.stopped_at is None and self.running_since is None



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
        verbose_name_plural = _("automation runs")
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
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from omnicanal.routing import macros

        macros.check_macro(self)
