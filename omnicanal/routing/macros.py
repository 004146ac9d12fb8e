"""Canned replies and macros: text with variables, rendered the same way on every channel.

Variables are a fixed list substituted by a regular expression, never the Django template
engine: the text is written by users, and a template would let them reach any attribute of
the objects in its context. `{{contact.first_name|there}}` gives a fallback for an empty
value (a contact without a name); an unknown variable is refused when the text is saved.

`{{queue.position}}` and `{{queue.estimated_wait}}` tell a waiting customer their place in
line and the wait ("about 6 minutes", in the contact's `language` attribute, else the site's
language); both are empty, so take their fallback, when the conversation is not waiting or no
agent who could take it is online (no estimate).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.conversations import actions as conversation_actions
from omnicanal.conversations.models import Conversation, Label, Priority, Status
from omnicanal.core.exceptions import NotFound
from omnicanal.routing.models import CannedReply, Macro
from omnicanal.routing.queries import QueuePosition, queue_status

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*(?:\|([^{}]*))?\}\}")


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


# Each variable reads the conversation or the agent; contact names are never guessed from an
# e-mail address or a phone number (a greeting must not leak them).
VARIABLES: dict[str, Callable[[Conversation, User | None], str]] = {
    "contact.name": lambda conversation, agent: conversation.contact.name.strip(),
    "contact.first_name": lambda conversation, agent: _first_name(conversation.contact.name),
    "agent.name": lambda conversation, agent: agent.display_name if agent else "",
    "agent.first_name": lambda conversation, agent: (
        _first_name(agent.name) or agent.display_name if agent else ""
    ),
    "conversation.id": lambda conversation, agent: str(conversation.pk),
    "conversation.subject": lambda conversation, agent: conversation.subject,
    "inbox.name": lambda conversation, agent: conversation.inbox.name,
}


def wait_phrase(seconds: int) -> str:
    """A wait as a customer reads it, in the active language: "about 6 minutes"."""
    if seconds < 60:
        return gettext("under a minute")
    # Half up, as the web chat widget rounds (Math.round), not Python's half-to-even.
    minutes = math.floor(seconds / 60 + 0.5)
    return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {
        "count": minutes
    }


def _estimated_wait(status: QueuePosition | None, conversation: Conversation) -> str:
    if status is None or status.estimated_wait_seconds is None:
        return ""
    language = str(conversation.contact.attributes.get("language", "")).lower()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return wait_phrase(status.estimated_wait_seconds)


# Read from the conversation's queue status, computed once per rendered text.
QUEUE_VARIABLES: dict[str, Callable[[QueuePosition | None, Conversation], str]] = {
    "queue.position": lambda status, conversation: str(status.position) if status else "",
    "queue.estimated_wait": _estimated_wait,
}
KNOWN_VARIABLES = [*VARIABLES, *QUEUE_VARIABLES]


def unknown_variables(text: str) -> list[str]:
    return sorted({m.group(1) for m in VARIABLE.finditer(text)} - set(KNOWN_VARIABLES))


def check_text(text: object, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(gettext("%(what)s: the text is empty.") % {"what": what})
    unknown = unknown_variables(text)
    if unknown:
        known = ", ".join("{{" + name + "}}" for name in KNOWN_VARIABLES)
        raise ValidationError(
            gettext("%(what)s: unknown variable %(names)s. Known variables: %(known)s.")
            % {"what": what, "names": ", ".join(unknown), "known": known}
        )
    return text


def render(text: str, conversation: Conversation, agent: User | None) -> str:
    """The text with its variables replaced; an empty value takes the fallback, if any."""

    statuses: list[QueuePosition | None] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in QUEUE_VARIABLES:
            if not statuses:
                statuses.append(queue_status(conversation.pk))
            value = QUEUE_VARIABLES[name](statuses[0], conversation)
        else:
            read = VARIABLES.get(name)
            value = read(conversation, agent) if read else ""
        return value or (match.group(2) or "").strip()

    return VARIABLE.sub(substitute, text)


def check_canned_reply(canned: CannedReply) -> None:
    check_text(canned.text, gettext("Canned reply /%(shortcut)s") % {"shortcut": canned.shortcut})


# Macros.

MACRO_ACTIONS = ("reply", "note", "add_label", "set_priority", "set_status", "assign", "snooze")


def _require(step: Mapping[str, Any], key: str, kind: type, what: str) -> Any:
    value = step.get(key)
    # JSON's true is a Python int; it is never a valid number here.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationError(gettext("%(what)s: “%(key)s” is missing or has the wrong type.")
                              % {"what": what, "key": key})
    return value


def check_macro_actions(steps: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(steps, list) or not steps:
        raise ValidationError(gettext("%(what)s: a macro needs a list of at least one action.")
                              % {"what": what})
    for number, step in enumerate(steps, 1):
        where = gettext("%(what)s, action %(number)s") % {"what": what, "number": number}
        if not isinstance(step, dict) or step.get("type") not in MACRO_ACTIONS:
            raise ValidationError(gettext("%(where)s: the type is one of %(known)s.") % {
                "where": where, "known": ", ".join(MACRO_ACTIONS)})
        kind = step["type"]
        if kind in ("reply", "note"):
            check_text(step.get("text"), where)
        elif kind == "add_label":
            name = _require(step, "name", str, where)
            # Agents may not create labels: a macro's label must exist when it is applied.
            if not Label.objects.filter(name__iexact=" ".join(name.split())).exists():
                raise ValidationError(
                    gettext("%(where)s: there is no label “%(name)s”; create it first.")
                    % {"where": where, "name": name})
        elif kind == "set_priority":
            if _require(step, "priority", int, where) not in Priority.values:
                raise ValidationError(
                    gettext("%(where)s: priority goes from 1 (urgent) to 4 (low).")
                    % {"where": where})
        elif kind == "set_status":
            if step.get("status") not in (Status.OPEN, Status.PENDING, Status.RESOLVED):
                raise ValidationError(gettext("%(where)s: the status is open, pending or resolved.")
                                      % {"where": where})
        elif kind == "assign":
            if step.get("to") == "team":
                _require(step, "team_id", int, where)
            elif step.get("to") != "me":
                raise ValidationError(gettext("%(where)s: assign “to” is “me” or “team”.")
                                      % {"where": where})
        elif kind == "snooze":
            minutes = _require(step, "minutes", int, where)
            if minutes <= 0:
                raise ValidationError(gettext("%(where)s: snooze for a positive number of minutes.")
                                      % {"where": where})
    if sum(step["type"] == "reply" for step in steps) > 1:
        raise ValidationError(
            gettext("%(what)s: a macro fills the reply box once.") % {"what": what})
    return steps


def check_macro(macro: Macro) -> None:
    check_macro_actions(
        macro.actions, gettext("Macro /%(shortcut)s") % {"shortcut": macro.shortcut})


@dataclass
class MacroResult:
    # The rendered reply, for the agent to review and send: a macro never sends on its own.
    reply_text: str = ""
    applied: list[str] = field(default_factory=list)


def apply_macro(agent: User, conversation_id: int, macro_id: int) -> MacroResult:
    """Apply every step but the reply, as `agent`, in one transaction; return the reply text.

    Each step goes through the conversation actions, so permissions, activity lines, events
    and routing counts are the same as when the agent clicks.
    """
    macro = Macro.objects.filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("No macro %(id)s."), id=macro_id)
    result = MacroResult()
    with transaction.atomic():
        conversation = conversation_actions.access_conversation(agent, conversation_id)
        for step in macro.actions:
            kind = step["type"]
            if kind == "reply":
                result.reply_text = render(step["text"], conversation, agent)
            elif kind == "note":
                text = render(step["text"], conversation, agent)
                conversation_actions.add_note(agent, conversation_id, text)
            elif kind == "add_label":
                conversation_actions.add_label_by_name(agent, conversation_id, step["name"])
            elif kind == "set_priority":
                conversation_actions.set_priority(agent, conversation_id, step["priority"])
            elif kind == "set_status":
                conversation_actions.set_status(agent, conversation_id, Status(step["status"]))
            elif kind == "assign":
                if step["to"] == "me":
                    conversation_actions.assign(agent, conversation_id, assignee_id=agent.pk)
                else:
                    conversation_actions.assign(agent, conversation_id, team_id=step["team_id"])
            elif kind == "snooze":
                until = timezone.now() + dt.timedelta(minutes=step["minutes"])
                conversation_actions.snooze(agent, conversation_id, until=until)
            result.applied.append(kind)
    return result


def canned_replies_for(agent: User, conversation_id: int | None) -> list[tuple[CannedReply, str]]:
    """Every canned reply with its text rendered for this conversation (raw without one)."""
    conversation = (
        conversation_actions.access_conversation(agent, conversation_id)
        if conversation_id is not None else None
    )
    return [
        (canned, render(canned.text, conversation, agent) if conversation else canned.text)
        for canned in CannedReply.objects.all()
    ]
