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
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

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


def subscribe() -> None:
    for kind in EVENT_TRIGGERS:
        outbox.subscribe(kind, _handle)


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


# Validation.


def _fail(where: str, problem: str) -> ValidationError:
    return ValidationError(f"{where}: {problem}")


def _strings(value: object, where: str, allowed: Sequence[str] | None = None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _fail(where, "“values” must be a non-empty list of texts.")
    if allowed is not None:
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise _fail(where, f"unknown {', '.join(unknown)}; known: {', '.join(allowed)}.")
    return value


def _ids(value: object, where: str, key: str = "values") -> list[int]:
    is_ids = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    )
    if not is_ids or not value:
        raise _fail(where, f"“{key}” must be a non-empty list of ids.")
    return value  # type: ignore[return-value]


def _int(step: Mapping[str, Any], key: str, where: str) -> int:
    value = step.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, f"“{key}” must be a whole number.")
    return value


def _text(step: Mapping[str, Any], key: str, where: str, *, max_length: int = 1000) -> str:
    value = step.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise _fail(where, f"“{key}” must be a text of 1 to {max_length} characters.")
    return value


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _check_condition(condition: object, where: str) -> None:
    if not isinstance(condition, dict):
        raise _fail(where, "a condition is an object with a “type”.")
    kind = condition.get("type")
    values = condition.get("values")
    if kind == "channel":
        _strings(values, where, ChannelKind.values)
    elif kind == "channel_kind":
        _strings(values, where, ("chat", "email", "voice"))
    elif kind == "inbox":
        ids = _ids(values, where)
        missing = set(ids) - set(Inbox.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise _fail(where, f"no inbox {', '.join(map(str, sorted(missing)))}.")
    elif kind == "contact_attribute":
        _text(condition, "key", where, max_length=50)
        if condition.get("operator") not in ("equals", "contains"):
            raise _fail(where, "“operator” is “equals” or “contains”.")
        _text(condition, "value", where)
    elif kind == "message_text":
        words = condition.get("words")
        if not isinstance(words, list) or not words or not all(
            isinstance(w, str) and w.strip() for w in words
        ):
            raise _fail(where, "“words” must be a non-empty list of words.")
    elif kind == "language":
        _strings(values, where)
    elif kind == "value_tier":
        _strings(values, where, ValueTier.values)
    elif kind == "priority":
        if not set(_ids(values, where)) <= set(Priority.values):
            raise _fail(where, "priorities go from 1 (urgent) to 4 (low).")
    elif kind == "status":
        _strings(values, where, Status.values)
    elif kind == "label":
        _text(condition, "name", where, max_length=50)
    elif kind == "time":
        try:
            zoneinfo.ZoneInfo(_text(condition, "timezone", where, max_length=60))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise _fail(where, "unknown time zone.") from exc
        weekdays = condition.get("weekdays")
        if not isinstance(weekdays, list) or not weekdays or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays
        ):
            raise _fail(where, "“weekdays” lists days from 0 (Monday) to 6 (Sunday).")
        for key in ("from", "to"):
            if not isinstance(condition.get(key), str) or not HHMM.match(condition[key]):
                raise _fail(where, f"“{key}” is a time as HH:MM.")
    else:
        raise _fail(where, f"unknown condition type {kind!r}.")


RULE_ACTIONS = (
    "assign_agent", "assign_team", "set_priority", "add_label", "add_skill",
    "send_canned_reply", "snooze", "notify", "webhook",
)


def _check_action(action: object, where: str) -> None:
    if not isinstance(action, dict):
        raise _fail(where, "an action is an object with a “type”.")
    kind = action.get("type")
    if kind == "assign_agent":
        if not User.objects.filter(pk=_int(action, "agent_id", where), is_active=True).exists():
            raise _fail(where, "no active agent with this id.")
    elif kind == "assign_team":
        if not Team.objects.filter(pk=_int(action, "team_id", where)).exists():
            raise _fail(where, "no team with this id.")
    elif kind == "set_priority":
        if _int(action, "priority", where) not in Priority.values:
            raise _fail(where, "priority goes from 1 (urgent) to 4 (low).")
    elif kind == "add_label":
        _text(action, "name", where, max_length=50)
    elif kind == "add_skill":
        _text(action, "skill", where, max_length=50)
        level = action.get("level", 1)
        if not isinstance(level, int | float) or isinstance(level, bool) or level < 0:
            raise _fail(where, "“level” is a number ≥ 0.")
    elif kind == "send_canned_reply":
        if not CannedReply.objects.filter(pk=_int(action, "canned_reply_id", where)).exists():
            raise _fail(where, "no canned reply with this id.")
    elif kind == "snooze":
        if _int(action, "minutes", where) <= 0:
            raise _fail(where, "snooze for a positive number of minutes.")
    elif kind == "notify":
        macros.check_text(action.get("text"), where)
        if "agent_ids" in action:
            _ids(action["agent_ids"], where, "agent_ids")
        if "team_id" in action and not Team.objects.filter(
            pk=_int(action, "team_id", where)
        ).exists():
            raise _fail(where, "no team with this id.")
        if not (action.get("agent_ids") or action.get("team_id") or action.get("assignee")):
            raise _fail(where, "notify whom? Give “agent_ids”, “team_id” or “assignee”: true.")
    elif kind == "webhook":
        url = _text(action, "url", where)
        if not url.startswith(("https://", "http://")):
            raise _fail(where, "the webhook URL starts with https:// (or http://).")
        if len(_text(action, "secret", where, max_length=200)) < 16:
            raise _fail(where, "the webhook secret is at least 16 characters long.")
    else:
        raise _fail(where, f"unknown action type {kind!r}; known: {', '.join(RULE_ACTIONS)}.")


def check_rule(rule: AutomationRule) -> None:
    """Raise a ValidationError naming the first problem, or return if the rule is valid."""
    where = f"Rule “{rule.name}”"
    if not rule.name.strip():
        raise ValidationError("A rule needs a name.")
    if rule.trigger not in Trigger.values:
        raise _fail(where, f"unknown trigger {rule.trigger!r}.")
    if not isinstance(rule.conditions, list):
        raise _fail(where, "conditions are a list (empty: always).")
    if not isinstance(rule.actions, list) or not rule.actions:
        raise _fail(where, "a rule needs at least one action.")
    for number, condition in enumerate(rule.conditions, 1):
        _check_condition(condition, f"{where}, condition {number}")
    for number, action in enumerate(rule.actions, 1):
        _check_action(action, f"{where}, action {number}")


# Conditions.


def fold(text: str) -> str:
    """Lower case without accents: "Remboursé" and "rembourse" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Facts:
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


def condition_holds(condition: Mapping[str, Any], facts: _Facts) -> bool:
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
    trigger = _trigger_of(event)
    conversation_id = event.conversation_id
    if trigger is None or conversation_id is None or event.payload.get("cause") == CAUSE:
        return []
    # One query when no rule waits for this trigger: the cost on every event of a team
    # without rules.
    rules = list(AutomationRule.objects.filter(trigger=trigger, is_active=True))
    if not rules or (trigger == Trigger.MESSAGE_RECEIVED and _is_automatic_message(event)):
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
            facts = _Facts(conversation, event)
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

