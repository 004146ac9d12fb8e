"""Supervisors curate the shared answers: canned replies and simple macros; they also turn
automation rules on and off (writing rules stays in the admin).

Every write checks the role and leaves an audit log entry, whoever calls it (the Answers page
today). Messages a supervisor reads are ours and translated; the engine's own checks
(`macros.check_canned_reply`, `macros.check_macro_actions`, run again by the models' `save`)
stay the last guard, so nothing the composer cannot apply is ever stored.

The step editor covers the common macro: a reply, a note, a label, a priority, a status, each
at most once and in that order. A macro with any other shape (assign, snooze, two notes…),
made in the admin, is not editable here: saving it from the editor would drop its steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from omnicanal.accounts.actions import record_audit
from omnicanal.accounts.models import User
from omnicanal.conversations.models import Label, Priority, Status
from omnicanal.core.exceptions import NotFound, PermissionDenied
from omnicanal.routing.macros import KNOWN_VARIABLES, unknown_variables
from omnicanal.routing.models import AutomationRule, CannedReply, Macro

# What each variable gives, shown beside the text boxes.
VARIABLE_HELP = {
    "contact.name": gettext_lazy("the contact's full name"),
    "contact.first_name": gettext_lazy("the contact's first name"),
    "agent.name": gettext_lazy("your name"),
    "agent.first_name": gettext_lazy("your first name"),
    "conversation.id": gettext_lazy("the conversation number"),
    "conversation.subject": gettext_lazy("the conversation's subject"),
    "inbox.name": gettext_lazy("the inbox's name"),
    "queue.position": gettext_lazy("the customer's place in line"),
    "queue.estimated_wait": gettext_lazy("the estimated wait"),
}

EDITOR_STEPS = ("reply", "note", "add_label", "set_priority", "set_status")
MACRO_STATUSES = (Status.OPEN, Status.PENDING, Status.RESOLVED)


def variables_help() -> list[tuple[str, str]]:
    return [("{{" + name + "}}", str(VARIABLE_HELP.get(name, ""))) for name in KNOWN_VARIABLES]


def _require_supervisor(user: User) -> None:
    if not user.is_active or not user.is_supervisor_or_above:
        raise PermissionDenied(gettext_lazy("Only supervisors and administrators manage answers."))


def _text_error(text: str) -> str | None:
    if not text.strip():
        return gettext("Write the text.")
    unknown = unknown_variables(text)
    if unknown:
        return gettext(
            "Unknown variable: %(names)s. Use one of the variables listed beside the text."
        ) % {"names": ", ".join("{{" + name + "}}" for name in unknown)}
    return None


# Canned replies.


def save_canned_reply(
    user: User, *, shortcut: str, title: str, text: str, canned_id: int | None = None
) -> CannedReply:
    """Create (no `canned_id`) or change a canned reply. ValidationError maps field → message."""
    _require_supervisor(user)
    errors: dict[str, str] = {}
    if CannedReply.objects.filter(shortcut=shortcut).exclude(pk=canned_id or 0).exists():
        errors["shortcut"] = gettext("Another canned reply already uses /%(shortcut)s.") % {
            "shortcut": shortcut
        }
    if (text_error := _text_error(text)) is not None:
        errors["text"] = text_error
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if canned_id is None:
            canned = CannedReply()
        else:
            found = CannedReply.objects.select_for_update().filter(pk=canned_id).first()
            if found is None:
                raise NotFound(gettext_lazy("No canned reply %(id)s."), id=canned_id)
            canned = found
        canned.shortcut, canned.title, canned.text = shortcut, title, text
        canned.save()
        action = "canned_reply.created" if canned_id is None else "canned_reply.updated"
        record_audit(user, action, canned, shortcut=shortcut, title=title)
    return canned


def delete_canned_reply(user: User, canned_id: int) -> None:
    _require_supervisor(user)
    with transaction.atomic():
        canned = CannedReply.objects.select_for_update().filter(pk=canned_id).first()
        if canned is None:
            raise NotFound(gettext_lazy("No canned reply %(id)s."), id=canned_id)
        record_audit(user, "canned_reply.deleted", canned, shortcut=canned.shortcut,
                     title=canned.title)
        canned.delete()


# Macros.


@dataclass
class MacroSteps:
    """The step editor's fields; empty means "no such step"."""

    reply: str = ""
    note: str = ""
    label: str = ""
    priority: int | None = None
    status: str = ""

    def actions(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        if self.reply.strip():
            steps.append({"type": "reply", "text": self.reply})
        if self.note.strip():
            steps.append({"type": "note", "text": self.note})
        if self.label:
            steps.append({"type": "add_label", "name": self.label})
        if self.priority is not None:
            steps.append({"type": "set_priority", "priority": self.priority})
        if self.status:
            steps.append({"type": "set_status", "status": self.status})
        return steps


def editor_steps(macro: Macro) -> MacroSteps | None:
    """The macro as the step editor shows it, or None when the editor cannot hold it."""
    kinds = [step.get("type") for step in macro.actions]
    if not kinds or kinds != [kind for kind in EDITOR_STEPS if kind in kinds]:
        return None
    steps = MacroSteps()
    for step in macro.actions:
        if step["type"] == "reply":
            steps.reply = step["text"]
        elif step["type"] == "note":
            steps.note = step["text"]
        elif step["type"] == "add_label":
            steps.label = step["name"]
        elif step["type"] == "set_priority":
            steps.priority = step["priority"]
        elif step["type"] == "set_status":
            steps.status = step["status"]
    return steps


def _steps_errors(steps: MacroSteps) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in ("reply", "note"):
        text = getattr(steps, field)
        if text.strip() and (text_error := _text_error(text)) is not None:
            errors[field] = text_error
    if steps.label and not Label.objects.filter(name=steps.label).exists():
        errors["label"] = gettext("There is no label “%(name)s”.") % {"name": steps.label}
    if steps.priority is not None and steps.priority not in Priority.values:
        errors["priority"] = gettext("Choose a priority from the list.")
    if steps.status and steps.status not in MACRO_STATUSES:
        errors["status"] = gettext("Choose a status from the list.")
    if not errors and not steps.actions():
        errors["__all__"] = gettext("Give the macro at least one step.")
    return errors


def save_macro(
    user: User, *, shortcut: str, name: str, steps: MacroSteps, macro_id: int | None = None
) -> Macro:
    """Create (no `macro_id`) or change a macro from the step editor's fields."""
    _require_supervisor(user)
    errors = _steps_errors(steps)
    if Macro.objects.filter(shortcut=shortcut).exclude(pk=macro_id or 0).exists():
        errors["shortcut"] = gettext("Another macro already uses /%(shortcut)s.") % {
            "shortcut": shortcut
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if macro_id is None:
            macro = Macro()
        else:
            found = Macro.objects.select_for_update().filter(pk=macro_id).first()
            if found is None:
                raise NotFound(gettext_lazy("No macro %(id)s."), id=macro_id)
            if editor_steps(found) is None:
                raise ValidationError(
                    gettext("This macro has steps the editor cannot show; change it in the "
                            "administration.")
                )
            macro = found
        macro.shortcut, macro.name, macro.actions = shortcut, name, steps.actions()
        macro.save()
        action = "macro.created" if macro_id is None else "macro.updated"
        record_audit(user, action, macro, shortcut=shortcut, name=name, actions=macro.actions)
    return macro


def delete_macro(user: User, macro_id: int) -> None:
    _require_supervisor(user)
    with transaction.atomic():
        macro = Macro.objects.select_for_update().filter(pk=macro_id).first()
        if macro is None:
            raise NotFound(gettext_lazy("No macro %(id)s."), id=macro_id)
        record_audit(user, "macro.deleted", macro, shortcut=macro.shortcut, name=macro.name,
                     actions=macro.actions)
        macro.delete()


def macro_summary(macro: Macro) -> str:
    """One line for the list: what the macro does, in the reader's language."""
    priorities = dict(Priority.choices)
    statuses = dict(Status.choices)
    parts: list[str] = []
    for step in macro.actions:
        kind = step.get("type")
        if kind == "reply":
            parts.append(gettext("Reply: %(text)s") % {"text": step.get("text", "")})
        elif kind == "note":
            parts.append(gettext("Note: %(text)s") % {"text": step.get("text", "")})
        elif kind == "add_label":
            parts.append(gettext("Label: %(name)s") % {"name": step.get("name", "")})
        elif kind == "set_priority":
            priority = priorities.get(step.get("priority"), step.get("priority"))
            parts.append(gettext("Priority: %(priority)s") % {"priority": priority})
        elif kind == "set_status":
            status = statuses.get(step.get("status"), step.get("status"))
            parts.append(gettext("Status: %(status)s") % {"status": status})
        elif kind == "assign":
            parts.append(gettext("Assign"))
        elif kind == "snooze":
            parts.append(gettext("Snooze %(minutes)s min") % {"minutes": step.get("minutes")})
    return " · ".join(parts)


# Automation rules.


def set_rule_active(user: User, rule_id: int, *, is_active: bool) -> AutomationRule:
    """Turn a rule on or off; the engine reads `is_active` at each event, so it takes effect
    with the next one."""
    _require_supervisor(user)
    with transaction.atomic():
        rule = AutomationRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(gettext_lazy("No automation rule %(id)s."), id=rule_id)
        if rule.is_active != is_active:
            rule.is_active = is_active
            rule.save(update_fields=["is_active", "updated_at"])
            action = "automation_rule.activated" if is_active else "automation_rule.deactivated"
            record_audit(user, action, rule, name=rule.name)
    return rule
