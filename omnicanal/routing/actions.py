"""Every routing state change: agents' setup and presence, queueing, the dispatcher, release.

Concurrency. The dispatcher (`assign_waiting`) never waits for a row lock: on PostgreSQL it
locks the agent's profile, the conversation and its routing row with `FOR UPDATE SKIP LOCKED`,
so two dispatchers running at once take different rows and cannot deadlock; it adds to an
agent's load with a conditional UPDATE (`load < capacity`) under the profile lock, so one free
slot is never filled twice; and it assigns with a conditional UPDATE (still waiting), so one
conversation is never assigned twice. Every other change of an agent's load (release, manual
assignment) waits for the profile lock first. On SQLite the IMMEDIATE transactions set in
settings serialise writers, and the conditional UPDATEs alone keep the same guarantees.

Every action takes `now`, so that the simulation replays a scenario on its own clock.
"""

from __future__ import annotations

import datetime as dt
import enum
import heapq
import logging
import math
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations import actions as conversation_actions
from omnicanal.conversations.events import push_realtime
from omnicanal.conversations.models import Conversation, Inbox, Status
from omnicanal.core.exceptions import InvalidInput
from omnicanal.routing import statements
from omnicanal.routing.models import (
    WAITING,
    AgentCapacity,
    AgentProfile,
    ConversationRouting,
    Mode,
    Presence,
    RoutingPolicy,
    Skills,
    has_required_skills,
    routing_channel,
    skills_key,
)
from omnicanal.routing.statements import Group, Policy, Waiting

logger = logging.getLogger(__name__)

# A sweep that skipped rows locked by another dispatcher runs again (after its commit, the
# other's rows are settled), at most this many times; the periodic sweep covers the rest.
DISPATCH_MAX_ROUNDS = 3
# The dispatcher reads the queue and the candidate agents in pages: most sweeps stop at the
# first page, and a page bounds the work when the head of the queue fits no free agent.
CONVERSATION_PAGE = 50
AGENT_PAGE = 32
# Groups no free agent fits are left out of the next page's SQL, up to this many.
MAX_EXCLUDED_GROUPS = 20


class _FromConversation(enum.Enum):
    TOKEN = 0


# "Take it from the conversation", where None would mean "none" (no team).
FROM_CONVERSATION = _FromConversation.TOKEN


@dataclass(frozen=True)
class Assignment:
    conversation_id: int
    agent_id: int
    channel: str
    assigned_at: dt.datetime


# Checking input.


def validate_channel(channel: object) -> str:
    if not isinstance(channel, str) or not channel or len(channel) > 20:
        raise InvalidInput(
            _("A channel kind is a name of 1 to 20 characters, not %(channel)s."),
            channel=repr(channel),
        )
    return channel


def validate_skills(skills: object, what: str | Promise) -> dict[str, float]:
    if not isinstance(skills, Mapping):
        raise InvalidInput(_("%(what)s must map skill names to levels."), what=what)
    checked: dict[str, float] = {}
    for name, level in skills.items():
        is_number = isinstance(level, int | float) and not isinstance(level, bool)
        if not isinstance(name, str) or not name or not is_number or not math.isfinite(level):
            raise InvalidInput(
                _("%(what)s: %(name)s needs a numeric level, not %(level)s."),
                what=what, name=repr(name), level=repr(level),
            )
        checked[name] = level
    return checked


def validate_capacity(capacity: object) -> dict[str, int]:
    if not isinstance(capacity, Mapping):
        raise InvalidInput(_("Capacity must map channel kinds to numbers of conversations."))
    checked: dict[str, int] = {}
    for channel, slots in capacity.items():
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 0:
            raise InvalidInput(
                _("Capacity for %(channel)s must be a whole number ≥ 0."), channel=repr(channel)
            )
        checked[validate_channel(channel)] = slots
    return checked


def validate_priority(priority: object) -> int:
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 4:
        raise InvalidInput(
            _("Priority goes from 1 (most urgent) to 4, not %(priority)s."),
            priority=repr(priority),
        )
    return priority


# Setup and presence.


def default_capacity() -> dict[str, int]:
    """What a new agent takes at once per kind of work (`ROUTING_DEFAULT_CAPACITY`)."""
    return validate_capacity(settings.ROUTING_DEFAULT_CAPACITY)


