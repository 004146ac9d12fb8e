"""Journey facts: the contact events every channel produces, and what each conversation's
journey measured (ConversationFact), by the definitions of the `analytics_eval` contract.

`conversation_facts()` is the one computation of a conversation's facts: the outbox handlers,
`rebuild_analytics` and `analytics_eval` all call it through `refresh_facts()`, so the figures a
report shows are the figures the contract checks.

Rules this module decides (documented here because a reader of a report needs them):
- An outgoing message counts as an agent message when a person sent it (from the workspace or,
  for an echo, from the provider's own app); automatic replies and bot answers do not, so they
  never count as a first response.
- A customer message that a reply claim took (a survey answer to a resolved conversation) is a
  survey answer, not a new contact: it is not recorded as a customer message.
- Abandoned: a web chat (or a call) resolved while the customer had written and nobody
  (neither an agent nor the bot) had answered: the visitor waited in the queue and the
  conversation was closed without an answer.
- Handle time: for each agent message, the time since the message before it (whoever wrote
  it), counting at most HANDLE_GAP_CAP_S: an estimate of the time the agent spent reading and
  writing, that a reply the next morning does not inflate. Null without agent messages.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from omnicanal.analytics.models import ContactEvent, ConversationFact, EventType
from omnicanal.conversations.models import Conversation, Direction, Message, OutboxEvent, Status

REPEAT_WINDOW = dt.timedelta(seconds=604_800)
HANDLE_GAP_CAP_S = 600.0
SURVEY_KINDS = ("csat", "nps", "ces")
STATUS_TYPES = (EventType.RESOLVED, EventType.REOPENED)
# The channels with a live queue the customer can walk away from.
QUEUE_CHANNELS = ("webchat", "voice")


@dataclass(frozen=True)
class JourneyEvent:
    type: str
    at: dt.datetime


@dataclass(frozen=True)
class OtherConversation:
    """Another conversation of the same contact, as far as repeats are concerned."""

    created_at: dt.datetime
    topic: str
    channel: str


@dataclass
class Facts:
    first_response_s: float | None = None
    resolution_s: float | None = None
    resolved_at: dt.datetime | None = None
    is_resolved: bool = False
    was_reopened: bool = False
    is_abandoned: bool = False
    has_repeat_7d: bool = False
    repeat_switched_channel: bool | None = None
    is_fcr: bool = False
    had_bot: bool = False
    customer_messages: int = 0
    agent_messages: int = 0
    bot_messages: int = 0
    handle_s: float | None = None
    scores: dict[str, int | None] = field(default_factory=dict)


def conversation_facts(
    events: Sequence[JourneyEvent],
    created_at: dt.datetime,
    topic: str,
    channel: str,
    others: Iterable[OtherConversation],
    surveys: Iterable[tuple[str, int | None]] = (),
) -> Facts:
    """What one conversation's journey measured.

    `events` in their recorded order (ties in time keep it: the sort is stable), `others` the
    contact's other conversations in creation order (ties keep it), `surveys` its answers as
    (kind, score) oldest first: the latest answer of a kind is the conversation's score."""
    ordered = sorted(events, key=lambda event: event.at)
    facts = Facts()
    first_customer: int | None = None
    for index, event in enumerate(ordered):
        if event.type == EventType.CUSTOMER_MESSAGE:
            facts.customer_messages += 1
            if first_customer is None:
                first_customer = index
        elif event.type == EventType.AGENT_MESSAGE:
            facts.agent_messages += 1
            if first_customer is not None and facts.first_response_s is None:
                facts.first_response_s = _seconds(ordered[first_customer].at, event.at)
        elif event.type == EventType.BOT_MESSAGE:
            facts.bot_messages += 1
        elif event.type == EventType.REOPENED:
            facts.was_reopened = True
        elif event.type == EventType.ABANDONED:
            facts.is_abandoned = True
    facts.had_bot = facts.bot_messages > 0 or any(
        event.type == EventType.HANDED_OVER for event in ordered
    )
    statuses = [event for event in ordered if event.type in STATUS_TYPES]
    if statuses and statuses[-1].type == EventType.RESOLVED:
        facts.is_resolved = True
        facts.resolved_at = statuses[-1].at
        facts.resolution_s = _seconds(created_at, statuses[-1].at)
    repeats = [
        other for other in others
        if other.topic == topic
        and dt.timedelta(0) < other.created_at - created_at <= REPEAT_WINDOW
    ]
    if repeats:
        # min() keeps the first of equal times: the creation order breaks ties.
        following = min(repeats, key=lambda other: other.created_at)
        facts.has_repeat_7d = True
        facts.repeat_switched_channel = following.channel != channel
    facts.is_fcr = facts.is_resolved and not facts.was_reopened and not facts.has_repeat_7d
    facts.handle_s = _handle_seconds(ordered)
    for kind, score in surveys:
        facts.scores[kind] = score
    return facts


