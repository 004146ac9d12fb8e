"""The figures of /reports/, from the daily facts only: whatever the period, the page reads a
few rows a day, summed by the database.

`report_scope` is the one rule of who sees what; every query of a report goes through it.
`build_report` returns the page's figures as tables (`Table`): the page, the CSV and the XLSX
export all show those same tables, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import require_administrator
from omnicanal.accounts.models import Team, User
from omnicanal.analytics.daily import local_day
from omnicanal.analytics.models_reports import (
    DURATION_BUCKETS,
    HOUR_FIELDS,
    ChannelCost,
    DailyFact,
    bucket_fields,
)
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.core.exceptions import InvalidInput

PRESETS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
# A custom period longer than this is refused: ten years of rows is already a lot to draw.
MAX_DAYS = 3660

Kind = Literal["text", "number", "count", "minutes", "hours", "percent", "score", "money"]
# Decimal places of each kind, on the page and in the exports alike.
PLACES: dict[str, int] = {
    "count": 0, "minutes": 1, "hours": 1, "percent": 1, "score": 1, "money": 2,
}
Cell = str | int | float | Decimal | None


# --- Who sees what ---------------------------------------------------------------------------

def report_scope(user: User) -> Q:
    """The daily facts `user` may see: administrators every one, supervisors those of the
    teams they are members of (and their own), agents their own conversations only."""
    if user.is_administrator:
        return Q()
    own = Q(agent_id=user.pk)
    if user.is_supervisor_or_above:
        return own | Q(team_id__in=list(user.teams.values_list("pk", flat=True)))
    return own


def scoped_facts(user: User) -> QuerySet[DailyFact]:
    return DailyFact.objects.filter(report_scope(user))


# --- The period ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    # "7", "30", "90", "365" or "custom".
    preset: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def query(self) -> str:
        if self.preset == "custom":
            return f"start={self.first.isoformat()}&end={self.last.isoformat()}"
        return f"days={self.preset}"


def parse_period(params: Any, today: dt.date | None = None) -> Period:
    """`days=N` (a preset) or `start=YYYY-MM-DD&end=YYYY-MM-DD`; the last 30 days by default.
    Raises InvalidInput (a 4xx) on anything else."""
    today = today or local_day(dt.datetime.now(dt.UTC))
    start, end = params.get("start", ""), params.get("end", "")
    if start or end:
        try:
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError:
            raise InvalidInput(_("Give the period's dates as YYYY-MM-DD.")) from None
        if first > last:
            raise InvalidInput(_("The period ends before it starts."))
        if (last - first).days >= MAX_DAYS:
            raise InvalidInput(_("A period may not be longer than %(days)d days."),
                               days=MAX_DAYS)
        return Period(first, last, "custom")
    days = params.get("days", str(DEFAULT_DAYS))
    if not days.isdigit() or int(days) not in PRESETS:
        raise InvalidInput(_("Choose a period of 7, 30, 90 or 365 days."))
    return Period(today - dt.timedelta(days=int(days) - 1), today, days)


# --- Figures from summed rows ----------------------------------------------------------------

def percentile(buckets: list[int], share: float) -> float | None:
    """The duration below which `share` of the counted ones lie, read from the log buckets:
    linear within the bucket that holds it (the last one is taken as twice its lower bound)."""
    total = sum(buckets)
    if not total:
        return None
    rank = share * total
    below = 0
    for index, count in enumerate(buckets):
        if count and below + count >= rank:
            lower = DURATION_BUCKETS[index - 1] if index else 0
            upper = DURATION_BUCKETS[index] if index < len(DURATION_BUCKETS) else lower * 2
            return lower + (upper - lower) * (rank - below) / count
        below += count
    return float(DURATION_BUCKETS[-1] * 2)


def _ratio(part: float, whole: float, scale: float = 1) -> float | None:
    return part * scale / whole if whole else None


@dataclass
class Figures:
    """What one set of summed daily facts says (`sums`: field name → sum)."""

    sums: dict[str, Any]

    def __getitem__(self, name: str) -> float:
        return self.sums.get(name) or 0

    def duration(self, prefix: str, share: float) -> float | None:
        return percentile([int(self[name]) for name in bucket_fields(prefix)], share)

    @property
    def conversations(self) -> int:
        return int(self["opened"])

    @property
    def messages_out(self) -> int:
        return int(self["agent_messages"] + self["bot_messages"])

    @property
    def handle_mean(self) -> float | None:
        return _ratio(self["handle_sum"], self["handle_count"])

    @property
    def answer_rate(self) -> float | None:
        return _ratio(self["answered"], self["answered"] + self["abandoned"], 100)

    @property
    def sla_attainment(self) -> float | None:
        return _ratio(self["sla_met"], self["sla_total"], 100)

    @property
    def csat(self) -> float | None:
        return _ratio(self["csat_satisfied"], self["csat_count"], 100)

    @property
    def nps(self) -> float | None:
        return _ratio(self["nps_promoters"] - self["nps_detractors"], self["nps_count"], 100)

    @property
    def ces(self) -> float | None:
        return _ratio(self["ces_sum"], self["ces_count"])

    def cost(self, rates: ChannelCost | None) -> float:
        if rates is None:
            return 0.0
        messages = self["customer_messages"] + self.messages_out
        return (self["handle_sum"] / 60 * float(rates.per_minute)
                + messages * float(rates.per_message))


SUMMED = [
    "opened", "closed", "resolved", "answered", "abandoned", "customer_messages",
    "agent_messages", "bot_messages", "first_response_count", "first_response_sum",
    "resolution_count", "resolution_sum", "handle_count", "handle_sum", "sla_total", "sla_met",
    "csat_count", "csat_satisfied", "nps_count", "nps_promoters", "nps_detractors", "ces_count",
    "ces_sum", *bucket_fields("first_response"), *bucket_fields("resolution"),
]


def _sums(fields: list[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in fields}


# --- Tables ----------------------------------------------------------------------------------

@dataclass
class Column:
    label: str
    kind: Kind


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)


def rounded(value: float | Decimal | None, kind: str) -> Cell:
    """The figure as the page shows it: every export writes this same value."""
    if value is None:
        return None
    places = PLACES.get(kind, 0)
    if kind == "money":
        # Kept as a Decimal so that the page shows the cents ("3.10", not "3.1").
        return Decimal(str(round(float(value), places))).quantize(Decimal("0.01"))
    return round(float(value)) if places == 0 else round(float(value), places)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def _text(label: str | Promise) -> str:
    return str(label)


def quality_columns() -> list[Column]:
    return [
        Column(gettext("Conversations"), "count"),
        Column(gettext("Messages sent"), "count"),
        Column(gettext("First response, median (min)"), "minutes"),
        Column(gettext("Resolution, median (h)"), "hours"),
        Column(gettext("Handle time, mean (min)"), "minutes"),
        Column(gettext("SLA met (%)"), "percent"),
        Column(gettext("CSAT (%)"), "percent"),
        Column(gettext("NPS"), "score"),
        Column(gettext("CES"), "score"),
    ]


def quality_cells(figures: Figures) -> list[Cell]:
    values: list[tuple[float | None, str]] = [
        (figures.conversations, "count"),
        (figures.messages_out, "count"),
        (_minutes(figures.duration("first_response", 0.5)), "minutes"),
        (_hours(figures.duration("resolution", 0.5)), "hours"),
        (_minutes(figures.handle_mean), "minutes"),
        (figures.sla_attainment, "percent"),
        (figures.csat, "percent"),
        (figures.nps, "score"),
        (figures.ces, "score"),
    ]
    return [rounded(value, kind) for value, kind in values]


@dataclass
class Report:
    period: Period
    tables: list[Table]
    # For the charts: ISO days and their series, hours, weekdays (same figures as the tables).
    charts: dict[str, Any]

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


def _weekday_names() -> list[str]:
    return [gettext("Monday"), gettext("Tuesday"), gettext("Wednesday"), gettext("Thursday"),
            gettext("Friday"), gettext("Saturday"), gettext("Sunday")]


def _names(model: type[Any], ids: set[Any]) -> dict[Any, str]:
    ids.discard(None)
    if model is User:
        return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


DIMENSIONS = ("channel", "agent_id", "team_id", "inbox_id", "topic")


def _combinations(rows: QuerySet[DailyFact]) -> list[dict[str, Any]]:
    """The period's sums per combination of every dimension, in one pass over the rows: a few
    hundred groups, which each table then adds up by its own dimension (cheaper than one
    pass over the rows per table)."""
    return list(rows.values(*DIMENSIONS).annotate(**_sums(SUMMED + HOUR_FIELDS)).order_by())


def _by(combinations: list[dict[str, Any]], dimension: str | None) -> list[tuple[Any, Figures]]:
    """Sums per value of `dimension` (None: one group of everything)."""
    fields = SUMMED + HOUR_FIELDS
    groups: dict[Any, dict[str, Any]] = {}
    for combination in combinations:
        value = combination[dimension] if dimension else None
        sums = groups.get(value)
        if sums is None:
            groups[value] = {name: combination[name] or 0 for name in fields}
        else:
            for name in fields:
                sums[name] += combination[name] or 0
    return [(value, Figures(sums)) for value, sums in groups.items()]


def _dimension_table(key: str, title: str, label: str, groups: list[tuple[Any, Figures]],
                     names: dict[Any, str], nobody: str) -> Table:
    table = Table(key, title, [Column(label, "text"), *quality_columns()])
    ordered = sorted(groups, key=lambda group: (-group[1].conversations,
                                                names.get(group[0], nobody)))
    for value, figures in ordered:
        if figures.conversations:
            table.rows.append([names.get(value, nobody), *quality_cells(figures)])
    return table


def build_report(user: User, period: Period) -> Report:
    scope = scoped_facts(user)
    rows = scope.filter(day__gte=period.first, day__lte=period.last)
    combinations = _combinations(rows)
    totals = next(iter(_by(combinations, None)), (None, Figures({})))[1]
    channels = _by(combinations, "channel")
    rates = {rate.channel: rate for rate in ChannelCost.objects.all()}
    cost = sum(figures.cost(rates.get(channel)) for channel, figures in channels)

    kpis = Table("kpis", gettext("Key figures"),
                 [Column(gettext("Indicator"), "text"), Column(gettext("Value"), "number")])
    kpi_values: list[tuple[str, float | None, str]] = [
        (gettext("Conversations"), totals.conversations, "count"),
        (gettext("Messages received"), totals["customer_messages"], "count"),
        (gettext("Messages sent"), totals.messages_out, "count"),
        (gettext("First response, median (min)"),
         _minutes(totals.duration("first_response", 0.5)), "minutes"),
        (gettext("First response, 90th percentile (min)"),
         _minutes(totals.duration("first_response", 0.9)), "minutes"),
        (gettext("Resolution, median (h)"), _hours(totals.duration("resolution", 0.5)),
         "hours"),
        (gettext("Handle time, mean (min)"), _minutes(totals.handle_mean), "minutes"),
        (gettext("Resolutions"), totals["closed"], "count"),
        (gettext("SLA met (%)"), totals.sla_attainment, "percent"),
        (gettext("Answer rate (%)"), totals.answer_rate, "percent"),
        (gettext("CSAT (%)"), totals.csat, "percent"),
        (gettext("NPS"), totals.nps, "score"),
        (gettext("CES"), totals.ces, "score"),
        (gettext("Cost per contact"), _ratio(cost, totals.conversations), "money"),
    ]
    kpis.rows = [[label, rounded(value, kind)] for label, value, kind in kpi_values]

    # The days: volumes and the backlog (open at the end of the day, from all time before).
    before = scope.filter(day__lt=period.first).aggregate(opened=Sum("opened"),
                                                          closed=Sum("closed"))
    backlog = (before["opened"] or 0) - (before["closed"] or 0)
    per_day = {
        group["day"]: Figures(group)
        for group in rows.values("day").annotate(**_sums(
            ["opened", "closed", "customer_messages", "agent_messages", "bot_messages"]
        )).order_by()
    }
    days = Table("days", gettext("By day"), [
        Column(gettext("Day"), "text"), Column(gettext("Conversations"), "count"),
        Column(gettext("Messages received"), "count"), Column(gettext("Messages sent"), "count"),
        Column(gettext("Resolutions"), "count"), Column(gettext("Backlog"), "count"),
    ])
    weekdays = [0] * 7
    day = period.first
    while day <= period.last:
        figures = per_day.get(day, Figures({}))
        backlog += figures.conversations - int(figures["closed"])
        weekdays[day.weekday()] += figures.conversations
        days.rows.append([day.isoformat(), figures.conversations,
                          int(figures["customer_messages"]), figures.messages_out,
                          int(figures["closed"]), backlog])
        day += dt.timedelta(days=1)

    hours = Table("hours", gettext("By hour of the day"),
                  [Column(gettext("Hour"), "text"), Column(gettext("Conversations"), "count")])
    hours.rows = [[f"{hour:02d}:00", int(totals[name])] for hour, name in enumerate(HOUR_FIELDS)]
    week = Table("weekdays", gettext("By day of the week"),
                 [Column(gettext("Day of the week"), "text"),
                  Column(gettext("Conversations"), "count")])
    week.rows = [[name, count] for name, count in zip(_weekday_names(), weekdays, strict=True)]

    by_channel = Table("channels", gettext("By channel"), [
        Column(gettext("Channel"), "text"), Column(gettext("Conversations"), "count"),
        Column(pgettext("report", "Answered"), "count"),
        Column(pgettext("report", "Abandoned"), "count"),
        Column(gettext("Answer rate (%)"), "percent"),
        Column(gettext("First response, median (min)"), "minutes"),
        Column(gettext("Handle time, mean (min)"), "minutes"),
        Column(gettext("Messages"), "count"),
        Column(gettext("Cost"), "money"), Column(gettext("Cost per contact"), "money"),
    ])
    labels = dict(ChannelKind.choices)
    for channel, figures in sorted(channels, key=lambda group: -group[1].conversations):
        channel_cost = figures.cost(rates.get(channel))
        by_channel.rows.append([
            _text(labels.get(channel, channel)), figures.conversations,
            int(figures["answered"]), int(figures["abandoned"]),
            rounded(figures.answer_rate, "percent"),
            rounded(_minutes(figures.duration("first_response", 0.5)), "minutes"),
            rounded(_minutes(figures.handle_mean), "minutes"),
            int(figures["customer_messages"]) + figures.messages_out,
            rounded(channel_cost, "money"),
            rounded(_ratio(channel_cost, figures.conversations), "money"),
        ])

    agents = _by(combinations, "agent_id")
    teams = _by(combinations, "team_id")
    inboxes = _by(combinations, "inbox_id")
    topics = _by(combinations, "topic")
    tables = [
        kpis, days, hours, week, by_channel,
        _dimension_table("agents", gettext("By agent"), gettext("Agent"), agents,
                         _names(User, {value for value, _f in agents}), gettext("Unassigned")),
        _dimension_table("teams", gettext("By team"), gettext("Team"), teams,
                         _names(Team, {value for value, _f in teams}), gettext("No team")),
        _dimension_table("inboxes", gettext("By inbox"), gettext("Inbox"), inboxes,
                         _names(Inbox, {value for value, _f in inboxes}), gettext("Unknown")),
        _dimension_table("labels", gettext("By label"), gettext("Label"), topics,
                         {value: value for value, _f in topics if value},
                         pgettext("label", "None")),
    ]
    charts = {
        "days": [row[0] for row in days.rows],
        "conversations": [row[1] for row in days.rows],
        "received": [row[2] for row in days.rows],
        "sent": [row[3] for row in days.rows],
        "backlog": [row[5] for row in days.rows],
        "hours": [row[1] for row in hours.rows],
        "weekdays": [row[1] for row in week.rows],
        "weekday_names": [row[0] for row in week.rows],
    }
    return Report(period, tables, charts)


# --- Channel costs (administrators) ----------------------------------------------------------

MAX_COST = Decimal("9999")


def save_channel_costs(user: User, values: dict[str, tuple[str, str]]) -> list[ChannelCost]:
    """Set each channel's (cost per minute, cost per message), as typed in the form; blank is
    zero. Refuses the whole form on one bad figure, so no half-saved rates."""
    require_administrator(user)
    parsed: dict[str, tuple[Decimal, Decimal]] = {}
    for channel, (per_minute, per_message) in values.items():
        if channel not in ChannelKind.values:
            raise InvalidInput(_("Unknown channel %(channel)s."), channel=channel)
        figures = []
        for text in (per_minute, per_message):
            try:
                figure = Decimal(text.strip().replace(",", ".") or "0")
            except ArithmeticError:
                raise InvalidInput(_("Costs are numbers, such as 0.35.")) from None
            if not figure.is_finite() or figure < 0 or figure > MAX_COST:
                raise InvalidInput(_("Costs are between 0 and %(max)s."), max=MAX_COST)
            figures.append(figure.quantize(Decimal("0.0001")))
        parsed[channel] = (figures[0], figures[1])
    saved = []
    for channel, (minute_rate, message_rate) in parsed.items():
        cost, _created = ChannelCost.objects.update_or_create(
            channel=channel, defaults={"per_minute": minute_rate, "per_message": message_rate}
        )
        saved.append(cost)
    return saved


def channel_costs() -> list[tuple[str, str, ChannelCost]]:
    """Every channel kind with its rates (zero when not set), for the form."""
    rates = {rate.channel: rate for rate in ChannelCost.objects.all()}
    return [(value, str(label), rates.get(value) or ChannelCost(channel=value))
            for value, label in ChannelKind.choices]