def _locked_profile(agent_id: int) -> AgentProfile:
    """The agent's profile, locked until the transaction ends; created offline, with the
    default capacity, if missing. However the agent was made (invited, the first-run setup,
    the admin, a command), routing sees them here first: none is left able to take nothing."""
    profile = AgentProfile.objects.select_for_update().filter(pk=agent_id).first()
    if profile is None:
        _profile, created = AgentProfile.objects.get_or_create(agent_id=agent_id)
        if created:
            now = timezone.now()
            AgentCapacity.objects.bulk_create(
                AgentCapacity(profile_id=agent_id, channel=channel, capacity=slots,
                              became_idle_at=now)
                for channel, slots in default_capacity().items()
            )
        profile = AgentProfile.objects.select_for_update().get(pk=agent_id)
    return profile


def _dispatch_on_commit(
    *, conversation_ids: Collection[int] | None = None, agent_ids: Collection[int] | None = None
) -> None:
    # robust: the change is committed whatever happens to the dispatch; a failed dispatch is
    # logged, and the next trigger or the periodic sweep assigns what waits.
    transaction.on_commit(
        lambda: assign_waiting(conversation_ids=conversation_ids, agent_ids=agent_ids),
        robust=True,
    )


def configure_agent(
    agent: User,
    *,
    capacity: Mapping[str, int],
    skills: Skills | None = None,
    now: dt.datetime | None = None,
    dispatch: bool = True,
    actor: User | None = None,
) -> AgentProfile:
    """Set how many conversations of each channel kind the agent takes at once, and their
    skills. A channel kind left out means a capacity of 0; what the agent holds on it stays
    theirs. With an `actor` (a person in the settings), an administrator only, and audited."""
    if actor is not None:
        require_administrator(actor)
    checked_capacity = validate_capacity(capacity)
    checked_skills = validate_skills(skills or {}, _("Skills"))
    now = now or timezone.now()
    with transaction.atomic():
        profile = _locked_profile(agent.pk)
        profile.skills = checked_skills
        profile.save(update_fields=["skills"])
        existing = {row.channel: row for row in profile.capacities.all()}
        for channel, row in existing.items():
            if channel not in checked_capacity and row.capacity != 0:
                row.capacity = 0
                row.save(update_fields=["capacity"])
        # A new channel kind shares the agent's idle time with the others.
        became_idle_at = next((row.became_idle_at for row in existing.values()), now)
        for channel, slots in checked_capacity.items():
            if channel not in existing:
                AgentCapacity.objects.create(
                    profile=profile, channel=channel, capacity=slots,
                    is_available=_is_available(agent, profile.presence),
                    became_idle_at=became_idle_at,
                )
            elif existing[channel].capacity != slots:
                existing[channel].capacity = slots
                existing[channel].save(update_fields=["capacity"])
        if actor is not None:
            record_audit(actor, "agent.routing_configured", agent,
                         capacity=checked_capacity, skills=checked_skills)
        if dispatch:
            _dispatch_on_commit(agent_ids=[agent.pk])
    return profile


def _is_available(agent: User, presence: str) -> bool:
    return agent.is_active and presence == Presence.ONLINE


PRESENCE_CHANGED = "agent.presence_changed"


def set_presence(
    agent: User,
    presence: Presence | str,
    *,
    now: dt.datetime | None = None,
    dispatch: bool = True,
) -> AgentProfile:
    """Online agents receive conversations; away or offline ones keep what they hold and get
    nothing new. Coming online counts as becoming idle for the longest-idle policy.
    Deactivating an agent should set them offline too."""
    if presence not in Presence.values:
        raise InvalidInput(
            _("Presence is one of %(allowed)s, not %(presence)s."),
            allowed=", ".join(Presence.values), presence=repr(presence),
        )
    with transaction.atomic():
        profile = _locked_profile(agent.pk)
        _change_presence(agent, profile, presence, now=now or timezone.now(), dispatch=dispatch)
    return profile


def take_offline_if_deactivated(agent: User) -> None:
    """A deactivated agent gets nothing new: offline, keeping what they hold (a supervisor
    reassigns it). Called when an account is saved (`apps.RoutingConfig.ready`): accounts sit
    below routing and cannot call it."""
    if agent.is_active:
        return
    with transaction.atomic():
        profile = AgentProfile.objects.select_for_update().filter(pk=agent.pk).first()
        if profile is not None:
            _change_presence(agent, profile, Presence.OFFLINE, now=timezone.now())


