"""The copilot beside an open conversation: the knowledge that answers the customer's
question, a reply grounded in it, the summary of a long exchange, and an article drafted from
a resolved one. Plain functions; the panel's views (assistant/views.py) only call them.

Nothing here sends anything: a suggested reply goes into the agent's composer, and the agent
decides. Retrieval is `knowledge.retrieval.retrieve` (for agents: internal articles and
resolved conversations too); a language model is used when one is configured
(`assistant.llm.complete` returns None otherwise) and the passage itself stands in without.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from omnicanal.accounts.models import User
from omnicanal.assistant import llm
from omnicanal.assistant.summary import Summary, author_of, conversation_messages
from omnicanal.assistant.summary import summarize as summarize_messages
from omnicanal.conversations.models import Conversation, Direction, Message, Status
from omnicanal.core.exceptions import InvalidInput
from omnicanal.knowledge import actions as knowledge_actions
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    Locale,
    Visibility,
)
from omnicanal.knowledge.retrieval import Passage, retrieve

SUGGESTIONS = 4
# The customer's last message is the question, with the one before when it is this short
# ("and for Belgium?").
SHORT_QUESTION = 60
QUESTION_LENGTH = 1000
# Passages a suggested reply is grounded in when the agent did not pick any.
REPLY_PASSAGES = 3
TITLE_LENGTH = 120


@dataclass(frozen=True)
class Suggestion:
    passage: Passage
    key: str
    # The link a customer can open: a public article's help-center page, absolute when
    # PUBLIC_URL is set; "" for an internal article or a conversation.
    public_url: str
    is_internal: bool

    @property
    def confidence_percent(self) -> int:
        return round(max(0.0, min(1.0, self.passage.confidence)) * 100)

    @property
    def insert_text(self) -> str:
        """What "Insert" puts into the composer: the passage, and its link when public."""
        text = self.passage.text.strip()
        return f"{text}\n\n{self.passage.title}: {self.public_url}" if self.public_url else text


@dataclass(frozen=True)
class SuggestedReply:
    text: str
    by_model: bool
    passages: list[Passage]


def passage_key(passage: Passage) -> str:
    """A stable name for a passage, for the panel to say which ones a reply uses."""
    source = (f"a{passage.article_id}" if passage.article_id is not None
              else f"c{passage.conversation_id}")
    return f"{source}-{hashlib.sha256(passage.text.encode()).hexdigest()[:8]}"


def locale_of(conversation: Conversation) -> str | None:
    """The conversation's language when triage found one the knowledge base has."""
    language = (conversation.language or "").split("-")[0].lower()
    return language if language in Locale.values else None


def customer_question(conversation: Conversation,
                      messages: list[Message] | None = None) -> str:
    """What the customer is asking now: their last message (with the one before when short),
    else the subject."""
    if messages is None:
        messages = conversation_messages(conversation)
    incoming = [m.text.strip() for m in messages if m.direction == Direction.INCOMING]
    if not incoming:
        return conversation.subject.strip()
    question = incoming[-1]
    if len(question) < SHORT_QUESTION and len(incoming) > 1:
        question = f"{incoming[-2]}\n{question}"
    if len(question) < SHORT_QUESTION and conversation.subject.strip():
        question = f"{conversation.subject.strip()}\n{question}"
    return question[-QUESTION_LENGTH:]


def _public_article_ids(passages: list[Passage]) -> set[int]:
    ids = {p.article_id for p in passages if p.article_id is not None}
    return set(Article.objects.filter(pk__in=ids, visibility=Visibility.PUBLIC)
               .values_list("pk", flat=True)) if ids else set()


def _absolute(url: str) -> str:
    if url.startswith("/") and settings.PUBLIC_URL:
        return settings.PUBLIC_URL + url
    return url


def _suggestions(conversation: Conversation, passages: list[Passage]) -> list[Suggestion]:
    public = _public_article_ids(passages)
    # Plain text, whatever escaping the search's snippet kept ("d&#x27;une"): the template
    # escapes it once more, the composer takes it as typed.
    passages = [replace(p, text=html.unescape(p.text), title=html.unescape(p.title))
                for p in passages]
    return [
        Suggestion(
            passage=passage, key=passage_key(passage),
            public_url=_absolute(passage.url) if passage.article_id in public else "",
            is_internal=passage.article_id not in public,
        )
        for passage in passages
    ]


