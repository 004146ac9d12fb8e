"""Automation rules: when an event happens and every condition holds, apply the actions.

Rules subscribe to the outbox (`RoutingConfig.ready`), so they run once per event right after
its commit, or in the catch-up after a crash.

Loop safety. Every event recorded while rules apply their actions carries the cause
"automation", and rules ignore such events. So rules react to what customers, agents, the
SLA clock and the system do, never to what rules did: one customer message runs each
matching rule at most once, and a rule that sets a status cannot wake a "status changed"
rule, let alone itself. Rules of one trigger run in position order in one pass; each sees
the conversation as the rules before it left it (a label added by rule 1 satisfies rule 2's
"label present").

Actions go through the same actions as an agent's clicks, authored by the automation user
(`automation_user()`): permissions, activity lines, events and routing counts stay right.
A rule's failing action is recorded in its run and does not stop the other actions.

Triage conditions (intent, message language, sentiment, urgent) read what the assistant's
triage wrote on the conversation. Triage handles the same "message.created" event after the
rules (the assistant subscribes after routing) and records "conversation.triaged": a rule of
"message received" or "conversation created" with a triage condition is evaluated on that
event instead of on the arrival (one evaluation per message, seeing this message's triage),
and rules without one keep running on the arrival itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from omnicanal.accounts.models import Role, Team, User
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations import actions as conversation_actions
from omnicanal.conversations import outbox
from omnicanal.conversations.events import caused_by, record_event
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    OutboxEvent,
    Priority,
    Status,
)
from omnicanal.core.exceptions import DomainError
from omnicanal.routing import actions as routing_actions
from omnicanal.routing import macros
from omnicanal.routing.models import (
    AutomationRule,
    AutomationRun,
    CannedReply,
    Trigger,
    routing_channel,
)

logger = logging.getLogger(__name__)

CAUSE = "automation"
AUTOMATION_EMAIL = "automation@omnicanal.invalid"

# Which outbox events start which trigger.
EVENT_TRIGGERS = {
    "conversation.created": Trigger.CONVERSATION_CREATED,
    "message.created": Trigger.MESSAGE_RECEIVED,
    "conversation.status_changed": Trigger.STATUS_CHANGED,
    "conversation.assigned": Trigger.ASSIGNMENT_CHANGED,
    # Recorded by the SLA clocks.
    "sla.warning": Trigger.SLA_WARNING,
    "sla.breached": Trigger.SLA_BREACHED,
}
# Recorded by triage once it has read an incoming message: the arrival's rules that read
# triage run then.
TRIAGED = "conversation.triaged"
TRIAGE_CONDITIONS = frozenset({"intent", "message_language", "sentiment", "urgent"})
TRIAGE_LANGUAGES = ("fr", "en", "other")
SENTIMENTS = ("negative", "neutral", "positive")


def reads_triage(rule: AutomationRule) -> bool:
    return any(
        isinstance(c, dict) and c.get("type") in TRIAGE_CONDITIONS for c in rule.conditions
    )


def subscribe() -> None:
    for kind in EVENT_TRIGGERS:
        outbox.subscribe(kind, _handle)
    outbox.subscribe(TRIAGED, _handle)


def _handle(event: OutboxEvent) -> None:
    handle_event(event)


def automation_user() -> User:
    """Who rules act as: an account that cannot log in (no usable password), with a
    supervisor's rights so that a rule may reassign or create a label."""
    user = User.objects.filter(email=AUTOMATION_EMAIL).first()
    if user is None:
        user = User(email=AUTOMATION_EMAIL, name="Automation", role=Role.SUPERVISOR)
        user.set_unusable_password()
        user.save()
    return user


# Validation. Each check names the problem of one condition or action in the reader's
# language; `rule_problems` keeps them per row (the rule builder shows each beside its row)
# and `check_rule`, run by the model's save, raises the first with where it is.


def _fail(problem: str) -> ValidationError:
    return ValidationError(problem)