def away_for_inactivity(agent: User, *, now: dt.datetime | None = None) -> AgentProfile:
    """The workspace saw no activity for a while: an online agent turns away, and comes back
    with `back_from_inactivity`. Any other presence was chosen and stays."""
    with transaction.atomic():
        profile = _locked_profile(agent.pk)
        if profile.presence == Presence.ONLINE:
            _change_presence(agent, profile, Presence.AWAY, now=now or timezone.now(),
                             for_inactivity=True)
    return profile


def back_from_inactivity(agent: User, *, now: dt.datetime | None = None) -> AgentProfile:
    """Activity again: online, but only if the away was automatic (an agent who chose away,
    or went offline since, is not put back to work by moving the mouse)."""
    with transaction.atomic():
        profile = _locked_profile(agent.pk)
        if profile.presence == Presence.AWAY and profile.is_away_for_inactivity:
            _change_presence(agent, profile, Presence.ONLINE, now=now or timezone.now())
    return profile


def _change_presence(
    agent: User,
    profile: AgentProfile,
    presence: str,
    *,
    now: dt.datetime,
    dispatch: bool = True,
    for_inactivity: bool = False,
) -> None:
    """The one place presence changes; the caller holds the profile lock."""
    if profile.presence == presence and profile.is_away_for_inactivity == for_inactivity:
        return
    if profile.presence != presence:
        profile.presence_changed_at = now
    profile.presence = presence
    profile.is_away_for_inactivity = for_inactivity
    profile.save(update_fields=["presence", "presence_changed_at", "is_away_for_inactivity"])
    slots = profile.capacities.all()
    if presence == Presence.ONLINE:
        slots.update(is_available=agent.is_active, became_idle_at=now)
    else:
        slots.update(is_available=False)
    if dispatch and presence == Presence.ONLINE:
        _dispatch_on_commit(agent_ids=[agent.pk])
    # Not a conversation's event, so no outbox row: a supervisor's page that misses this push
    # shows the presence on its next refresh.
    message = {
        "type": "omnicanal.event",
        "event": {"kind": PRESENCE_CHANGED, "agent_id": agent.pk, "presence": presence},
    }
    transaction.on_commit(lambda: push_realtime(message))


def set_policy(
    *,
    mode: Mode | str,
    has_value_priority: bool = True,
    team: Team | None = None,
    inbox: Inbox | None = None,
) -> RoutingPolicy:
    """The policy of a team, of an inbox, or the global one (neither given). Waiting
    conversations it covers are re-ranked for value at once."""
    if mode not in Mode.values:
        raise InvalidInput(
            _("Mode is one of %(allowed)s, not %(mode)s."),
            allowed=", ".join(Mode.values), mode=repr(mode),
        )
    if team is not None and inbox is not None:
        raise InvalidInput(_("A policy applies to a team or to an inbox, not both."))
    with transaction.atomic():
        policy = RoutingPolicy.objects.select_for_update().filter(team=team, inbox=inbox).first()
        if policy is None:
            policy = RoutingPolicy(team=team, inbox=inbox)
        policy.mode = mode
        policy.has_value_priority = has_value_priority
        policy.save()
        _rerank_waiting()
        _dispatch_on_commit()
    return policy


def remove_policy(*, team: Team | None = None, inbox: Inbox | None = None) -> bool:
    """Drop a team's or an inbox's own policy: its conversations follow the next scope's
    (the inbox's, then the global one). False when it had none."""
    if team is None and inbox is None:
        raise InvalidInput(_("The global policy can be changed, not removed."))
    with transaction.atomic():
        deleted, _by_model = RoutingPolicy.objects.filter(team=team, inbox=inbox).delete()
        if deleted:
            _rerank_waiting()
            _dispatch_on_commit()
    return bool(deleted)


def _rerank_waiting() -> None:
    policies = _Policies(statements.policies())
    ranks: dict[int, list[int]] = {0: [], 1: []}
    waiting = ConversationRouting.objects.filter(WAITING).values_list(
        "pk", "value_tier", "value_rank", "team_id", "conversation__inbox_id"
    )
    for pk, value_tier, current, team_id, inbox_id in waiting:
        rank = _value_rank(value_tier, policies.for_scope(team_id, inbox_id))
        if rank != current:
            ranks[rank].append(pk)
    for rank, pks in ranks.items():
        ConversationRouting.objects.filter(pk__in=pks).update(value_rank=rank)


