"""Automation rules as administrators write them: the catalogue of what the engine accepts,
the writes (save, delete, reorder) and the dry run.

The catalogue is the one description of conditions and actions a form needs: for each
condition its operators and the kind of value (several of a list, one of a list, a text…),
for each action its parameters, with the choices read from the database (inboxes, teams,
labels, canned replies…). It converts between the stored JSON and the builder's "raw" row
values (texts and lists of texts, as a browser posts them) and nothing else: whether a rule
is valid stays the engine's decision (`automation.rule_problems`, run again by the model's
save), so the builder cannot accept what the engine would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    Inbox,
    Label,
    OutboxEvent,
    Priority,
    Sentiment,
    Status,
)
from omnicanal.core.exceptions import NotFound
from omnicanal.routing import automation
from omnicanal.routing.models import AutomationRule, CannedReply, Trigger

Raw = str | list[str]
Options = Callable[[], list[tuple[Any, str]]]

# Param kinds: "choices" several of a list (checkboxes), "choice" one of a list (select),
# "text", "textarea", "words" (a comma-separated list of texts), "number", "time" (HH:MM),
# "secret" (write-only), "boolean" (a checkbox).


@dataclass(frozen=True)
class Param:
    key: str  # the JSON key
    label: Promise
    kind: str
    options: Options | None = None
    required: bool = True
    help: Promise | str = ""
    # For "text": existing values offered as suggestions (a datalist), not a limit.
    suggestions: Options | None = None
    default: str = ""


@dataclass(frozen=True)
class Operator:
    value: str
    label: Promise
    # What the operator adds to the stored condition.
    stored: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """A condition field or an action type."""

    type: str
    label: Promise
    params: tuple[Param, ...]
    operators: tuple[Operator, ...] = ()
    # The JSON key that holds the operator's value ("operator" for a contact attribute).
    operator_key: str = ""
    # An action in words, its parameters as %(key)s: "assign to the team %(team_id)s".
    phrase: Promise | str = ""

    def operator_of(self, stored: Mapping[str, Any]) -> str:
        if self.operator_key:
            return str(stored.get(self.operator_key, self.operators[0].value))
        for operator in self.operators:
            if operator.stored and all(stored.get(k) == v for k, v in operator.stored.items()):
                return operator.value
        return self.operators[0].value if self.operators else ""

    def operator(self, value: str) -> Operator | None:
        return next((o for o in self.operators if o.value == value), None)


def _choices(choices: list[tuple[Any, Any]]) -> Options:
    return lambda: [(value, str(label)) for value, label in choices]


def _inboxes() -> list[tuple[Any, str]]:
    return list(Inbox.objects.order_by("name").values_list("pk", "name"))


def _teams() -> list[tuple[Any, str]]:
    return list(Team.objects.order_by("name").values_list("pk", "name"))


def _labels() -> list[tuple[Any, str]]:
    return [(name, name) for name in Label.objects.order_by("name").values_list("name", flat=True)]


def _agents() -> list[tuple[Any, str]]:
    agents = User.objects.filter(is_active=True).exclude(email=automation.AUTOMATION_EMAIL)
    return [(agent.pk, str(agent)) for agent in agents.order_by("name", "email")]


def _canned_replies() -> list[tuple[Any, str]]:
    return [(c.pk, f"/{c.shortcut} · {c.title}") for c in CannedReply.objects.all()]


WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]
TRIAGE_LANGUAGES = [("fr", _("French")), ("en", _("English")), ("other", _("Another language"))]
WORK_KINDS = [("chat", _("Chat")), ("email", _("E-mail")), ("voice", _("Voice"))]

IS = Operator("is", _("is"))

CONDITIONS: tuple[Kind, ...] = (
    Kind("channel", _("channel"), (
        Param("values", _("Channels"), "choices", _choices(ChannelKind.choices)),), (IS,)),
    Kind("channel_kind", _("kind of channel"), (
        Param("values", _("Kinds"), "choices", _choices(WORK_KINDS)),), (IS,)),
    Kind("inbox", _("inbox"), (Param("values", _("Inboxes"), "choices", _inboxes),), (IS,)),
    Kind("status", _("status"), (
        Param("values", _("Statuses"), "choices", _choices(Status.choices)),), (IS,)),
    Kind("priority", _("priority"), (
        Param("values", _("Priorities"), "choices", _choices(Priority.choices)),), (IS,)),
    Kind("value_tier", _("customer value"), (
        Param("values", _("Values"), "choices", _choices(ValueTier.choices)),), (IS,)),
    Kind("label", _("label"), (Param("name", _("Label"), "choice", _labels),),
         (Operator("present", _("is present")),)),
    Kind("message_text", _("message text"), (
        Param("words", _("Words"), "words",
              help=_("Separated by commas; case and accents do not matter.")),),
         (Operator("contains", _("contains one of")),)),
    Kind("language", _("contact language"), (
        Param("values", _("Languages"), "words", help=_("Codes separated by commas: fr, en")),),
         (IS,)),
    # Read from the assistant's triage of the message (rules wait for it: see automation).
    Kind("intent", _("intent (triage)"), (
        Param("values", _("Intents"), "words",
              help=_("Intent names separated by commas, as listed in Settings → Triage.")),),
         (IS,)),
    Kind("message_language", _("message language (triage)"), (
        Param("values", _("Languages"), "choices", _choices(TRIAGE_LANGUAGES)),), (IS,)),
    Kind("sentiment", _("sentiment (triage)"), (
        Param("values", _("Sentiments"), "choices", _choices(Sentiment.choices)),), (IS,)),
    Kind("urgent", _("message (triage)"), (),
         (Operator("urgent", _("is urgent"), {"value": True}),
          Operator("not_urgent", _("is not urgent"), {"value": False}))),
    Kind("contact_attribute", _("contact attribute"), (
        Param("key", _("Attribute"), "text"),
        Param("value", _("Value"), "text")),
         (Operator("equals", _("equals")), Operator("contains", _("contains"))),
         operator_key="operator"),
    Kind("time", _("time of the event"), (
        Param("weekdays", _("Days"), "choices", _choices(WEEKDAYS)),
        Param("from", _("From"), "time", default="09:00"),
        Param("to", _("To"), "time", default="18:00"),
        Param("timezone", _("Time zone"), "text", default=settings.TIME_ZONE)),
         (Operator("within", _("is within")),
          Operator("outside", _("is outside"), {"outside": True}))),
)

ACTIONS: tuple[Kind, ...] = (
    Kind("assign_team", _("Assign to a team"), (
        Param("team_id", _("Team"), "choice", _teams),),
         phrase=_("assign to the team %(team_id)s")),
    Kind("assign_agent", _("Assign to an agent"), (
        Param("agent_id", _("Agent"), "choice", _agents),),
         phrase=_("assign to %(agent_id)s")),
    Kind("set_priority", _("Set the priority"), (
        Param("priority", _("Priority"), "choice", _choices(Priority.choices)),),
         phrase=_("set the priority to %(priority)s")),
    Kind("add_label", _("Add a label"), (
        Param("name", _("Label"), "text", suggestions=_labels),),
         phrase=_("add the label %(name)s")),
    Kind("add_skill", _("Require a skill"), (
        Param("skill", _("Skill"), "text"),
        Param("level", _("Level"), "number", required=False, default="1")),
         phrase=_("require the skill %(skill)s")),
    Kind("send_canned_reply", _("Send a canned reply"), (
        Param("canned_reply_id", _("Canned reply"), "choice", _canned_replies),),
         phrase=_("send the canned reply %(canned_reply_id)s")),
    Kind("snooze", _("Snooze"), (Param("minutes", _("Minutes"), "number", default="60"),),
         phrase=_("snooze for %(minutes)s minutes")),
    Kind("notify", _("Notify agents"), (
        Param("text", _("Text"), "textarea"),
        Param("agent_ids", _("Agents"), "choices", _agents, required=False),
        Param("team_id", _("Team"), "choice", _teams, required=False),
        Param("assignee", _("The assigned agent"), "boolean", required=False)),
         phrase=_("notify agents")),
    Kind("webhook", _("Call a webhook"), (
        Param("url", _("URL"), "text"),
        Param("secret", _("Signing secret"), "secret",
              help=_("At least 16 characters; leave empty to keep the current one."))),
         phrase=_("call the webhook %(url)s")),
)

CONDITION_KINDS = {kind.type: kind for kind in CONDITIONS}
ACTION_KINDS = {kind.type: kind for kind in ACTIONS}
assert set(CONDITION_KINDS) == set(automation.CONDITION_TYPES)
assert set(ACTION_KINDS) == set(automation.RULE_ACTIONS)

TRIGGER_PHRASES = {
    Trigger.CONVERSATION_CREATED: _("When a conversation is created"),
    Trigger.MESSAGE_RECEIVED: _("When a customer message is received"),
    Trigger.STATUS_CHANGED: _("When a conversation's status changes"),
    Trigger.ASSIGNMENT_CHANGED: _("When the assignment changes"),
    Trigger.SLA_WARNING: _("When an SLA warning is raised"),
    Trigger.SLA_BREACHED: _("When an SLA is breached"),
}


# Stored JSON ↔ the builder's rows.


@dataclass
class Row:
    """One condition or action as the builder shows it: raw values keyed by JSON key."""

    type: str
    operator: str = ""
    values: dict[str, Raw] = field(default_factory=dict)


def _raw(param: Param, value: Any) -> Raw:
    if value is None:
        return [] if param.kind == "choices" else ""
    if param.kind == "choices":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if param.kind == "words":
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if param.kind == "boolean":
        return "1" if value else ""
    if param.kind == "secret":
        return ""  # Never shown again.
    return str(value)


def row_of(kind: Kind, stored: Mapping[str, Any]) -> Row:
    return Row(
        type=kind.type, operator=kind.operator_of(stored),
        values={param.key: _raw(param, stored.get(param.key)) for param in kind.params},
    )


def empty_row(kind: Kind) -> Row:
    values: dict[str, Raw] = {
        param.key: [] if param.kind == "choices" else param.default for param in kind.params
    }
    return Row(type=kind.type, operator=kind.operators[0].value if kind.operators else "",
               values=values)


def _typed(param: Param, text: str) -> Any:
    # The option's own value (an id is a number) when the text names one; else the text as
    # given, which the engine then refuses with its own message.
    if param.options is not None:
        for value, _label in param.options():
            if str(value) == text:
                return value
    return text


def _number(text: str) -> int | float | str:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _stored_value(param: Param, raw: Raw) -> tuple[bool, Any]:
    """(present, value) for one parameter; absent when empty, so the engine says it is
    missing, or leaves an optional parameter out."""
    if param.kind == "choices":
        items = raw if isinstance(raw, list) else [raw]
        values = [_typed(param, item) for item in items if item]
        return bool(values), values
    text = (raw[0] if raw else "") if isinstance(raw, list) else raw
    text = text.strip()
    if param.kind == "boolean":
        return bool(text), True
    if not text:
        return False, None
    if param.kind == "words":
        return True, [word.strip() for word in text.split(",") if word.strip()]
    if param.kind == "number":
        return True, _number(text)
    if param.kind == "choice":
        return True, _typed(param, text)
    return True, text


def stored_of(kind: Kind | None, row: Row) -> dict[str, Any]:
    """The JSON the engine reads for a row (unknown types stay unknown, for the engine to
    refuse)."""
    stored: dict[str, Any] = {"type": row.type}
    if kind is None:
        return stored
    operator = kind.operator(row.operator) or (kind.operators[0] if kind.operators else None)
    if operator is not None:
        if kind.operator_key:
            stored[kind.operator_key] = operator.value
        stored.update(operator.stored)
    for param in kind.params:
        present, value = _stored_value(param, row.values.get(param.key, ""))
        if present:
            stored[param.key] = value
    return stored


# Rules in words.


def _value_words(param: Param, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    options = dict(param.options()) if param.options else {}
    return gettext(" or ").join(str(options.get(v, v)) for v in values)


def condition_words(condition: Mapping[str, Any]) -> str:
    kind = CONDITION_KINDS.get(str(condition.get("type")))
    if kind is None:
        return str(condition.get("type"))
    operator = kind.operator(kind.operator_of(condition))
    parts = []
    for param in kind.params:
        if param.key in condition:
            parts.append(_value_words(param, condition[param.key]))
    if kind.type == "contact_attribute":
        return gettext("attribute %(key)s %(operator)s %(value)s") % {
            "key": condition.get("key"), "operator": operator.label if operator else "",
            "value": condition.get("value")}
    if kind.type == "time":
        days = dict(WEEKDAYS)
        return gettext("time %(operator)s %(days)s %(start)s-%(end)s") % {
            "operator": operator.label if operator else "",
            "days": ", ".join(str(days.get(d, d)) for d in condition.get("weekdays", [])),
            "start": condition.get("from"), "end": condition.get("to")}
    return " ".join(str(p) for p in (kind.label, operator.label if operator else "", *parts[:1]))


def action_words(action: Mapping[str, Any]) -> str:
    kind = ACTION_KINDS.get(str(action.get("type")))
    if kind is None:
        return str(action.get("type"))
    words = {
        param.key: _value_words(param, action[param.key]) if param.key in action else ""
        for param in kind.params if param.kind not in ("secret", "textarea", "boolean")
    }
    return str(kind.phrase) % words


def summary(rule: AutomationRule) -> str:
    """"When a customer message is received, if channel is E-mail and priority is Urgent:
    assign to a team Support" in the reader's language."""
    when = str(TRIGGER_PHRASES.get(rule.trigger, rule.trigger))  # type: ignore[call-overload]
    actions = "; ".join(action_words(a) for a in rule.actions if isinstance(a, dict))
    if not rule.conditions:
        return gettext("%(when)s: %(actions)s") % {"when": when, "actions": actions}
    conditions = gettext(" and ").join(
        condition_words(c) for c in rule.conditions if isinstance(c, dict)
    )
    return gettext("%(when)s, if %(conditions)s: %(actions)s") % {
        "when": when, "conditions": conditions, "actions": actions}