def _strings(value: object, allowed: Sequence[str] | None = None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _fail(gettext("choose at least one value."))
    if allowed is not None:
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise _fail(gettext("unknown %(unknown)s; known: %(known)s.") % {
                "unknown": ", ".join(unknown), "known": ", ".join(allowed)})
    return value


def _ids(value: object, key: str = "values") -> list[int]:
    is_ids = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    )
    if not is_ids or not value:
        raise _fail(gettext("choose at least one value (“%(key)s”).") % {"key": key})
    return value  # type: ignore[return-value]


def _int(step: Mapping[str, Any], key: str) -> int:
    value = step.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(gettext("“%(key)s” must be a whole number.") % {"key": key})
    return value


def _text(step: Mapping[str, Any], key: str, *, max_length: int = 1000) -> str:
    value = step.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise _fail(gettext("“%(key)s” must be a text of 1 to %(max)s characters.")
                    % {"key": key, "max": max_length})
    return value


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CONDITION_TYPES = (
    "channel", "channel_kind", "inbox", "contact_attribute", "message_text", "language",
    "value_tier", "priority", "status", "label", "time",
    "intent", "message_language", "sentiment", "urgent",
)
CHANNEL_KINDS = ("chat", "email", "voice")
ATTRIBUTE_OPERATORS = ("equals", "contains")


def _check_condition(condition: object) -> None:
    if not isinstance(condition, dict):
        raise _fail(gettext("a condition is an object with a “type”."))
    kind = condition.get("type")
    values = condition.get("values")
    if kind == "channel":
        _strings(values, ChannelKind.values)
    elif kind == "channel_kind":
        _strings(values, CHANNEL_KINDS)
    elif kind == "inbox":
        ids = _ids(values)
        missing = set(ids) - set(Inbox.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise _fail(gettext("no inbox %(ids)s.") % {
                "ids": ", ".join(map(str, sorted(missing)))})
    elif kind == "contact_attribute":
        _text(condition, "key", max_length=50)
        if condition.get("operator") not in ATTRIBUTE_OPERATORS:
            raise _fail(gettext("“operator” is “equals” or “contains”."))
        _text(condition, "value")
    elif kind == "message_text":
        words = condition.get("words")
        if not isinstance(words, list) or not words or not all(
            isinstance(w, str) and w.strip() for w in words
        ):
            raise _fail(gettext("“words” must be a non-empty list of words."))
    elif kind == "language":
        _strings(values)
    elif kind == "value_tier":
        _strings(values, ValueTier.values)
    elif kind == "priority":
        if not set(_ids(values)) <= set(Priority.values):
            raise _fail(gettext("priorities go from 1 (urgent) to 4 (low)."))
    elif kind == "status":
        _strings(values, Status.values)
    elif kind == "label":
        _text(condition, "name", max_length=50)
    elif kind == "intent":
        _strings(values)
    elif kind == "message_language":
        _strings(values, TRIAGE_LANGUAGES)
    elif kind == "sentiment":
        _strings(values, SENTIMENTS)
    elif kind == "urgent":
        if not isinstance(condition.get("value", True), bool):
            raise _fail(gettext("“value” is true or false."))
    elif kind == "time":
        try:
            zoneinfo.ZoneInfo(_text(condition, "timezone", max_length=60))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise _fail(gettext("unknown time zone.")) from exc
        weekdays = condition.get("weekdays")
        if not isinstance(weekdays, list) or not weekdays or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays
        ):
            raise _fail(gettext("“weekdays” lists days from 0 (Monday) to 6 (Sunday)."))
        for key in ("from", "to"):
            if not isinstance(condition.get(key), str) or not HHMM.match(condition[key]):
                raise _fail(gettext("“%(key)s” is a time as HH:MM.") % {"key": key})
    else:
        raise _fail(gettext("unknown condition type %(type)r.") % {"type": kind})