# The queue.


class _Policies:
    """The policies in force, by scope: a team's wins over an inbox's, which wins over the
    global one; without any saved, longest idle with gold first."""

    def __init__(self, policies: list[Policy]) -> None:
        self.by_team = {p.team_id: p for p in policies if p.team_id is not None}
        self.by_inbox = {p.inbox_id: p for p in policies if p.inbox_id is not None}
        self.default = next(
            (p for p in policies if p.team_id is None and p.inbox_id is None),
            statements.DEFAULT_POLICY,
        )

    def for_scope(self, team_id: int | None, inbox_id: int | None) -> Policy:
        if team_id is not None and team_id in self.by_team:
            return self.by_team[team_id]
        if inbox_id is not None and inbox_id in self.by_inbox:
            return self.by_inbox[inbox_id]
        return self.default


def _value_rank(value_tier: str, policy: Policy) -> int:
    # Stored with the conversation, so that the queue order is one index scan.
    return 0 if policy.has_value_priority and value_tier == ValueTier.GOLD else 1


def _inbox_required_skills(inbox: Inbox) -> Skills:
    """Skills everyone answering this inbox needs (`settings["required_skills"]`, e.g. a German
    line's {"de": 1}). A malformed setting is logged and ignored: it must not stop a
    customer's message from being queued."""
    configured = inbox.settings.get("required_skills") or {}
    try:
        return validate_skills(
            configured, format_lazy(_("Inbox {id}'s required skills"), id=inbox.pk)
        )
    except InvalidInput as exc:
        logger.warning("%s", exc)
        return {}


def enqueue_conversation(
    conversation: Conversation,
    *,
    channel: str | None = None,
    required_skills: Skills | None = None,
    priority: int | None = None,
    value_tier: str | None = None,
    team_id: int | _FromConversation | None = FROM_CONVERSATION,
    now: dt.datetime | None = None,
    dispatch: bool = True,
) -> bool:
    """Queue a conversation for an agent; True if it was queued now. A conversation that is
    waiting or assigned stays as it is; a resolved one is queued again, at the back (a
    customer came back to it).

    Omitted arguments come from the conversation: the channel kind of its inbox, its priority,
    its contact's value tier, its team.
    """
    if channel is None:
        channel = routing_channel(conversation.inbox.channel)
    validate_channel(channel)
    if required_skills is None:
        required_skills = _inbox_required_skills(conversation.inbox)
    skills = validate_skills(required_skills, _("Required skills"))
    priority = validate_priority(conversation.priority if priority is None else priority)
    if value_tier is None:
        value_tier = conversation.contact.value_tier
    if value_tier not in ValueTier.values:
        raise InvalidInput(
            _("Value tier is one of %(allowed)s."), allowed=", ".join(ValueTier.values)
        )
    if isinstance(team_id, _FromConversation):
        team_id = conversation.team_id
    now = now or timezone.now()
    with transaction.atomic():
        state = statements.routing_state(conversation.pk, lock=True)
        if state is not None and not state.is_resolved:
            return False
        policy = _Policies(statements.policies()).for_scope(team_id, conversation.inbox_id)
        fields: dict[str, Any] = {
            "channel": channel,
            "required_skills": skills,
            "skills_key": skills_key(skills),
            "priority": priority,
            "value_tier": value_tier,
            "value_rank": _value_rank(value_tier, policy),
            "team_id": team_id,
            "queued_at": now,
        }
        if state is None:
            statements.insert_routing(conversation.pk, fields)
        else:
            statements.requeue_routing(conversation.pk, fields)
        if dispatch:
            _dispatch_on_commit(conversation_ids=[conversation.pk])
    return True


def follow_conversation(
    conversation: Conversation, *, dispatch: bool = True
) -> ConversationRouting | None:
    """The conversation's priority, team or contact's value tier changed: its routing row
    follows, so that it waits in the right queue at the right place (positions are read from
    the row). A waiting one is then offered to the agents: another team can have a free
    agent, a higher priority can pass others for the next slot. Nothing happens for a
    conversation routing never queued or one resolved. Returns the row, or None."""
    priority = validate_priority(conversation.priority)
    value_tier = conversation.contact.value_tier
    with transaction.atomic():
        routing = (
            ConversationRouting.objects.select_for_update().filter(pk=conversation.pk).first()
        )
        if routing is None or routing.resolved_at is not None:
            return None
        policy = _Policies(statements.policies()).for_scope(
            conversation.team_id, conversation.inbox_id
        )
        wanted = {
            "priority": priority,
            "team_id": conversation.team_id,
            "value_tier": value_tier,
            "value_rank": _value_rank(value_tier, policy),
        }
        changed = [name for name, value in wanted.items() if getattr(routing, name) != value]
        if not changed:
            return routing
        for name in changed:
            setattr(routing, name, wanted[name])
        # The arrival time stays: a conversation moved to another team keeps its seniority.
        routing.save(update_fields=changed)
        if dispatch and routing.is_waiting:
            _dispatch_on_commit(conversation_ids=[conversation.pk])
    return routing


