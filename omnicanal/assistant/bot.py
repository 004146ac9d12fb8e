"""The bot: answers a customer's first questions from the public knowledge base, on the
inboxes where an administrator turned it on, and hands over to a person whenever it cannot,
is not sure, did not help, or is asked to.

It is a subscriber of `message.created` (AssistantConfig.ready). Each customer message is
handled once: the `BotTurn` row, unique on the message, is written in the transaction of the
bot's reply (the handler's savepoint inside the event's dispatch). A crash before the commit
leaves neither; a retry after it finds the turn and returns. The reply is an ordinary outgoing
message (`conversations.actions.bot_reply`): its own `message.created` event enqueues the send,
retried like an agent's.

What it says comes from retrieved passages only: the best passage itself, or, when an
OpenAI-compatible endpoint is configured (ASSISTANT_LLM_URL), that endpoint's phrasing of the
passages under a system prompt that forbids anything else; it abstains when the endpoint says
the passages do not answer. It never claims to be a person: its greeting says it is an
automated assistant, and every message it writes is marked `is_bot`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.assistant import llm
from omnicanal.assistant.handover import hand_over
from omnicanal.assistant.language import detect as detect_language
from omnicanal.assistant.models import BotOutcome, BotSettings, BotTurn
from omnicanal.conversations.actions import bot_reply, set_bot_enabled
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    Direction,
    Inbox,
    Message,
    OutboxEvent,
)
from omnicanal.core.exceptions import InvalidField
from omnicanal.knowledge.actions import record_unanswered_question
from omnicanal.knowledge.retrieval import Passage, retrieve

logger = logging.getLogger(__name__)

# Where a bot makes sense: conversational channels (not e-mail, not voice).
BOT_CHANNELS = frozenset({
    ChannelKind.WEBCHAT, ChannelKind.WHATSAPP, ChannelKind.MESSENGER, ChannelKind.TELEGRAM,
    ChannelKind.SMS,
})

# Words that always reach a person at once, compared without accents or case.
HUMAN_WORDS = frozenset({
    "agent", "agents", "conseiller", "conseillere", "conseillers", "humain", "humaine",
    "human", "person", "personne", "quelqu'un", "quelquun", "operator", "operateur",
    "operatrice", "representative", "someone", "somebody",
})
# Phrases that do too (a word alone would be too broad: "une personne a commandé...").
HUMAN_PHRASES = ("real person", "vraie personne", "parler a quelqu", "talk to someone",
                 "speak to someone", "une vraie personne")
NO_WORDS = frozenset({"no", "non", "nope", "pas vraiment", "not really", "nan"})
YES_WORDS = frozenset({"yes", "oui", "yep", "ok", "merci", "thanks", "thank you", "parfait",
                       "super", "great", "ouais"})

# The three ways out the bot offers when it cannot answer (quick replies / numbered text).
CHOICE_HUMAN, CHOICE_CALLBACK, CHOICE_EMAIL = "human", "callback", "answer_by_email"
CHOICES = (CHOICE_HUMAN, CHOICE_CALLBACK, CHOICE_EMAIL)

# What the language model answers when the passages do not hold the answer.
CANNOT_ANSWER = "CANNOT_ANSWER"
SYSTEM_PROMPT = (
    "You are an automated assistant of a customer-service team. Answer the customer's "
    "question ONLY with facts stated in the passages below; never add anything that is not "
    "in them, never guess, never claim to be a person. Answer in {language}, in at most "
    "four sentences. If the passages do not answer the question, reply exactly "
    f"{CANNOT_ANSWER} and nothing else."
)
LANGUAGE_NAMES = {"fr": "French", "en": "English"}

_WORD = re.compile(r"[\w']+")


def fold(text: str) -> str:
    """Lower case without accents, with typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'").lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _guess_language(text: str, default: str = "fr") -> str:
    """French or English as triage detects it; a text too short to tell ("1", "ok") or in
    another language keeps the conversation's language so far."""
    detected = detect_language(text)
    return detected if detected in LANGUAGE_NAMES else default


