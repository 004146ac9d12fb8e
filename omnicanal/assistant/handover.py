"""The bot's handover: the conversation leaves the bot with an internal note that tells the
agent who takes it what the customer asked, which articles the bot tried (with retrieval's
confidence) and why it handed over, so that the customer never has to repeat themselves."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from omnicanal.assistant.models import BotTurn
from omnicanal.conversations.actions import hand_over_from_bot
from omnicanal.conversations.models import Conversation, Direction, Message

# How many of the customer's messages the note quotes (the latest ones).
QUOTED_MESSAGES = 10
QUOTE_LENGTH = 500


def reason_text(reason: str) -> str:
    return {
        "asked_for_human": gettext("the customer asked for a person"),
        "asked_for_callback": gettext("the customer asked to be called back"),
        "asked_for_email": gettext("the customer asked for an answer by e-mail"),
        "not_helped": gettext("the bot's answer did not help"),
        "low_confidence": gettext("no article answered with enough confidence"),
    }.get(reason, reason)


def choice_text(choice: str) -> str:
    return {
        "human": gettext("the customer chose to talk to a person"),
        "callback": gettext("the customer chose to be called back"),
        "answer_by_email": gettext("the customer chose an answer by e-mail"),
    }.get(choice, choice)


def summary(
    conversation: Conversation, reason: str, language: str, choice: str = ""
) -> tuple[str, dict[str, object]]:
    """The note's text (in the team's language) and its structured details."""
    asked = list(
        Message.objects.filter(conversation=conversation, direction=Direction.INCOMING)
        .order_by("-created_at", "-pk").values_list("text", flat=True)[:QUOTED_MESSAGES]
    )[::-1]
    tried: dict[object, dict[str, object]] = {}
    for turn in BotTurn.objects.filter(conversation=conversation).order_by("created_at", "pk"):
        for passage in turn.passages:
            key = passage.get("article_id") or passage.get("url")
            known = tried.get(key)
            if known is None or float(str(known["confidence"])) < float(passage["confidence"]):
                tried[key] = passage
    with translation.override(settings.LANGUAGE_CODE):
        why = reason_text(reason) + (f"; {choice_text(choice)}" if choice else "")
        lines = [gettext("Handed over by the bot: %(reason)s.") % {"reason": why},
                 "", gettext("The customer asked:")]
        lines += [f"- {text.strip()[:QUOTE_LENGTH]}" for text in asked if text.strip()]
        lines.append("")
        if tried:
            lines.append(gettext("Articles the bot tried:"))
            lines += [
                gettext("- %(title)s (confidence %(confidence)s) %(url)s") % {
                    "title": p["title"], "confidence": f"{float(str(p['confidence'])):.2f}",
                    "url": p["url"],
                }
                for p in tried.values()
            ]
        else:
            lines.append(gettext("The bot tried no article."))
        lines.append("")
        lines.append(gettext("Customer's language: %(language)s") % {"language": language})
    details: dict[str, object] = {"asked": asked, "articles": list(tried.values()),
                                  "language": language, "choice": choice}
    return "\n".join(lines), details


def hand_over(
    conversation: Conversation, *, reason: str, language: str, choice: str = "",
    bot_name: str = "",
) -> Message | None:
    """Give the conversation to the team (routing queues it as a new arrival)."""
    text, details = summary(conversation, reason, language, choice)
    return hand_over_from_bot(conversation.pk, text, reason=reason, details=details,
                              bot_name=bot_name)