def route_conversation(conversation: Conversation) -> None:
    """A customer waits for an answer: queue the conversation for an agent, or, when it was
    reopened and still has its agent, count it against that agent instead of re-queueing."""
    if enqueue_conversation(conversation) and conversation.assignee_id is not None:
        assign_manually(conversation.pk, conversation.assignee, dispatch=False)


def release(conversation_id: int, *, now: dt.datetime | None = None,
            dispatch: bool = True) -> bool:
    """The conversation is resolved: it frees its agent's slot, or leaves the queue if it was
    still waiting. True if it freed a slot. Idempotent; unknown conversations are ignored."""
    now = now or timezone.now()
    with transaction.atomic():
        state = statements.routing_state(conversation_id, lock=True)
        if state is None or state.is_resolved:
            return False
        statements.mark_resolved(conversation_id, now)
        if state.agent_id is None:
            return False
        statements.lock_profile(state.agent_id)
        statements.free_slot(state.agent_id, state.channel)
        if dispatch:
            _dispatch_on_commit(agent_ids=[state.agent_id])
    return True


def assign_manually(
    conversation_id: int,
    agent: User | None,
    *,
    now: dt.datetime | None = None,
    dispatch: bool = True,
) -> ConversationRouting | None:
    """Record a person's choice of agent: the conversation counts against the new agent's
    load, even beyond capacity (someone decided), and frees the previous agent's slot. None
    puts it back in the queue at its original place.

    Routing keeps count of what it queued only: for a conversation it never queued, or one
    resolved, this does nothing and returns None (conversations from before routing, for
    instance, are not counted)."""
    now = now or timezone.now()
    with transaction.atomic():
        routing = (
            ConversationRouting.objects.select_for_update().filter(pk=conversation_id).first()
        )
        if routing is None or routing.resolved_at is not None:
            return None
        new_agent_id = agent.pk if agent is not None else None
        previous_agent_id = routing.agent_id
        if previous_agent_id == new_agent_id:
            return routing
        # Both agents' profiles, locked in id order so that two transfers cannot deadlock.
        for agent_id in sorted(pk for pk in (routing.agent_id, new_agent_id) if pk is not None):
            _locked_profile(agent_id)
        if routing.agent_id is not None:
            statements.free_slot(routing.agent_id, routing.channel)
        if new_agent_id is not None:
            # A channel kind outside the agent's capacity still counts what they hold on it.
            AgentCapacity.objects.get_or_create(
                profile_id=new_agent_id, channel=routing.channel,
                defaults={"capacity": 0, "became_idle_at": now},
            )
            statements.add_held(new_agent_id, routing.channel)
            statements.mark_idle_since(new_agent_id, now)
        routing.agent_id = new_agent_id
        routing.assigned_at = now if new_agent_id is not None else None
        routing.save(update_fields=["agent", "assigned_at"])
        if dispatch and previous_agent_id is not None:
            _dispatch_on_commit(agent_ids=[previous_agent_id])
        if dispatch and new_agent_id is None:
            _dispatch_on_commit(conversation_ids=[conversation_id])
    return routing


# Reconciliation: `Conversation.assignee` is the truth, routing's rows and counters follow.


@dataclass(frozen=True)
class Reconciled:
    released: int = 0
    reassigned: int = 0
    recounted: int = 0