# Writes.


class RuleInvalid(ValidationError):
    """The engine's problems with a rule, kept per field and row for the builder."""

    def __init__(self, problems: automation.RuleProblems, name: str) -> None:
        super().__init__(problems.first(name))
        self.problems = problems


def _public(actions: list[Any]) -> list[Any]:
    # The audit log shows a webhook's URL, never its secret.
    return [
        {**a, "secret": "set"} if isinstance(a, dict) and "secret" in a else a for a in actions
    ]


def _locked_rule(rule_id: int) -> AutomationRule:
    rule = AutomationRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No automation rule %(id)s."), id=rule_id)
    return rule


def save_rule(
    user: User, *, name: str, trigger: str, conditions: list[Any], actions: list[Any],
    is_active: bool = True, rule_id: int | None = None,
) -> AutomationRule:
    """Create (no `rule_id`, placed last) or change a rule. Raises RuleInvalid with the
    engine's problems per condition and action."""
    require_administrator(user)
    name = name.strip()
    problems = automation.rule_problems(name, trigger, conditions, actions)
    if problems:
        raise RuleInvalid(problems, name)
    with transaction.atomic():
        if rule_id is None:
            last = AutomationRule.objects.aggregate(last=Max("position"))["last"]
            rule = AutomationRule(position=0 if last is None else last + 1)
        else:
            rule = _locked_rule(rule_id)
        rule.name, rule.trigger, rule.is_active = name, trigger, is_active
        rule.conditions, rule.actions = conditions, actions
        rule.save()
        record_audit(
            user, "automation_rule.created" if rule_id is None else "automation_rule.updated",
            rule, name=name, trigger=trigger, is_active=is_active, conditions=conditions,
            actions=_public(actions),
        )
    return rule


