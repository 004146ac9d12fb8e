"""Conversations with their facts, as the `journeys` handlers would have written them, for the
reports' tests (the reports read facts only)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.analytics.models import ConversationFact
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import Conversation, Inbox

_numbers = itertools.count(1)


def make_conversation(
    inbox: Inbox, created_at: dt.datetime, *, agent: User | None = None,
    team: Team | None = None, topic: str = "", first_response_s: float | None = None,
    resolution_s: float | None = None, handle_s: float | None = None,
    customer_messages: int = 1, agent_messages: int = 1, is_abandoned: bool = False,
) -> ConversationFact:
    number = next(_numbers)
    contact = Contact.objects.create(name=f"Client {number}")
    conversation = Conversation.objects.create(
        inbox=inbox, contact=contact, assignee=agent, team=team, last_activity_at=created_at
    )
    Conversation.objects.filter(pk=conversation.pk).update(created_at=created_at)
    resolved_at = created_at + dt.timedelta(seconds=resolution_s) if resolution_s else None
    return ConversationFact.objects.create(
        conversation=conversation, contact=contact, inbox=inbox, channel=inbox.channel,
        team=team, agent=agent, topic=topic, created_at=created_at,
        first_response_s=first_response_s, resolution_s=resolution_s, resolved_at=resolved_at,
        is_resolved=resolved_at is not None, is_abandoned=is_abandoned,
        customer_messages=customer_messages, agent_messages=agent_messages, handle_s=handle_s,
    )


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`hour` o'clock on `day`, in the reports' time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