RULE_ACTIONS = (
    "assign_agent", "assign_team", "set_priority", "add_label", "add_skill",
    "send_canned_reply", "snooze", "notify", "webhook",
)


def _check_action(action: object) -> None:
    if not isinstance(action, dict):
        raise _fail(gettext("an action is an object with a “type”."))
    kind = action.get("type")
    if kind == "assign_agent":
        if not User.objects.filter(pk=_int(action, "agent_id"), is_active=True).exists():
            raise _fail(gettext("no active agent with this id."))
    elif kind == "assign_team":
        if not Team.objects.filter(pk=_int(action, "team_id")).exists():
            raise _fail(gettext("no team with this id."))
    elif kind == "set_priority":
        if _int(action, "priority") not in Priority.values:
            raise _fail(gettext("priority goes from 1 (urgent) to 4 (low)."))
    elif kind == "add_label":
        _text(action, "name", max_length=50)
    elif kind == "add_skill":
        _text(action, "skill", max_length=50)
        level = action.get("level", 1)
        if not isinstance(level, int | float) or isinstance(level, bool) or level < 0:
            raise _fail(gettext("“level” is a number ≥ 0."))
    elif kind == "send_canned_reply":
        if not CannedReply.objects.filter(pk=_int(action, "canned_reply_id")).exists():
            raise _fail(gettext("no canned reply with this id."))
    elif kind == "snooze":
        if _int(action, "minutes") <= 0:
            raise _fail(gettext("snooze for a positive number of minutes."))
    elif kind == "notify":
        _check_notify_text(action.get("text"))
        if "agent_ids" in action:
            _ids(action["agent_ids"], "agent_ids")
        if "team_id" in action and not Team.objects.filter(
            pk=_int(action, "team_id")
        ).exists():
            raise _fail(gettext("no team with this id."))
        if not (action.get("agent_ids") or action.get("team_id") or action.get("assignee")):
            raise _fail(gettext(
                "notify whom? Give “agent_ids”, “team_id” or “assignee”: true."))
    elif kind == "webhook":
        url = _text(action, "url")
        if not url.startswith(("https://", "http://")):
            raise _fail(gettext("the webhook URL starts with https:// (or http://)."))
        if len(_text(action, "secret", max_length=200)) < 16:
            raise _fail(gettext("the webhook secret is at least 16 characters long."))
    else:
        raise _fail(gettext("unknown action type %(type)r; known: %(known)s.") % {
            "type": kind, "known": ", ".join(RULE_ACTIONS)})


def _check_notify_text(text: object) -> None:
    if not isinstance(text, str) or not text.strip():
        raise _fail(gettext("the text is empty."))
    unknown = macros.unknown_variables(text)
    if unknown:
        raise _fail(gettext("unknown variable %(names)s. Known variables: %(known)s.") % {
            "names": ", ".join(unknown),
            "known": ", ".join("{{" + name + "}}" for name in macros.KNOWN_VARIABLES)})