def reconcile_with_conversations(*, limit: int = 500) -> Reconciled:
    """Bring routing's bookkeeping back in line with the conversations, for the periodic
    sweep: an event handler that failed, or a write that went around the actions, must not
    leave an agent counted for a conversation they do not hold (their slot lost for good) or
    a held conversation still offered to others.

    - a conversation resolved while its routing row is not: released;
    - a routing row whose agent is not the conversation's assignee: moved to the assignee
      (or back to the queue when nobody holds it), as a person's choice is;
    - an agent's load that is not the number of conversations they hold on that channel
      kind: recounted, under the agent's profile lock (every change of a load takes it).
    """
    rows = ConversationRouting.objects.filter(resolved_at__isnull=True)
    resolved = list(
        rows.filter(conversation__status=Status.RESOLVED).values_list("pk", flat=True)[:limit]
    )
    for conversation_id in resolved:
        release(conversation_id)
    disagreeing = list(
        rows.exclude(conversation__status=Status.RESOLVED)
        .filter(
            Q(agent__isnull=True, conversation__assignee__isnull=False)
            | Q(agent__isnull=False, conversation__assignee__isnull=True)
            | (Q(agent__isnull=False) & ~Q(agent=F("conversation__assignee")))
        )
        .values_list("pk", flat=True)[:limit]
    )
    reassigned = 0
    for conversation_id in disagreeing:
        with transaction.atomic():
            conversation = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("assignee").filter(pk=conversation_id).first()
            )
            if conversation is None:
                continue
            routing = assign_manually(conversation.pk, conversation.assignee)
            reassigned += routing is not None
    return Reconciled(released=len(resolved), reassigned=reassigned,
                      recounted=_recount_loads())


def _recount_loads() -> int:
    """Set each load that differs to the conversations the agent holds; returns how many."""
    held = Counter(
        ConversationRouting.objects.filter(agent__isnull=False, resolved_at__isnull=True)
        .values_list("agent_id", "channel")
    )
    recounted = 0
    for capacity in AgentCapacity.objects.only("profile_id", "channel", "load"):
        if capacity.load == held[(capacity.profile_id, capacity.channel)]:
            continue
        with transaction.atomic():
            statements.lock_profile(capacity.profile_id)
            count = ConversationRouting.objects.filter(
                agent_id=capacity.profile_id, channel=capacity.channel, resolved_at__isnull=True
            ).count()
            recounted += AgentCapacity.objects.filter(pk=capacity.pk).exclude(load=count).update(
                load=count
            )
    return recounted


# The dispatcher.


def assign_waiting(
    *,
    now: dt.datetime | None = None,
    conversation_ids: Collection[int] | None = None,
    agent_ids: Collection[int] | None = None,
) -> list[Assignment]:
    """Give waiting conversations to free agents, and return the assignments in the order
    made.

    Conversations are taken in queue order (priority, value, arrival); each goes to the best
    agent under its policy among those eligible: online, holding every required skill at the
    minimum level or above, a member of the conversation's team if it has one, with a free
    slot on its channel kind.

    Without arguments it sweeps everything (call it periodically: it catches what a failed or
    contended dispatch left). After an event, the actions limit it to what the event can have
    made assignable: `conversation_ids` just queued (the free agents who fit them serve the
    queue in order), or `agent_ids` who just freed a slot or came online. That is exact as
    long as every earlier event was followed by a dispatch: then nothing else had a free
    eligible agent. It is also what keeps a sweep cheap when a
    long queue waits for skills that the many free agents lack.
    """
    now = now or timezone.now()
    if conversation_ids is not None and agent_ids is None and _waits_behind_others(
            list(conversation_ids)):
        return _assign_arrivals(list(conversation_ids), now)
    assignments: list[Assignment] = []
    for _round in range(DISPATCH_MAX_ROUNDS):
        with transaction.atomic():
            sweep = _Sweep(now, conversation_ids=conversation_ids, agent_ids=agent_ids)
            sweep.run()
        assignments.extend(sweep.assignments)
        if not sweep.is_contended:
            break
    return assignments


def _assign_arrivals(conversation_ids: list[int], now: dt.datetime) -> list[Assignment]:
    """The dispatch after conversations were queued: the free agents who could take them take
    the head of the queue they fit, which is these conversations unless older or more urgent
    work waits for the same agents.

    In one process nothing else waits for a free agent (each event was followed by its
    dispatch), and this assigns the arrivals as a dispatch limited to them would. With
    several workers it does not: a slot another worker just freed is visible here before
    that worker's own dispatch has filled it, and handing it to the arrival would pass over
    the conversations that were waiting for it."""
    assignments: list[Assignment] = []
    while agent_ids := _free_agents_fitting(conversation_ids):
        made = assign_waiting(now=now, agent_ids=agent_ids)
        if not made:
            # Rows another dispatcher held thrice over: the periodic sweep comes back to them.
            break
        assignments.extend(made)
    return assignments