def wants_human(text: str) -> bool:
    folded = fold(text)
    words = set(_WORD.findall(folded))
    return bool(words & HUMAN_WORDS) or any(phrase in folded for phrase in HUMAN_PHRASES)


def _is_one_of(text: str, answers: frozenset[str]) -> bool:
    folded = " ".join(_WORD.findall(fold(text)))
    return folded in answers or (bool(folded) and folded.split()[0] in answers
                                 and len(folded.split()) <= 3)


def bot_settings() -> BotSettings:
    found = BotSettings.objects.order_by("pk").first()
    return found if found is not None else BotSettings.objects.create()


def texts(config: BotSettings, language: str) -> dict[str, str]:
    """Everything the bot says, in the customer's language (an administrator's own greeting
    and handover message replace the defaults)."""
    with translation.override(language):
        greeting = getattr(config, f"greeting_{language}", "") or gettext(
            "Hello, I am %(name)s, an automated assistant. I answer from our help center; "
            "write “agent” at any time to reach a person."
        ) % {"name": config.display_name}
        handover = getattr(config, f"handover_{language}", "") or gettext(
            "I am passing you to a member of the team, who will see what you asked: "
            "no need to repeat it."
        )
        return {
            "greeting": greeting,
            "handover": handover,
            "source": gettext("Source: %(title)s — %(url)s"),
            "helped": gettext("Did this answer your question?"),
            "yes": gettext("Yes, thanks"),
            "no": gettext("No"),
            "abstain": gettext(
                "I am sorry, I do not have a reliable answer to that in our help center. "
                "What would you prefer?"
            ),
            CHOICE_HUMAN: gettext("Talk to a person"),
            CHOICE_CALLBACK: gettext("Be called back"),
            CHOICE_EMAIL: gettext("An answer by e-mail"),
            "callback_done": gettext(
                "A member of the team will call you back; they will see what you asked."
            ),
            "email_done": gettext(
                "A member of the team will answer you by e-mail; they will see what you asked."
            ),
            "glad": gettext("Glad I could help. Ask me anything else, or write “agent” to "
                            "reach a person."),
        }


@dataclass(frozen=True)
class Reply:
    text: str
    # The buttons the widget shows under it ([{"label", "value"}]); other channels get the
    # options as numbered lines of the text instead.
    quick_replies: tuple[tuple[str, str], ...] = ()


def _with_options(inbox_channel: str, reply: Reply) -> tuple[str, dict[str, object]]:
    if not reply.quick_replies:
        return reply.text, {}
    if inbox_channel == ChannelKind.WEBCHAT:
        return reply.text, {"quick_replies": [
            {"label": label, "value": label} for label, _value in reply.quick_replies
        ]}
    lines = [f"{number}. {label}" for number, (label, _value) in
             enumerate(reply.quick_replies, start=1)]
    return reply.text + "\n" + "\n".join(lines), {}


def absolute(url: str) -> str:
    return url if re.match(r"https?://", url) else settings.PUBLIC_URL + url


def _passages_record(passages: list[Passage]) -> list[dict[str, object]]:
    return [{"article_id": p.article_id, "title": p.title, "url": absolute(p.url),
             "confidence": round(p.confidence, 3)} for p in passages]


def handle_message_created(event: OutboxEvent) -> None:
    """`message.created`: a customer's message in a conversation the bot holds. Answered
    here (quick database work: retrieval and writes), or, when a language model phrases the
    answers, by the `answer_message` task (a network call has no place in an event's
    handling: the webhook that stored the message waits for it); the task's row is written
    with the event's handling, so it is as durable as the event."""
    if event.payload.get("direction") != Direction.INCOMING:
        return
    message_id = event.payload.get("message_id")
    if not isinstance(message_id, int) or _bot_message(message_id) is None:
        return
    if llm.is_configured():
        from omnicanal.assistant.bot_tasks import answer_message_task

        answer_message_task.enqueue(message_id)
        return
    answer_message(message_id)