def _problem(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@dataclass
class RuleProblems:
    """What is wrong with a rule, where: the builder shows each beside its field or row."""

    name: str = ""
    trigger: str = ""
    rule: str = ""  # about the rule as a whole (no action)
    conditions: dict[int, str] = field(default_factory=dict)  # index → problem
    actions: dict[int, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.name or self.trigger or self.rule or self.conditions or self.actions)

    def first(self, rule_name: str) -> str:
        where = gettext("Rule “%(name)s”") % {"name": rule_name}
        if self.name:
            return self.name
        if self.trigger:
            return f"{where}: {self.trigger}"
        if self.rule:
            return f"{where}: {self.rule}"
        if self.conditions:
            number = min(self.conditions)
            return gettext("%(where)s, condition %(number)s: %(problem)s") % {
                "where": where, "number": number + 1, "problem": self.conditions[number]}
        number = min(self.actions)
        return gettext("%(where)s, action %(number)s: %(problem)s") % {
            "where": where, "number": number + 1, "problem": self.actions[number]}


def rule_problems(name: str, trigger: str, conditions: object, actions: object) -> RuleProblems:
    """Every problem of a rule's fields, condition by condition and action by action."""
    problems = RuleProblems()
    if not name.strip():
        problems.name = gettext("A rule needs a name.")
    if trigger not in Trigger.values:
        problems.trigger = gettext("unknown trigger %(trigger)r.") % {"trigger": trigger}
    if not isinstance(conditions, list):
        problems.rule = gettext("conditions are a list (empty: always).")
    else:
        for index, condition in enumerate(conditions):
            try:
                _check_condition(condition)
            except ValidationError as exc:
                problems.conditions[index] = _problem(exc)
    if not isinstance(actions, list) or not actions:
        problems.rule = problems.rule or gettext("a rule needs at least one action.")
    else:
        for index, action in enumerate(actions):
            try:
                _check_action(action)
            except ValidationError as exc:
                problems.actions[index] = _problem(exc)
    return problems


def check_rule(rule: AutomationRule) -> None:
    """Raise a ValidationError naming the first problem, or return if the rule is valid."""
    problems = rule_problems(rule.name, rule.trigger, rule.conditions, rule.actions)
    if problems:
        raise ValidationError(problems.first(rule.name))


# Conditions.


def fold(text: str) -> str:
    """Lower case without accents: "Remboursé" and "rembourse" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Facts:
    """What conditions read, loaded once per event."""

    def __init__(self, conversation: Conversation, event: OutboxEvent) -> None:
        self.conversation = conversation
        self.event = event
        self._text: str | None = None

    @property
    def text(self) -> str:
        # The message of the event, or for other triggers the customer's latest message.
        if self._text is None:
            messages = Message.objects.filter(conversation=self.conversation)
            message_id = self.event.payload.get("message_id")
            message = (
                messages.filter(pk=message_id).first() if message_id
                else messages.filter(direction=Direction.INCOMING).order_by("-pk").first()
            )
            self._text = fold(message.text) if message else ""
        return self._text

    @property
    def language(self) -> str:
        # No language detection exists yet: the contact's "language" attribute decides.
        return str(self.conversation.contact.attributes.get("language", "")).lower()


def _time_matches(condition: Mapping[str, Any], moment: dt.datetime) -> bool:
    local = moment.astimezone(zoneinfo.ZoneInfo(condition["timezone"]))
    start = dt.time.fromisoformat(condition["from"])
    end = dt.time.fromisoformat(condition["to"])
    now = local.time()
    if start == end:
        # "00:00" to "00:00": the whole day.
        is_inside = local.weekday() in condition["weekdays"]
    elif start < end:
        is_inside = start <= now < end and local.weekday() in condition["weekdays"]
    else:
        # Over midnight (22:00 to 06:00): the night belongs to the day it started on.
        day = local.weekday() if now >= start else (local.weekday() - 1) % 7
        is_inside = (now >= start or now < end) and day in condition["weekdays"]
    return is_inside != bool(condition.get("outside"))


def condition_holds(condition: Mapping[str, Any], facts: Facts) -> bool:
    conversation = facts.conversation
    kind = condition["type"]
    values: list[Any] = condition.get("values") or []
    if kind == "channel":
        return conversation.inbox.channel in values
    if kind == "channel_kind":
        return routing_channel(conversation.inbox.channel) in values
    if kind == "inbox":
        return conversation.inbox_id in values
    if kind == "contact_attribute":
        actual = fold(str(conversation.contact.attributes.get(condition["key"], "")))
        expected = fold(condition["value"])
        return actual == expected if condition["operator"] == "equals" else expected in actual
    if kind == "message_text":
        return any(
            re.search(rf"\b{re.escape(fold(word.strip()))}\b", facts.text)
            for word in condition["words"]
        )
    if kind == "language":
        return facts.language in [v.lower() for v in values]
    if kind == "value_tier":
        return conversation.contact.value_tier in values
    if kind == "priority":
        return conversation.priority in values
    if kind == "status":
        return conversation.status in values
    if kind == "label":
        return conversation.labels.filter(name__iexact=condition["name"]).exists()
    if kind == "time":
        return _time_matches(condition, facts.event.created_at)
    if kind == "intent":
        return conversation.intent in values
    if kind == "message_language":
        return conversation.language in values
    if kind == "sentiment":
        return conversation.sentiment in values
    if kind == "urgent":
        return conversation.is_urgent == bool(condition.get("value", True))
    raise AssertionError(f"unvalidated condition {kind}")


# Actions.


def _activity(conversation: Conversation, actor: User, rule: AutomationRule) -> None:
    Message.objects.create(
        conversation=conversation,
        inbox=conversation.inbox,
        direction=Direction.ACTIVITY,
        author=actor,
        text=f"rule {rule.name}",
        metadata={"activity": "rule", "value": rule.name, "rule_id": rule.pk},
        delivery_status=DeliveryStatus.SENT,
    )


def _recipients(action: Mapping[str, Any], conversation: Conversation) -> list[int]:
    ids = set(action.get("agent_ids", []))
    if action.get("team_id"):
        ids |= set(Team.objects.get(pk=action["team_id"]).members.values_list("pk", flat=True))
    if action.get("assignee") and conversation.assignee_id:
        ids.add(conversation.assignee_id)
    return sorted(
        User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    )


def _apply(
    action: Mapping[str, Any], conversation_id: int, actor: User, rule: AutomationRule,
    event: OutboxEvent, index: int,
) -> None:
    from omnicanal.routing.tasks import call_webhook

    kind = action["type"]
    if kind == "assign_agent":
        conversation_actions.assign(actor, conversation_id, assignee_id=action["agent_id"])
    elif kind == "assign_team":
        conversation_actions.assign(actor, conversation_id, team_id=action["team_id"])
    elif kind == "set_priority":
        conversation_actions.set_priority(actor, conversation_id, action["priority"])
    elif kind == "add_label":
        conversation_actions.add_label_by_name(actor, conversation_id, action["name"])
    elif kind == "add_skill":
        routing_actions.update_requirements(
            conversation_id, add_skills={action["skill"]: action.get("level", 1)}
        )
    elif kind == "send_canned_reply":
        canned = CannedReply.objects.get(pk=action["canned_reply_id"])
        conversation = Conversation.objects.select_related("contact", "inbox", "assignee").get(
            pk=conversation_id
        )
        # {{agent.*}} is the agent who holds the conversation, if any, never "Automation".
        text = macros.render(canned.text, conversation, conversation.assignee)
        conversation_actions.reply(actor, conversation_id, text, automatic=True)
    elif kind == "snooze":
        until = timezone.now() + dt.timedelta(minutes=action["minutes"])
        conversation_actions.snooze(actor, conversation_id, until=until)
    elif kind == "notify":
        conversation = Conversation.objects.select_related("contact", "inbox", "assignee").get(
            pk=conversation_id
        )
        record_event(
            "automation.notify", conversation,
            recipient_ids=_recipients(action, conversation),
            text=macros.render(action["text"], conversation, conversation.assignee),
            rule_id=rule.pk,
        )
    elif kind == "webhook":
        # In the rule run's transaction (the event's handling): the database task queue
        # writes its row there, so the call is enqueued if and only if the run commits.
        call_webhook.enqueue(rule.pk, index, event.pk)
    else:
        raise AssertionError(f"unvalidated action {kind}")


def _run_rule(
    rule: AutomationRule, event: OutboxEvent, run_conversation_id: int, actor: User
) -> AutomationRun | None:
    conversation = Conversation.objects.select_related("inbox").get(pk=run_conversation_id)
    try:
        with transaction.atomic():
            run = AutomationRun.objects.create(
                rule=rule, rule_name=rule.name, conversation=conversation,
                event_id=event.pk, trigger=rule.trigger,
            )
    except IntegrityError:
        return None  # Already applied for this event.
    _activity(conversation, actor, rule)
    outcomes: list[dict[str, Any]] = []
    for index, action in enumerate(rule.actions):
        try:
            with transaction.atomic():
                _apply(action, conversation.pk, actor, rule, event, index)
            outcomes.append({"type": action["type"], "ok": True})
        except (DomainError, ValidationError, Team.DoesNotExist,
                CannedReply.DoesNotExist) as exc:
            # A team or agent deleted since the rule was saved: recorded, the rest goes on.
            message = getattr(exc, "message", str(exc))
            logger.warning("rule %s on conversation %s: %s", rule.pk, conversation.pk, message)
            outcomes.append({"type": action["type"], "ok": False, "error": str(message)})
    run.outcomes = outcomes
    run.save(update_fields=["outcomes"])
    return run


def _triggers_of(event: OutboxEvent) -> tuple[list[str], bool]:
    """The triggers an event runs and whether it runs their rules that read triage (True) or
    the others (False)."""
    if event.kind == TRIAGED:
        first = [Trigger.CONVERSATION_CREATED] if event.payload.get("is_first_message") else []
        return [*first, Trigger.MESSAGE_RECEIVED], True
    trigger = _trigger_of(event)
    return ([trigger] if trigger else []), False


def _trigger_of(event: OutboxEvent) -> str | None:
    trigger = EVENT_TRIGGERS.get(event.kind)
    if trigger == Trigger.MESSAGE_RECEIVED and event.payload.get("direction") != "incoming":
        return None
    return trigger


def _is_automatic_message(event: OutboxEvent) -> bool:
    # An out-of-office or other automatic message is nobody writing: answering it could
    # start a ping-pong between our rules and the customer's autoresponder.
    message_id = event.payload.get("message_id")
    return bool(message_id) and Message.objects.filter(pk=message_id, is_auto_reply=True).exists()


def handle_event(event: OutboxEvent) -> list[AutomationRun]:
    """Run the active rules of the event's trigger on its conversation, in order."""
    triggers, after_triage = _triggers_of(event)
    conversation_id = event.conversation_id
    if not triggers or conversation_id is None or event.payload.get("cause") == CAUSE:
        return []
    # One query when no rule waits for this trigger: the cost on every event of a team
    # without rules.
    rules = [
        rule for rule in AutomationRule.objects.filter(trigger__in=triggers, is_active=True)
        if rule.trigger not in (Trigger.MESSAGE_RECEIVED, Trigger.CONVERSATION_CREATED)
        or reads_triage(rule) == after_triage
    ]
    if not rules or (
        Trigger.MESSAGE_RECEIVED in triggers and _is_automatic_message(event)
    ):
        return []
    actor = automation_user()
    runs = []
    with caused_by(CAUSE):
        for rule in rules:
            # Reloaded for each rule: the rules before may have changed it.
            conversation = (
                Conversation.objects.select_related("inbox", "contact")
                .filter(pk=conversation_id).first()
            )
            if conversation is None:
                break
            facts = Facts(conversation, event)
            if all(condition_holds(c, facts) for c in rule.conditions):
                run = _run_rule(rule, event, conversation_id, actor)
                if run is not None:
                    runs.append(run)
    return runs


def webhook_body(rule: AutomationRule, event: OutboxEvent) -> dict[str, Any]:
    """What a rule's webhook receives: the rule, the event, and the conversation's ids (no
    message text or contact details: the receiver asks the API for what it may see)."""
    payload = event.payload
    return {
        "event": "automation.rule",
        "rule": {"id": rule.pk, "name": rule.name, "trigger": rule.trigger},
        "trigger_event": {"id": event.pk, "kind": event.kind},
        "conversation_id": payload.get("conversation_id"),
        "inbox_id": payload.get("inbox_id"),
        "contact_id": payload.get("contact_id"),
        "assignee_id": payload.get("assignee_id"),
        "status": payload.get("status"),
    }

