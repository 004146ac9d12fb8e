"""Replies the product asked for: a customer answering a survey question after the
conversation was resolved is not asking for help again. An app above conversations (the
surveys) registers a claim at start-up; ingest() asks the claims about a message that would
reopen a resolved conversation, and a claimed one joins that conversation without reopening
it or making the team owe an answer. The claimant handles it from the `message.created`
event, whose payload names it (`claimed_by`)."""

from __future__ import annotations

from collections.abc import Callable

from omnicanal.conversations.inbound import InboundMessage
from omnicanal.conversations.models import Conversation

# Answers whether the message answers something the claimant asked on this conversation.
ReplyClaim = Callable[[Conversation, InboundMessage], bool]

_claims: dict[str, ReplyClaim] = {}


def register(name: str, claim: ReplyClaim) -> None:
    """Call from an AppConfig.ready(); `name` is what `claimed_by` carries."""
    _claims[name] = claim


def claimant(conversation: Conversation, inbound: InboundMessage) -> str:
    """The name of the first claim that takes this message, or ""."""
    for name, claim in _claims.items():
        if claim(conversation, inbound):
            return name
    return ""