def _bot_message(message_id: int) -> Message | None:
    """The customer message if the bot is to answer it (its inbox has the bot on, on a
    conversational channel, and the bot still holds its conversation)."""
    message = (
        Message.objects.select_related("conversation__inbox")
        .filter(pk=message_id, direction=Direction.INCOMING)
        .first()
    )
    if message is None or message.is_auto_reply or not message.text.strip():
        return None
    conversation = message.conversation
    if not conversation.with_bot or not conversation.inbox.bot_enabled:
        return None
    if conversation.inbox.channel not in BOT_CHANNELS:
        return None
    return message


@dataclass
class Plan:
    """What the bot will do about one message, decided before anything is written (the
    language model, if any, is asked here, outside the transaction and its locks)."""

    language: str
    outcome: str
    reply: Reply
    greet: bool
    awaiting: str = ""
    passages: list[dict[str, object]] | None = None
    # (reason, choice) when the bot hands over.
    handover: tuple[str, str] | None = None
    # The question to keep for the content-gap report, with the articles tried.
    unanswered: tuple[str, list[int]] | None = None


def answer_message(message_id: int) -> bool:
    """Handle one customer message once; False when there was nothing (more) to do."""
    message = _bot_message(message_id)
    if message is None or BotTurn.objects.filter(message_id=message_id).exists():
        return False
    config = bot_settings()
    plan = plan_for(message, message.conversation, config)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().select_related("inbox").get(
            pk=message.conversation_id
        )
        if not conversation.with_bot:
            return False  # a person answered meanwhile
        try:
            with transaction.atomic():
                turn = BotTurn.objects.create(
                    message=message, conversation=conversation, outcome=plan.outcome,
                    language=plan.language, passages=plan.passages or [],
                    awaiting=plan.awaiting,
                )
        except IntegrityError:
            return False  # handled already: a retry after the reply committed
        carry_out(plan, turn, conversation, config)
    return True


def plan_for(message: Message, conversation: Conversation, config: BotSettings) -> Plan:
    previous = (
        BotTurn.objects.filter(conversation=conversation)
        .order_by("-created_at", "-pk").first()
    )
    language = _guess_language(
        message.text, default=(previous.language if previous else "") or conversation.language
        or settings.LANGUAGE_CODE[:2],
    )
    if language not in LANGUAGE_NAMES:
        language = "fr"
    said = texts(config, language)
    text = message.text.strip()
    greet = previous is None

    def give_to_team(reason: str, message_text: str, choice: str = "") -> Plan:
        return Plan(language, BotOutcome.HANDED_OVER, Reply(message_text), greet,
                    handover=(reason, choice))

    awaiting = previous.awaiting if previous else ""
    if awaiting == "choice":
        choice = _choice(text, said) or (CHOICE_HUMAN if wants_human(text) else "")
        if choice:
            return give_to_team("low_confidence", said["handover"] if choice == CHOICE_HUMAN
                                else said[f"{choice}_done"], choice)
    if wants_human(text):
        return give_to_team("asked_for_human", said["handover"])
    if awaiting == "feedback":
        if _is_one_of(text, NO_WORDS):
            return give_to_team("not_helped", said["handover"])
        if _is_one_of(text, YES_WORDS):
            return Plan(language, BotOutcome.ACKNOWLEDGED, Reply(said["glad"]), greet)
    passages = retrieve(text, locale=language, audience="public", limit=3)
    tried = _passages_record(passages)
    answer = _answer(text, passages, language, config.confidence_threshold)
    if answer is None:
        return Plan(
            language, BotOutcome.ABSTAINED,
            Reply(said["abstain"], tuple((said[c], c) for c in CHOICES)), greet,
            awaiting="choice", passages=tried,
            unanswered=(text, [p.article_id for p in passages if p.article_id is not None]),
        )
    best = passages[0]
    source = said["source"] % {"title": best.title, "url": absolute(best.url)}
    return Plan(
        language, BotOutcome.ANSWERED,
        Reply(f"{answer}\n\n{source}\n\n{said['helped']}",
              ((said["yes"], "yes"), (said["no"], "no"))),
        greet, awaiting="feedback", passages=tried,
    )