def delete_rule(user: User, rule_id: int) -> None:
    """Delete a rule; its runs stay in the history under its name."""
    require_administrator(user)
    with transaction.atomic():
        rule = _locked_rule(rule_id)
        record_audit(user, "automation_rule.deleted", rule, name=rule.name,
                     trigger=rule.trigger)
        rule.delete()


def move_rule(user: User, rule_id: int, *, up: bool) -> AutomationRule:
    """Swap a rule with the one before (or after) it in the list, which is the order rules
    of one trigger run in. Positions are renumbered 0, 1, 2… on the way."""
    require_administrator(user)
    with transaction.atomic():
        rules = list(AutomationRule.objects.select_for_update().order_by("position", "pk"))
        index = next((i for i, r in enumerate(rules) if r.pk == rule_id), None)
        if index is None:
            raise NotFound(_("No automation rule %(id)s."), id=rule_id)
        other = index - 1 if up else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        for position, rule in enumerate(rules):
            if rule.position != position:
                # Only the order changes: an update, not a save that would validate again a
                # rule whose team was deleted since (it still runs, its action fails).
                AutomationRule.objects.filter(pk=rule.pk).update(position=position)
                rule.position = position
        moved = rules[other if 0 <= other < len(rules) else index]
        record_audit(user, "automation_rule.moved", moved, name=moved.name,
                     position=moved.position)
    return moved


# The dry run.


@dataclass
class ConditionResult:
    words: str
    holds: bool


@dataclass
class DryRun:
    conversation: Conversation
    conditions: list[ConditionResult]
    actions: list[str]

    @property
    def matches(self) -> bool:
        return all(c.holds for c in self.conditions)


def dry_run(user: User, rule_id: int, conversation_id: int) -> DryRun:
    """Whether the rule's conditions hold on the conversation as it is now, each with its
    result, and the actions that would run. Nothing is written: the engine's own condition
    evaluation reads an unsaved event that happens now (its latest customer message)."""
    require_administrator(user)
    rule = AutomationRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No automation rule %(id)s."), id=rule_id)
    conversation = (
        Conversation.objects.select_related("inbox", "contact").filter(pk=conversation_id).first()
    )
    if conversation is None:
        raise NotFound(_("No conversation %(id)s."), id=conversation_id)
    event = OutboxEvent(kind="dry_run", payload={}, conversation_id=conversation.pk,
                        created_at=timezone.now())
    facts = automation.Facts(conversation, event)
    results = [
        ConditionResult(condition_words(c), automation.condition_holds(c, facts))
        for c in rule.conditions
    ]
    return DryRun(conversation, results, [action_words(a) for a in rule.actions])