def _seconds(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds()


MESSAGE_TYPES = (EventType.CUSTOMER_MESSAGE, EventType.AGENT_MESSAGE, EventType.BOT_MESSAGE)


def _handle_seconds(ordered: Sequence[JourneyEvent]) -> float | None:
    messages = [event for event in ordered if event.type in MESSAGE_TYPES]
    total: float | None = None
    for before, message in itertools.pairwise(messages):
        if message.type == EventType.AGENT_MESSAGE:
            total = (total or 0.0) + min(_seconds(before.at, message.at), HANDLE_GAP_CAP_S)
    if total is None and any(event.type == EventType.AGENT_MESSAGE for event in messages):
        # Agent messages with nothing before them (an outreach): they took some time all
        # the same, which a null would hide; count them as nothing measurable.
        total = 0.0
    return total


# --- the database side -----------------------------------------------------------------------


def conversation_topic(conversation: Conversation) -> str:
    """Its first label's name (the first added), else its triaged intent."""
    return _topics([conversation])[conversation.pk]


def record_contact_event(
    conversation: Conversation, type: str, at: dt.datetime, source_key: str
) -> bool:
    """Record one event of the conversation's journey once per source key; True when new."""
    _, created = ContactEvent.objects.get_or_create(
        source_key=source_key,
        defaults={
            "contact_id": conversation.contact_id,
            "conversation": conversation,
            "channel": conversation.inbox.channel,
            "type": type,
            "at": at,
        },
    )
    return created


def _topics(conversations: Iterable[Conversation]) -> dict[int, str]:
    """Topics of many conversations in two queries (labels, first added first)."""
    conversations = list(conversations)
    through = Conversation.labels.through
    first_label: dict[int, str] = {}
    rows = (
        through.objects.filter(conversation_id__in=[c.pk for c in conversations])
        .order_by("pk")
        .values_list("conversation_id", "label__name")
    )
    for conversation_id, name in rows:
        first_label.setdefault(conversation_id, name)
    return {c.pk: first_label.get(c.pk, c.intent) for c in conversations}


def refresh_facts(
    conversation_ids: Iterable[int],
    *,
    channel_of: Callable[[Conversation], str] | None = None,
) -> int:
    """(Re)compute the facts of these conversations and of the same contacts' conversations
    created up to 7 days before them (a new conversation can make those repeats). Returns how
    many facts were written. `channel_of` says what a channel switch compares (the inboxes'
    channel kind by default: two e-mail inboxes are one channel to a customer)."""
    ids = set(conversation_ids)
    if not ids:
        return 0
    targets = list(Conversation.objects.filter(pk__in=ids).only("contact_id", "created_at"))
    contact_ids = {c.contact_id for c in targets}
    earliest = min(c.created_at for c in targets) - REPEAT_WINDOW
    latest = max(c.created_at for c in targets) + REPEAT_WINDOW
    # Every conversation of these contacts around those times: the ones to refresh and the
    # ones their repeats are looked for among.
    neighbours = list(
        Conversation.objects.filter(
            contact_id__in=contact_ids, created_at__gte=earliest, created_at__lte=latest,
        )
        .select_related("inbox", "contact")
        .order_by("created_at", "pk")
    )
    topics = _topics(neighbours)
    refresh = [
        c for c in neighbours
        if c.pk in ids or any(
            t.contact_id == c.contact_id
            and dt.timedelta(0) <= t.created_at - c.created_at <= REPEAT_WINDOW
            for t in targets
        )
    ]
    _write_facts(refresh, neighbours, topics, channel_of or _channel_kind)
    return len(refresh)


def _channel_kind(conversation: Conversation) -> str:
    return conversation.inbox.channel


def _write_facts(
    conversations: Sequence[Conversation],
    neighbours: Sequence[Conversation],
    topics: dict[int, str],
    channel_of: Callable[[Conversation], str],
) -> None:
    ids = [c.pk for c in conversations]
    events: dict[int, list[JourneyEvent]] = {pk: [] for pk in ids}
    for conversation_id, type, at in (
        ContactEvent.objects.filter(conversation_id__in=ids)
        .order_by("at", "pk")
        .values_list("conversation_id", "type", "at")
    ):
        events[conversation_id].append(JourneyEvent(type, at))
    surveys = _survey_answers(ids)
    by_contact: dict[int, list[Conversation]] = {}
    for other in neighbours:
        by_contact.setdefault(other.contact_id, []).append(other)
    rows = []
    for conversation in conversations:
        others = [
            OtherConversation(o.created_at, topics[o.pk], channel_of(o))
            for o in by_contact[conversation.contact_id] if o.pk != conversation.pk
        ]
        facts = conversation_facts(
            events[conversation.pk], conversation.created_at, topics[conversation.pk],
            channel_of(conversation), others, surveys.get(conversation.pk, []),
        )
        rows.append(_fact_row(conversation, topics[conversation.pk], facts))
    with transaction.atomic():
        ConversationFact.objects.filter(conversation_id__in=ids).delete()
        ConversationFact.objects.bulk_create(rows, batch_size=500)


def _survey_answers(conversation_ids: Sequence[int]) -> dict[int, list[tuple[str, int | None]]]:
    from omnicanal.surveys.models import SurveyResponse

    answers: dict[int, list[tuple[str, int | None]]] = {}
    for conversation_id, kind, score in (
        SurveyResponse.objects.filter(conversation_id__in=conversation_ids)
        .order_by("answered_at", "pk")
        .values_list("conversation_id", "kind", "score")
    ):
        answers.setdefault(conversation_id, []).append((kind, score))
    return answers


def _fact_row(conversation: Conversation, topic: str, facts: Facts) -> ConversationFact:
    return ConversationFact(
        conversation=conversation,
        contact_id=conversation.contact_id,
        inbox_id=conversation.inbox_id,
        channel=conversation.inbox.channel,
        team_id=conversation.team_id,
        agent_id=conversation.assignee_id,
        segment=conversation.contact.value_tier,
        topic=topic[:100],
        created_at=conversation.created_at,
        first_response_s=facts.first_response_s,
        resolution_s=facts.resolution_s,
        resolved_at=facts.resolved_at,
        is_resolved=facts.is_resolved,
        was_reopened=facts.was_reopened,
        is_abandoned=facts.is_abandoned,
        has_repeat_7d=facts.has_repeat_7d,
        repeat_switched_channel=facts.repeat_switched_channel,
        is_fcr=facts.is_fcr,
        had_bot=facts.had_bot,
        customer_messages=facts.customer_messages,
        agent_messages=facts.agent_messages,
        bot_messages=facts.bot_messages,
        handle_s=facts.handle_s,
        csat=facts.scores.get("csat"),
        nps=facts.scores.get("nps"),
        ces=facts.scores.get("ces"),
    )


# --- from domain events ----------------------------------------------------------------------


def message_event_type(message: Message) -> str | None:
    """What a stored message is in the journey, or None when it is not a contact."""
    if message.direction == Direction.INCOMING:
        if message.metadata.get("claimed_by"):
            return None
        return EventType.CUSTOMER_MESSAGE
    if message.direction == Direction.OUTGOING:
        if message.is_bot:
            return EventType.BOT_MESSAGE
        if message.is_auto_reply:
            return None
        return EventType.AGENT_MESSAGE
    return None


def message_time(message: Message) -> dt.datetime:
    """When the customer wrote (the provider's time when it gave one), or when the agent or
    the bot wrote: not when the send task delivered it, which comes later and would make a
    rebuild disagree with what the handler recorded."""
    if message.direction == Direction.INCOMING and message.sent_at is not None:
        return message.sent_at
    return message.created_at


def on_message_created(event: OutboxEvent) -> None:
    payload = event.payload
    if payload.get("direction") not in ("incoming", "outgoing") or payload.get("claimed_by"):
        return
    message = (
        Message.objects.select_related("conversation__inbox")
        .filter(pk=payload.get("message_id")).first()
    )
    if message is None:
        return
    type = message_event_type(message)
    if type is None:
        return
    record_contact_event(
        message.conversation, type, message_time(message), f"message:{message.pk}"
    )
    refresh_facts([message.conversation_id])


def status_event_type(payload: dict[str, object]) -> str | None:
    if payload.get("status") == Status.RESOLVED:
        return EventType.RESOLVED
    if payload.get("reopened"):
        return EventType.REOPENED
    return None


def on_status_changed(event: OutboxEvent) -> None:
    type = status_event_type(event.payload)
    conversation = _conversation(event)
    if type is None or conversation is None:
        return
    record_contact_event(conversation, type, event.created_at, f"outbox:{event.pk}")
    if type == EventType.RESOLVED:
        record_abandon_if_unanswered(conversation, event.created_at)
    refresh_facts([conversation.pk])


def record_abandon_if_unanswered(conversation: Conversation, at: dt.datetime) -> None:
    """A web chat closed while the customer waited with no answer: abandoned in the queue."""
    if conversation.inbox.channel not in QUEUE_CHANNELS:
        return
    types = set(
        ContactEvent.objects.filter(conversation=conversation).values_list("type", flat=True)
    )
    answered = {EventType.AGENT_MESSAGE, EventType.BOT_MESSAGE} & types
    if EventType.CUSTOMER_MESSAGE in types and not answered:
        record_contact_event(
            conversation, EventType.ABANDONED, at, f"abandoned:{conversation.pk}"
        )


def on_handed_over(event: OutboxEvent) -> None:
    conversation = _conversation(event)
    if conversation is None:
        return
    record_contact_event(
        conversation, EventType.HANDED_OVER, event.created_at, f"outbox:{event.pk}"
    )
    refresh_facts([conversation.pk])


def on_survey_answered(event: OutboxEvent) -> None:
    conversation = _conversation(event)
    if conversation is None:
        return
    record_contact_event(
        conversation, EventType.SURVEY_ANSWERED, event.created_at, f"outbox:{event.pk}"
    )
    refresh_facts([conversation.pk])


def on_conversation_changed(event: OutboxEvent) -> None:
    """A new conversation (it may make earlier ones repeats), a label or intent (the topic)."""
    if event.kind == "conversation.updated" and event.payload.get("change") != "labels":
        return
    if event.conversation_id is not None:
        refresh_facts([event.conversation_id])


def _conversation(event: OutboxEvent) -> Conversation | None:
    if event.conversation_id is None:
        return None
    return (
        Conversation.objects.select_related("inbox")
        .filter(pk=event.conversation_id).first()
    )


# --- rebuilding from history -----------------------------------------------------------------

HISTORY_KINDS = ("message.created", "conversation.status_changed", "conversation.handed_over",
                 "survey.answered")


def rebuild_conversations(conversation_ids: Sequence[int]) -> int:
    """Record again the contact events of these conversations from their messages and their
    outbox history, exactly as the handlers did (same source keys, same times), then their
    facts. Returns how many contact events they now have."""
    conversations = {
        c.pk: c for c in Conversation.objects.filter(pk__in=conversation_ids)
        .select_related("inbox")
    }
    history = list(
        OutboxEvent.objects.filter(conversation_id__in=conversations, kind__in=HISTORY_KINDS)
        .order_by("pk")
    )
    claimed = {
        event.payload.get("message_id") for event in history
        if event.kind == "message.created" and event.payload.get("claimed_by")
    }
    rows: list[ContactEvent] = []

    def add(conversation: Conversation, type: str, at: dt.datetime, key: str) -> None:
        rows.append(ContactEvent(
            contact_id=conversation.contact_id, conversation=conversation,
            channel=conversation.inbox.channel, type=type, at=at, source_key=key,
        ))

    for message in Message.objects.filter(
        conversation_id__in=conversations, direction__in=[Direction.INCOMING, Direction.OUTGOING]
    ).order_by("pk"):
        type = message_event_type(message)
        if type is not None and message.pk not in claimed:
            add(conversations[message.conversation_id], type, message_time(message),
                f"message:{message.pk}")
    for event in history:
        conversation = conversations[event.conversation_id or 0]
        if event.kind == "conversation.status_changed":
            status = status_event_type(event.payload)
            if status is not None:
                add(conversation, status, event.created_at, f"outbox:{event.pk}")
        elif event.kind == "conversation.handed_over":
            add(conversation, EventType.HANDED_OVER, event.created_at, f"outbox:{event.pk}")
        elif event.kind == "survey.answered":
            add(conversation, EventType.SURVEY_ANSWERED, event.created_at, f"outbox:{event.pk}")
    rows.extend(_abandons(conversations, rows))
    with transaction.atomic():
        ContactEvent.objects.filter(conversation_id__in=conversations).delete()
        ContactEvent.objects.bulk_create(rows, batch_size=1000)
        refresh_facts(conversations)
    return len(rows)


def _abandons(
    conversations: dict[int, Conversation], rows: Sequence[ContactEvent]
) -> list[ContactEvent]:
    """The handlers' abandon rule replayed: at a resolution of a web chat, the customer had
    written and nobody had answered yet."""
    found = []
    by_conversation: dict[int, list[ContactEvent]] = {}
    for row in rows:
        by_conversation.setdefault(row.conversation_id or 0, []).append(row)
    for conversation_id, events in by_conversation.items():
        conversation = conversations[conversation_id]
        if conversation.inbox.channel not in QUEUE_CHANNELS:
            continue
        for resolved in (e for e in events if e.type == EventType.RESOLVED):
            before = {e.type for e in events if e.at <= resolved.at and e is not resolved}
            answered = {EventType.AGENT_MESSAGE, EventType.BOT_MESSAGE} & before
            if EventType.CUSTOMER_MESSAGE in before and not answered:
                found.append(ContactEvent(
                    contact_id=conversation.contact_id, conversation=conversation,
                    channel=conversation.inbox.channel, type=EventType.ABANDONED,
                    at=resolved.at, source_key=f"abandoned:{conversation.pk}",
                ))
                break
    return found