def _waits_behind_others(conversation_ids: list[int]) -> bool:
    """Whether another conversation may come before these in a queue with free slots. If not,
    whoever takes them passes over nothing, and the dispatch limited to them is exact (the
    usual case, and two queries cheaper)."""
    for channel in statements.free_slots():
        head = statements.queue_page(channel, after=None, excluded=[],
                                     limit=len(conversation_ids))
        if any(waiting.conversation_id not in conversation_ids for waiting in head):
            return True
    return False


def _free_agents_fitting(conversation_ids: list[int]) -> list[int]:
    """For each of these conversations still waiting, the best free agent under its policy
    who fits it (the next call finds the following one, once this one is busy). One agent
    keeps the sweep that follows cheap: it reads the queue for what that agent fits."""
    policies = _Policies(statements.policies())
    agent_ids: dict[int, None] = {}
    for channel in statements.free_slots():
        waiting = statements.queue_page(channel, after=None, excluded=[],
                                        limit=len(conversation_ids),
                                        conversation_ids=conversation_ids)
        for conversation in waiting:
            policy = policies.for_scope(conversation.team_id, conversation.inbox_id)
            if policy.mode == Mode.MANUAL:
                continue
            offset = 0
            while True:
                page = statements.candidate_agents(channel, conversation.team_id, policy,
                                                   limit=AGENT_PAGE, offset=offset)
                best = next((agent_id for agent_id, skills in page
                             if has_required_skills(skills, conversation.required_skills)),
                            None)
                if best is not None:
                    agent_ids[best] = None
                if best is not None or len(page) < AGENT_PAGE:
                    break
                offset += AGENT_PAGE
    return list(agent_ids)


class _Outcome(enum.Enum):
    ASSIGNED = "assigned"
    NO_AGENT = "no agent"
    SKIPPED = "skipped"
    HELD = "held by a person"


