"""Journeys across channels, read from the conversation facts: each customer's path (the
channels of their conversations in order), the flows between the steps of those paths drawn as
a Sankey diagram, and where customers drop off (a chat abandoned in the queue, a bot
conversation left without a resolution, a repeat contact within 7 days, a channel switch).

Filters choose conversations (period of creation, segment, team, topic). The channel filter
chooses customers instead: the paths of those who used that channel, all their channels shown,
since a path restricted to one channel would say nothing; drop-offs and figures then count that
channel's conversations."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from omnicanal.analytics.kpis import compute_kpis
from omnicanal.analytics.models import ConversationFact
from omnicanal.contacts.models import ValueTier
from omnicanal.conversations.models import ChannelKind

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
SANKEY_STEPS = 4
TOP_CUSTOMERS = 15
TOP_PATHS = 8
TOP_DROP_OFFS = 10
# One colour per channel kind, from the workspace palette (AA on white for the labels).
CHANNEL_COLOURS = {
    "webchat": "#1d4ed8", "email": "#7c3aed", "sms": "#0f766e", "whatsapp": "#15803d",
    "messenger": "#2563eb", "instagram": "#be185d", "telegram": "#0369a1", "voice": "#b45309",
    "api": "#475569",
}


class InvalidFilter(ValueError):
    """A filter a person typed that means nothing: the page says which and why."""


@dataclass(frozen=True)
class JourneyFilters:
    start: dt.date
    end: dt.date
    segment: str = ""
    channel: str = ""
    team_id: int | None = None
    topic: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str], today: dt.date | None = None) -> JourneyFilters:
        today = today or timezone.localdate()
        end = _date(query.get("to", ""), _("End date")) or today
        start = _date(query.get("from", ""), _("Start date")) or (
            end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        )
        if start > end:
            raise InvalidFilter(_("The start date is after the end date."))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise InvalidFilter(_("Choose a period of at most a year."))
        segment = query.get("segment", "")
        if segment and segment not in ValueTier.values:
            raise InvalidFilter(_("Unknown segment."))
        channel = query.get("channel", "")
        if channel and channel not in ChannelKind.values:
            raise InvalidFilter(_("Unknown channel."))
        team = query.get("team", "")
        if team and not team.isdigit():
            raise InvalidFilter(_("Unknown team."))
        return cls(start, end, segment, channel, int(team) if team else None,
                   query.get("topic", "")[:100])

    @property
    def is_filtered(self) -> bool:
        return bool(self.segment or self.channel or self.team_id or self.topic)


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidFilter(_("%(name)s is not a date (YYYY-MM-DD).") % {"name": name}) from None


def _conversations(filters: JourneyFilters) -> QuerySet[ConversationFact]:
    """The facts of the period, segment, team and topic (not the channel)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(filters.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    facts = ConversationFact.objects.filter(created_at__gte=start, created_at__lt=end)
    if filters.segment:
        facts = facts.filter(segment=filters.segment)
    if filters.team_id:
        facts = facts.filter(team_id=filters.team_id)
    if filters.topic:
        facts = facts.filter(topic=filters.topic)
    return facts


@dataclass
class SankeyNode:
    step: int
    channel: str
    label: str
    count: int
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0
    colour: str = ""
    label_x: float = 0.0

    @property
    def label_y(self) -> float:
        # Beside a thin node, at the top of a tall one (where its band starts).
        return self.y + min(self.height / 2, 10.0)
    out_offset: float = 0.0
    in_offset: float = 0.0


@dataclass
class SankeyLink:
    source: SankeyNode
    target: SankeyNode
    count: int
    width: float = 0.0
    path: str = ""


@dataclass
class Sankey:
    width: int
    height: int
    steps: list[tuple[float, str]] = field(default_factory=list)
    nodes: list[SankeyNode] = field(default_factory=list)
    links: list[SankeyLink] = field(default_factory=list)


def sankey(paths: list[list[str]], *, width: int = 960, height: int = 300) -> Sankey:
    """Columns for the first steps of the paths, a node per channel at each step (its height
    by how many customers were there), a band per flow from one step to the next (its width
    by how many took it). Computed here so that the page needs no script."""
    labels = dict(ChannelKind.choices)
    top, bottom, gap, node_width, label_room = 26.0, 8.0, 14.0, 14.0, 120.0
    columns: list[Counter[str]] = [Counter() for _ in range(SANKEY_STEPS)]
    flows: Counter[tuple[int, str, str]] = Counter()
    for path in paths:
        steps = path[:SANKEY_STEPS]
        for index, channel in enumerate(steps):
            columns[index][channel] += 1
        for index, (here, there) in enumerate(itertools.pairwise(steps)):
            flows[(index, here, there)] += 1
    columns = [column for column in columns if column]
    chart = Sankey(width, height)
    if not columns:
        return chart
    most_nodes = max(len(column) for column in columns)
    most_customers = max(sum(column.values()) for column in columns)
    scale = (height - top - bottom - gap * (most_nodes - 1)) / most_customers
    span = width - node_width - label_room
    nodes: dict[tuple[int, str], SankeyNode] = {}
    for index, column in enumerate(columns):
        x = span * index / max(1, len(columns) - 1) if len(columns) > 1 else 0.0
        chart.steps.append((x, _("Contact %(number)s") % {"number": index + 1}))
        y = top
        for channel, count in sorted(column.items(), key=lambda item: (-item[1], item[0])):
            # Labels on the right of every column, the last one included (room is kept for
            # it): on the left they would sit on the bands arriving there.
            node = SankeyNode(
                index, channel, str(labels.get(channel, channel)), count, x=x, y=y,
                height=max(3.0, count * scale), colour=CHANNEL_COLOURS.get(channel, "#475569"),
                label_x=x + node_width + 6,
            )
            nodes[(index, channel)] = node
            chart.nodes.append(node)
            y += node.height + gap
    for (index, here, there), count in sorted(
        flows.items(), key=lambda item: (item[0][0], nodes[(item[0][0], item[0][1])].y,
                                         nodes[(item[0][0] + 1, item[0][2])].y)
    ):
        source, target = nodes[(index, here)], nodes[(index + 1, there)]
        band = count * scale
        y0 = source.y + source.out_offset + band / 2
        y1 = target.y + target.in_offset + band / 2
        source.out_offset += band
        target.in_offset += band
        x0, x1 = source.x + node_width, target.x
        middle = (x0 + x1) / 2
        chart.links.append(SankeyLink(
            source, target, count, width=max(1.0, band),
            path=f"M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} "
                 f"{x1:.1f},{y1:.1f}",
        ))
    return chart


@dataclass(frozen=True)
class DropOff:
    label: str
    count: int
    share: float  # of the conversations counted


@dataclass(frozen=True)
class CustomerJourney:
    contact_id: int
    name: str
    steps: list[dict[str, Any]]


def journeys(filters: JourneyFilters) -> dict[str, Any]:
    """Everything the journeys page shows for these filters."""
    labels = dict(ChannelKind.choices)
    conversations = _conversations(filters)
    if filters.channel:
        customers = conversations.filter(channel=filters.channel).values("contact_id")
        path_facts = conversations.filter(contact_id__in=customers)
        counted = conversations.filter(channel=filters.channel)
    else:
        path_facts = counted = conversations
    rows = list(
        path_facts.order_by("contact_id", "created_at", "pk").values_list(
            "contact_id", "channel", "created_at", "topic", "conversation_id", "contact__name",
        )
    )
    paths: dict[int, list[str]] = {}
    steps: dict[int, list[dict[str, Any]]] = {}
    names: dict[int, str] = {}
    for contact_id, channel, created_at, topic, conversation_id, name in rows:
        paths.setdefault(contact_id, []).append(channel)
        names[contact_id] = name
        steps.setdefault(contact_id, []).append({
            "channel": channel, "label": labels.get(channel, channel),
            "colour": CHANNEL_COLOURS.get(channel, "#475569"), "created_at": created_at,
            "topic": topic, "conversation_id": conversation_id,
        })
    path_counts = Counter(
        " → ".join(str(labels.get(channel, channel)) for channel in path)
        for path in paths.values()
    )
    busiest = sorted(steps, key=lambda contact: (-len(steps[contact]), contact))[:TOP_CUSTOMERS]
    facts = list(counted.only(
        "conversation_id", "channel", "first_response_s", "resolution_s", "is_fcr",
        "has_repeat_7d", "repeat_switched_channel", "is_abandoned",
    ))
    return {
        # No survey figures on this page: the reports show them.
        "kpis": compute_kpis(facts, []),
        "sankey": sankey(list(paths.values())),
        "customers": len(paths),
        "multichannel_customers": sum(len(set(path)) > 1 for path in paths.values()),
        "top_paths": path_counts.most_common(TOP_PATHS),
        "journeys": [
            CustomerJourney(contact, names[contact] or f"#{contact}", steps[contact])
            for contact in busiest
        ],
        "drop_offs": drop_offs(counted),
    }


def drop_offs(facts: QuerySet[ConversationFact]) -> list[DropOff]:
    """The places customers leave or come back from, most frequent first."""
    labels = dict(ChannelKind.choices)
    total = facts.count()
    if not total:
        return []
    found: list[tuple[str, int]] = []
    for row in (
        facts.filter(is_abandoned=True).values("channel").annotate(n=Count("pk"))
    ):
        found.append((_("Abandoned in the queue (%(channel)s)")
                      % {"channel": labels.get(row["channel"], row["channel"])}, row["n"]))
    bot_left = facts.filter(had_bot=True, is_resolved=False, agent_messages=0).count()
    if bot_left:
        found.append((_("Bot conversation without a resolution"), bot_left))
    for row in (
        facts.filter(has_repeat_7d=True).values("topic").annotate(n=Count("pk"))
        .order_by("-n", "topic")[:TOP_DROP_OFFS]
    ):
        topic = row["topic"] or _("no topic")
        found.append((_("Came back within 7 days: %(topic)s") % {"topic": topic}, row["n"]))
    for row in (
        facts.filter(Q(repeat_switched_channel=True)).values("channel").annotate(n=Count("pk"))
    ):
        found.append((_("Came back on another channel after %(channel)s")
                      % {"channel": labels.get(row["channel"], row["channel"])}, row["n"]))
    found.sort(key=lambda item: (-item[1], item[0]))
    return [DropOff(label, count, count / total) for label, count in found[:TOP_DROP_OFFS]]


def topics() -> list[str]:
    """The topics facts know, for the filter's choices."""
    return list(
        ConversationFact.objects.exclude(topic="").order_by("topic")
        .values_list("topic", flat=True).distinct()[:200]
    )
