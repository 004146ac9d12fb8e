"""The summary of a long conversation, shown collapsed at the top of the copilot panel: who
asked what, what was answered, where it stands.

Without a language model the summary is extractive: the customer's first question, the few
sentences most central to the whole exchange (each sentence's mean cosine to every other,
with `core.embeddings.encode`), the last exchange and the status. With an endpoint configured
(`assistant.llm`), the model writes it from the transcript; if the endpoint fails, the
extractive summary stands in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from omnicanal.assistant import llm
from omnicanal.conversations.models import Conversation, Direction, Message

# More messages than this (customer's and agents', notes left out) make a conversation long.
LONG_CONVERSATION = 8
KEY_SENTENCES = 3
# Sentences this close to one already kept add nothing.
REDUNDANT = 0.85
# At most this many sentences are embedded (the most recent ones beyond it are dropped).
MAX_SENTENCES = 200
QUOTE_LENGTH = 280
TRANSCRIPT_LENGTH = 12_000
# A summary is kept until the conversation moves (a message, the status, the assignee).
CACHE_SECONDS = 3600
SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Line:
    """One quoted sentence and who wrote it."""

    author: str
    text: str
    is_customer: bool


@dataclass
class Summary:
    question: Line | None = None
    key_points: list[Line] = field(default_factory=list)
    last_exchange: list[Line] = field(default_factory=list)
    status: str = ""
    message_count: int = 0
    # The model's own summary when an endpoint wrote it; the lines above are then empty.
    written: str = ""

    @property
    def by_model(self) -> bool:
        return bool(self.written)

    def as_text(self) -> str:
        """The summary as plain text (a bot's handover note, an article draft's context)."""
        if self.written:
            return self.written
        lines = []
        if self.question:
            lines.append(_("Question: %(text)s") % {"text": self.question.text})
        lines += [f"- {line.author}: {line.text}" for line in self.key_points]
        lines += [_("Last: %(author)s: %(text)s") % {"author": line.author, "text": line.text}
                  for line in self.last_exchange]
        if self.status:
            lines.append(self.status)
        return "\n".join(lines)


def conversation_messages(conversation: Conversation) -> list[Message]:
    """The customer's and the agents' (and the bot's) messages with text, oldest first."""
    return [
        message for message in conversation.messages.filter(
            direction__in=[Direction.INCOMING, Direction.OUTGOING], is_auto_reply=False,
        ).select_related("author").order_by("created_at", "id")
        if message.text.strip()
    ]


def is_long(conversation: Conversation, messages: list[Message] | None = None) -> bool:
    if messages is None:
        messages = conversation_messages(conversation)
    return len(messages) > LONG_CONVERSATION


def author_of(message: Message, conversation: Conversation) -> str:
    if message.direction == Direction.INCOMING:
        return conversation.contact.display_name or _("Customer")
    if message.is_bot:
        return _("Bot")
    return message.author.display_name if message.author else _("Agent")


def _quote(text: str, length: int = QUOTE_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _line(message: Message, conversation: Conversation, text: str | None = None) -> Line:
    return Line(author_of(message, conversation), _quote(text or message.text),
                message.direction == Direction.INCOMING)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if len(s.strip()) >= 12]


def central_sentences(
    candidates: list[tuple[Message, str]], count: int = KEY_SENTENCES
) -> list[tuple[Message, str]]:
    """The `count` sentences closest on average to all the others (the conversation's
    centre of gravity), near-repeats skipped, back in the order they were written."""
    from omnicanal.core.embeddings import encode

    candidates = candidates[:MAX_SENTENCES]
    if len(candidates) <= count:
        return candidates
    vectors = encode([text for _message, text in candidates])
    similarity = vectors @ vectors.T
    centrality = (similarity.sum(axis=1) - 1.0) / max(len(candidates) - 1, 1)
    kept: list[int] = []
    for index in np.argsort(-centrality):
        if all(similarity[index, other] < REDUNDANT for other in kept):
            kept.append(int(index))
        if len(kept) == count:
            break
    return [candidates[index] for index in sorted(kept)]


def status_line(conversation: Conversation) -> str:
    status = conversation.get_status_display()
    if conversation.assignee:
        return _("Status: %(status)s, assigned to %(name)s.") % {
            "status": status, "name": conversation.assignee.display_name}
    return _("Status: %(status)s, unassigned.") % {"status": status}


def extractive_summary(conversation: Conversation, messages: list[Message]) -> Summary:
    summary = Summary(status=status_line(conversation), message_count=len(messages))
    if not messages:
        return summary
    first_question = next((m for m in messages if m.direction == Direction.INCOMING), None)
    if first_question is not None:
        summary.question = _line(first_question, conversation)
    # The last exchange: the last customer message and what answered it (or the last reply).
    last_exchange: list[Message] = []
    last_incoming = next((m for m in reversed(messages) if m.direction == Direction.INCOMING),
                         None)
    last_outgoing = next((m for m in reversed(messages) if m.direction == Direction.OUTGOING),
                         None)
    for message in sorted(filter(None, {last_incoming, last_outgoing}),
                          key=lambda m: (m.created_at, m.pk)):
        if message is not first_question:
            last_exchange.append(message)
    summary.last_exchange = [_line(m, conversation) for m in last_exchange]
    quoted = {m.pk for m in last_exchange} | ({first_question.pk} if first_question else set())
    middle = [(m, s) for m in messages if m.pk not in quoted for s in sentences(m.text)]
    summary.key_points = [_line(m, conversation, s) for m, s in central_sentences(middle)]
    return summary


def transcript(conversation: Conversation, messages: list[Message]) -> str:
    """The conversation as "Author: text" lines, the oldest dropped past the length cap."""
    lines = [f"{author_of(m, conversation)} "
             f"({'customer' if m.direction == Direction.INCOMING else 'agent'}): "
             f"{' '.join(m.text.split())}" for m in messages]
    kept: list[str] = []
    total = 0
    for line in reversed(lines):
        total += len(line) + 1
        if total > TRANSCRIPT_LENGTH and kept:
            break
        kept.append(line)
    return "\n".join(reversed(kept))


def summarize(conversation: Conversation, *, force: bool = False) -> Summary | None:
    """The summary of a long conversation (None for a short one, unless `force`)."""
    messages = conversation_messages(conversation)
    if not force and not is_long(conversation, messages):
        return None
    last = messages[-1] if messages else None
    key = ":".join(str(part) for part in (
        "copilot-summary", conversation.pk, len(messages), last.pk if last else 0,
        last.created_at.timestamp() if last else 0, conversation.status,
        conversation.assignee_id, get_language(), llm.is_configured(),
    ))
    summary: Summary | None = cache.get(key)
    if summary is None:
        summary = _summarize(conversation, messages)
        cache.set(key, summary, CACHE_SECONDS)
    return summary


def _summarize(conversation: Conversation, messages: list[Message]) -> Summary:
    if llm.is_configured():
        written = llm.complete([
            llm.ChatMessage("system", (
                "You summarise a customer-support conversation for the agent taking it "
                "over. In at most five short lines: what the customer asked, what was "
                "answered or done, what is still open. Plain text, no greeting. Write in the "
                "language of this instruction's last line.")),
            llm.ChatMessage("user", transcript(conversation, messages)
                            + "\n\n" + status_line(conversation)
                            + "\n" + _("Write the summary in English.")),
        ], max_tokens=300)
        if written:
            return Summary(written=written, status=status_line(conversation),
                           message_count=len(messages))
    return extractive_summary(conversation, messages)