class _Sweep:
    """One pass over the queue, in one transaction."""

    def __init__(
        self,
        now: dt.datetime,
        *,
        conversation_ids: Collection[int] | None,
        agent_ids: Collection[int] | None,
    ) -> None:
        self.now = now
        self.conversation_ids = list(conversation_ids) if conversation_ids is not None else None
        self.agent_ids = list(agent_ids) if agent_ids is not None else None
        self.assignments: list[Assignment] = []
        # Set when a row was skipped because another transaction held it.
        self.is_contended = False
        self._policies: _Policies | None = None
        self.free_slots: dict[str, int] = {}
        # Groups no free agent fits stay so for the rest of the sweep: free slots only shrink.
        self.unservable: dict[Group, None] = {}
        self.targets: list[statements.AgentFit] | None = None

    @property
    def policies(self) -> _Policies:
        if self._policies is None:
            self._policies = _Policies(statements.policies(lock_round_robin=True))
        return self._policies

    def run(self) -> None:
        if self.conversation_ids == [] or self.agent_ids == []:
            return
        self.free_slots = statements.free_slots(agent_ids=self.agent_ids)
        if not self.free_slots:
            return
        if self.agent_ids is not None:
            # A few agents, known up front: the queue is read for what they fit only, and
            # without a query per group (a long queue can hold hundreds they do not fit).
            self.targets = statements.agents_fit(self.agent_ids)
        queues = [self._channel_queue(channel) for channel in self.free_slots]
        for waiting in heapq.merge(*queues, key=lambda waiting: waiting.sort_key):
            if not self.free_slots:
                return
            if waiting.channel not in self.free_slots or waiting.group in self.unservable:
                continue
            policy = self.policies.for_scope(waiting.team_id, waiting.inbox_id)
            if policy.mode == Mode.MANUAL:
                continue
            if self.targets is not None and not self._targets_fit(waiting):
                self.unservable[waiting.group] = None
                continue
            outcome = self._assign(waiting, policy)
            if outcome is _Outcome.NO_AGENT:
                self.unservable[waiting.group] = None
            if outcome is not _Outcome.ASSIGNED:
                continue
            self.free_slots[waiting.channel] -= 1
            if self.free_slots[waiting.channel] <= 0:
                del self.free_slots[waiting.channel]

    def _targets_fit(self, waiting: Waiting) -> bool:
        assert self.targets is not None
        return any(
            (waiting.team_id is None or waiting.team_id in target.team_ids)
            and has_required_skills(target.skills, waiting.required_skills)
            for target in self.targets
        )

    def _channel_queue(self, channel: str) -> Iterator[Waiting]:
        """The channel kind's waiting conversations in queue order, read page by page while
        the channel kind has free slots."""
        after: Waiting | None = None
        # Usually the first conversations take the free slots: a small first page, then
        # larger ones when the head of the queue fits nobody free.
        size = min(CONVERSATION_PAGE, 2 + self.free_slots[channel])
        while channel in self.free_slots:
            excluded = [group for group in self.unservable if group[0] == channel]
            page = statements.queue_page(
                channel, after=after, excluded=excluded[:MAX_EXCLUDED_GROUPS], limit=size,
                conversation_ids=self.conversation_ids, fitting=self.targets,
            )
            yield from page
            if len(page) < size:
                return
            after = page[-1]
            size = min(CONVERSATION_PAGE, size * 2)

    def _assign(self, waiting: Waiting, policy: Policy) -> _Outcome:
        """Assign to the best eligible agent with a free slot, if there is one."""
        offset = 0
        while True:
            page = statements.candidate_agents(
                waiting.channel, waiting.team_id, policy, limit=AGENT_PAGE, offset=offset,
                agent_ids=self.agent_ids,
            )
            for agent_id, agent_skills in page:
                if not has_required_skills(agent_skills, waiting.required_skills):
                    continue
                if not statements.lock_online_profile(agent_id):
                    self.is_contended = True
                    continue
                if not statements.take_slot(agent_id, waiting.channel):
                    # Filled by a concurrent sweep since the candidate query.
                    continue
                claimed = self._claim(waiting, agent_id, policy)
                if claimed is _Outcome.ASSIGNED:
                    return claimed
                # Another transaction holds the conversation or assigned it, or a person did:
                # give the slot back; the agent may still fit the next conversation.
                statements.free_slot(agent_id, waiting.channel)
                if claimed is _Outcome.SKIPPED:
                    self.is_contended = True
                return _Outcome.SKIPPED
            if len(page) < AGENT_PAGE:
                return _Outcome.NO_AGENT
            offset += AGENT_PAGE

    def _claim(self, waiting: Waiting, agent_id: int, policy: Policy) -> _Outcome:
        """ASSIGNED; SKIPPED when another transaction holds or took the conversation (a later
        round may find it); HELD when a person gave it to an agent since it was queued:
        the handling of their event (or the sweep's reconciliation) counts it against their
        choice, and no later round of this dispatch should try it again."""
        conversation_id = waiting.conversation_id
        if not statements.lock_waiting(conversation_id):
            return _Outcome.SKIPPED
        if not statements.mark_assigned(conversation_id, agent_id, self.now):
            return _Outcome.SKIPPED
        # Who holds the conversation is written by its owner, conversations.
        if not conversation_actions.assign_from_routing(conversation_id, agent_id):
            statements.unmark_assigned(conversation_id)
            return _Outcome.HELD
        statements.mark_idle_since(agent_id, self.now)
        if policy.mode == Mode.ROUND_ROBIN and policy.id is not None:
            statements.set_rotation(policy.id, agent_id)
            policy.last_assigned_agent_id = agent_id
        self.assignments.append(Assignment(conversation_id, agent_id, waiting.channel,
                                           self.now))
        return _Outcome.ASSIGNED


def update_requirements(conversation_id: int, *, add_skills: Skills) -> bool:
    """Add skills a waiting conversation needs (a rule saw it is about billing) and route it
    again; True if it was waiting. An assigned or resolved conversation keeps its agent: the
    new needs apply when it queues again. (Team and priority follow the conversation through
    `follow_conversation`.)"""
    skills = validate_skills(add_skills, _("Required skills"))
    with transaction.atomic():
        routing = (
            ConversationRouting.objects.select_for_update().filter(pk=conversation_id).first()
        )
        if routing is None:
            return False
        required = {**routing.required_skills}
        for name, level in skills.items():
            required[name] = max(level, required.get(name, level))
        routing.required_skills = required
        routing.skills_key = skills_key(required)
        routing.save(update_fields=["required_skills", "skills_key"])
        if not routing.is_waiting:
            return False
        _dispatch_on_commit(conversation_ids=[conversation_id])
    return True
