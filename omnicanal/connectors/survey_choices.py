"""A survey's choices on channels that show buttons or lists. The surveys app stores them in
the outgoing message's metadata["survey"]; `build_outbound` hands them to the adapter in
`OutboundMessage.extra`, and each adapter renders them in its provider's form (a WhatsApp
list, Messenger quick replies, a Telegram inline keyboard) or sends the text alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from omnicanal.connectors.base import OutboundMessage

if TYPE_CHECKING:
    from omnicanal.conversations.models import Message

SURVEY_EXTRA = "survey_choices"
BUTTON_EXTRA = "survey_button"
CHOICE_PREFIX = "survey:"


@dataclass(frozen=True)
class Choice:
    id: str
    title: str


def with_survey_choices(message: Message, outbound: OutboundMessage) -> OutboundMessage:
    survey = (message.metadata or {}).get("survey")
    if not isinstance(survey, Mapping):
        return outbound
    choices = tuple(
        Choice(str(choice.get("id", "")), str(choice.get("title", "")))
        for choice in survey.get("choices") or [] if isinstance(choice, Mapping)
    )
    if not choices or not all(choice.id and choice.title for choice in choices):
        return outbound
    return replace(outbound, extra={
        **outbound.extra, SURVEY_EXTRA: choices, BUTTON_EXTRA: str(survey.get("button", "")),
    })


def survey_choices(outbound: OutboundMessage) -> tuple[Choice, ...]:
    choices: Any = outbound.extra.get(SURVEY_EXTRA) or ()
    return tuple(choice for choice in choices if isinstance(choice, Choice))


def title_from_choice_id(choice_id: str) -> str:
    """A survey choice's title from its id ("survey:<token>:<score>" → "<score>"), for a
    reply that came back without the title; "" for any other id."""
    if not choice_id.startswith(CHOICE_PREFIX):
        return ""
    score = choice_id.rsplit(":", 1)[-1]
    return score if score.isdigit() else ""
