"""@mentions in internal notes: which agents a note names, and where.

An agent is named by `@` followed by their full name, their first name, or the part of their
e-mail address before the `@`, in any case and with or without accents (`@Helene` names
Hélène). The workspace suggests full names, so ambiguity only comes from typing by hand: the
longest name that matches wins (`@Marie Dupont` is Marie Dupont even when a colleague is
called Marie), and a name shared by two agents at that length names nobody rather than both.
Unknown names are plain text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from omnicanal.accounts.models import User


@dataclass(frozen=True)
class MentionSpan:
    agent_id: int
    # Offsets in the note's text, the `@` included: the timeline highlights this range.
    start: int
    end: int

    def as_dict(self) -> dict[str, int]:
        return {"agent_id": self.agent_id, "start": self.start, "end": self.end}


def fold(text: str) -> str:
    """Lower case without accents: "Hélène" and "helene" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def agent_handles(agent: User) -> set[str]:
    """Every folded way of naming the agent after an `@`."""
    handles = {fold(agent.email.split("@")[0])}
    name = " ".join(agent.name.split())
    if name:
        handles.add(fold(name))
        handles.add(fold(name.split(" ")[0]))
    return {handle for handle in handles if handle}


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def parse_mentions(text: str, agents: Iterable[User]) -> list[MentionSpan]:
    """The mentions of `agents` in `text`, in order of appearance."""
    handles = [(handle, agent.pk) for agent in agents for handle in agent_handles(agent)]
    spans: list[MentionSpan] = []
    position = text.find("@")
    while position >= 0:
        # "bob@example.com" is an address, not a mention.
        is_at_word_start = position == 0 or not _is_word_character(text[position - 1])
        span = _match_at(text, position, handles) if is_at_word_start else None
        if span is not None:
            spans.append(span)
            position = text.find("@", span.end)
        else:
            position = text.find("@", position + 1)
    return spans


def _match_at(text: str, at: int, handles: Sequence[tuple[str, int]]) -> MentionSpan | None:
    start = at + 1
    best_length = 0
    best_agents: set[int] = set()
    for handle, agent_id in handles:
        # Folding keeps one character per character of French names (é → e), so the
        # handle's length is the length of the text it matches.
        end = start + len(handle)
        if end > len(text) or fold(text[start:end]) != handle:
            continue
        if end < len(text) and _is_word_character(text[end]):
            continue
        if len(handle) > best_length:
            best_length, best_agents = len(handle), {agent_id}
        elif len(handle) == best_length:
            best_agents.add(agent_id)
    if len(best_agents) != 1:
        return None
    return MentionSpan(best_agents.pop(), at, start + best_length)


def resolve_mentions(text: str) -> list[MentionSpan]:
    """The active agents `text` mentions (no query when there is no `@`)."""
    if "@" not in text:
        return []
    agents = User.objects.filter(is_active=True).only("pk", "name", "email")
    return parse_mentions(text, agents)


def mentioned_agent_ids(metadata: dict[str, Any] | None) -> list[int]:
    """The agents a note's stored mentions name, each once, in order."""
    spans = (metadata or {}).get("mentions") or []
    ids: list[int] = []
    for span in spans if isinstance(spans, list) else []:
        agent_id = span.get("agent_id") if isinstance(span, dict) else None
        if isinstance(agent_id, int) and agent_id not in ids:
            ids.append(agent_id)
    return ids