def carry_out(plan: Plan, turn: BotTurn, conversation: Conversation,
              config: BotSettings) -> None:
    """Write the plan, in the transaction holding the turn's claim."""
    said = texts(config, plan.language)
    body = f"{said['greeting']}\n\n{plan.reply.text}" if plan.greet else plan.reply.text
    content, metadata = _with_options(conversation.inbox.channel,
                                      Reply(body, plan.reply.quick_replies))
    turn.reply = bot_reply(conversation.pk, content, bot_name=config.display_name,
                           metadata=metadata)
    turn.save(update_fields=["reply"])
    if plan.unanswered is not None:
        question, articles = plan.unanswered
        record_unanswered_question(question, locale=plan.language,
                                   conversation_id=conversation.pk, articles_tried=articles)
    if plan.handover is not None:
        reason, choice = plan.handover
        hand_over(conversation, reason=reason, language=plan.language, choice=choice,
                  bot_name=config.display_name)


def _choice(text: str, said: dict[str, str]) -> str:
    folded = fold(text).strip().rstrip(".")
    for number, choice in enumerate(CHOICES, start=1):
        if folded == str(number) or folded == fold(said[choice]):
            return choice
    if any(word in folded for word in ("rappel", "call", "phone", "telephone")):
        return CHOICE_CALLBACK
    if any(word in folded for word in ("mail", "courriel")):
        return CHOICE_EMAIL
    return ""


def _answer(question: str, passages: list[Passage], language: str,
            threshold: float) -> str | None:
    """The answer to give from the passages, or None to abstain."""
    if not passages or passages[0].confidence < threshold:
        return None
    confident = [p for p in passages if p.confidence >= threshold]
    if not llm.is_configured():
        return confident[0].text.strip()
    context = "\n\n".join(
        f"[{number}] {p.title}\n{p.text.strip()}" for number, p in enumerate(confident, start=1)
    )
    phrased = llm.complete([
        llm.ChatMessage("system", SYSTEM_PROMPT.format(language=LANGUAGE_NAMES[language])),
        llm.ChatMessage("user", f"Passages:\n{context}\n\nQuestion: {question}"),
    ])
    if phrased is None:
        # The endpoint failed: the passage itself is still a grounded answer.
        return confident[0].text.strip()
    if CANNOT_ANSWER in phrased:
        return None
    return phrased


def bot_inboxes() -> list[Inbox]:
    """The inboxes the bot can answer in (active, on a conversational channel)."""
    return list(Inbox.objects.filter(channel__in=BOT_CHANNELS, is_active=True).order_by("name"))


def save_bot_settings(
    user: User, *, display_name: str, confidence_threshold: float, greeting_fr: str,
    greeting_en: str, handover_fr: str, handover_en: str, enabled_inbox_ids: list[int],
) -> BotSettings:
    """An administrator's settings of the bot, audited."""
    require_administrator(user)
    display_name = display_name.strip()
    if not display_name:
        raise InvalidField("display_name", _("The bot needs a name."))
    if not 0.0 <= confidence_threshold <= 1.0:
        raise InvalidField("confidence_threshold",
                           _("The threshold is a confidence between 0 and 1."))
    with transaction.atomic():
        config = bot_settings()
        config.display_name = display_name[:60]
        config.confidence_threshold = confidence_threshold
        config.greeting_fr, config.greeting_en = greeting_fr.strip(), greeting_en.strip()
        config.handover_fr, config.handover_en = handover_fr.strip(), handover_en.strip()
        config.save()
        eligible = [inbox.pk for inbox in bot_inboxes()]
        changed = set_bot_enabled([pk for pk in enabled_inbox_ids if pk in eligible],
                                  eligible=eligible)
        record_audit(user, "bot.settings_saved", config, threshold=confidence_threshold,
                     inboxes_changed=sorted(changed))
    return config