def suggestions_for(conversation: Conversation, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The passages answering the customer's question, best first: articles for agents
    (internal ones too) and other resolved conversations, never this one."""
    messages = conversation_messages(conversation)
    question = customer_question(conversation, messages)
    if not question:
        return []
    # The question with its context first; the last message alone when that finds nothing.
    last = next((m.text.strip() for m in reversed(messages)
                 if m.direction == Direction.INCOMING), "")[-QUESTION_LENGTH:]
    passages: list[Passage] = []
    for query in dict.fromkeys(q for q in (question, last) if q):
        passages = [
            passage for passage in retrieve(
                query, locale=locale_of(conversation), audience="agents", limit=limit + 1,
                include_conversations=True,
            )
            if passage.conversation_id != conversation.pk
        ]
        if passages:
            break
    return _suggestions(conversation, passages[:limit])


def _reply_prompt(conversation: Conversation, question: str,
                  suggestions: list[Suggestion]) -> list[llm.ChatMessage]:
    sources = "\n\n".join(
        f"[{number}] {s.passage.title}\n"
        + (f"Link: {s.public_url}\n" if s.public_url else "(internal: do not link)\n")
        + s.passage.text
        for number, s in enumerate(suggestions, start=1)
    )
    return [
        llm.ChatMessage("system", (
            "You draft a reply that a customer-support agent will review before sending. "
            "Answer the customer's question using only the numbered passages; if they do "
            "not answer it, say in one sentence what the agent should check. Give a "
            "passage's link when it has one; never mention internal passages to the "
            "customer. Be brief and polite, no signature. Write in the customer's language.")),
        llm.ChatMessage("user", (
            f"Passages:\n{sources}\n\n"
            f"Conversation subject: {conversation.subject or '-'}\n"
            f"Customer's question:\n{question}")),
    ]


def suggested_reply(conversation: Conversation, passage_keys: list[str] | None = None,
                    ) -> SuggestedReply | None:
    """A reply grounded in the suggested passages the agent picked (the best ones when
    none): the language model's when one is configured, else the best passage and its
    link. None when nothing answers the question."""
    suggestions = suggestions_for(conversation)
    if passage_keys:
        chosen = [s for s in suggestions if s.key in set(passage_keys)]
        suggestions = chosen or suggestions
    suggestions = suggestions[:REPLY_PASSAGES]
    if not suggestions:
        return None
    question = customer_question(conversation)
    written = llm.complete(_reply_prompt(conversation, question, suggestions))
    if written:
        return SuggestedReply(written, True, [s.passage for s in suggestions])
    best = suggestions[0]
    text = best.passage.text.strip()
    if best.public_url:
        text = f"{text}\n\n{best.passage.title}: {best.public_url}"
    return SuggestedReply(text, False, [best.passage])


def summarize(conversation: Conversation) -> Summary | None:
    """The summary shown at the top of the panel: None while the conversation is short."""
    return summarize_messages(conversation)



def _draft_body(conversation: Conversation, messages: list[Message]) -> tuple[str, str]:
    """The draft's title and Markdown body: the customer's question, then the agents'
    answers, as written (the agent edits out what is personal)."""
    asked = [m for m in messages if m.direction == Direction.INCOMING]
    answered = [m for m in messages if m.direction == Direction.OUTGOING and not m.is_bot]
    first = " ".join(asked[0].text.split()) if asked else ""
    title = (conversation.subject.strip() or first or pgettext("article", "Answer")).strip()
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rstrip() + "…"
    question = "\n\n".join(m.text.strip() for m in asked[:2])
    answer = "\n\n".join(m.text.strip() for m in answered)
    heading_question = pgettext("article", "Question")
    heading_answer = pgettext("article", "Answer")
    body = f"## {heading_question}\n\n{question}\n\n## {heading_answer}\n\n{answer}\n"
    return title, body


def article_draft_from(conversation: Conversation, user: User, *,
                       visibility: str = Visibility.INTERNAL) -> Article:
    """A draft article (owner: `user`) holding a resolved conversation's question and
    answer, in Markdown, for the agent to rework and send to review. With a language model,
    the model rewrites the exchange as a general article without personal details."""
    if conversation.status != Status.RESOLVED:
        raise InvalidInput(_("Only a resolved conversation can become an article."))
    if visibility not in Visibility.values:
        raise InvalidInput(_("Unknown visibility."))
    messages = conversation_messages(conversation)
    if not any(m.direction == Direction.OUTGOING for m in messages):
        raise InvalidInput(_("This conversation has no answer to make an article from."))
    title, body = _draft_body(conversation, messages)
    locale = locale_of(conversation) or (user.language if user.language in Locale.values
                                         else Locale.FR)
    transcript = "\n".join(f"{author_of(m, conversation)}"
                           f" ({'customer' if m.direction == Direction.INCOMING else 'agent'}):"
                           f" {m.text.strip()}" for m in messages)
    written = llm.complete([
        llm.ChatMessage("system", (
            "Turn this resolved support conversation into a short help-center article in "
            "Markdown: a first line '# ' with a title phrased as the question, then the "
            "answer as steps or paragraphs. Keep only what is true for every customer; "
            "leave out names, order numbers, addresses and other personal details. Write in "
            f"the language whose code is '{locale}'.")),
        llm.ChatMessage("user", transcript[-12_000:]),
    ], max_tokens=800)
    if written:
        first_line, _newline, rest = written.strip().partition("\n")
        if first_line.startswith("#") and rest.strip():
            title = first_line.lstrip("#").strip()[:TITLE_LENGTH] or title
            body = rest.strip() + "\n"
        else:
            body = written.strip() + "\n"
    article = Article(
        locale=locale, title=title, slug="",
        status=ArticleStatus.DRAFT, visibility=visibility, owner=user,
        body_format=BodyFormat.MARKDOWN, body=body,
    )
    return knowledge_actions.save_article(article)
