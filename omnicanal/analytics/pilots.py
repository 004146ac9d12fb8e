"""Pilots compared on KPIs: the pilot group's conversations created during the period against
(a) every other conversation of the same period and (b) the group's own conversations of the
same length of time just before it, each KPI with its 95 % interval (analytics.stats) and a
verdict in plain words.

The group of a label pilot is every conversation carrying that label (Conversation.labels), not
ConversationFact.topic: the topic holds only the first label, so a conversation labelled
"billing" then "pilot-callback" would be missed by the pilot it was labelled for. A segment
pilot reads ConversationFact.segment, the customer's tier when the conversation began.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext

from omnicanal.accounts.models import User
from omnicanal.analytics import stats
from omnicanal.analytics.models import ConversationFact
from omnicanal.analytics.models_pilots import GroupKind, Pilot
from omnicanal.conversations.models import Conversation

# Below this many values on either side an interval says more about chance than about the
# pilot: the verdict is "not enough data" and no interval is shown.
MINIMUM_COUNT = 10
# Below this many, a difference that is not significant is said to be so for lack of answers
# rather than for lack of effect.
FEW_COUNT = 30


class Better(StrEnum):
    LOWER = "lower"
    HIGHER = "higher"
    # Volume: more conversations is neither good nor bad for a pilot.
    NEITHER = "neither"


class Measure(StrEnum):
    DURATION = "duration"  # median seconds
    RATE = "rate"  # share of conversations
    SHARE_OF_ANSWERS = "share"  # CSAT: share of answers 4 or 5
    NPS = "nps"  # promoters minus detractors, mean of +1/0/-1
    MEAN = "mean"  # CES
    VOLUME = "volume"  # count of conversations


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Promise
    measure: Measure
    better: Better
    # The KPI's observations on one side: one value per conversation or answer that has one.
    read: Callable[[Sample], list[float]]


class Sample:
    """The facts of one side of a comparison, read in one pass: a table of numbers (None as
    NaN, booleans as 0/1), one column per field the KPIs need. One pass, because walking the
    rows is what costs on a large "rest" (see bench/pilots.py): reading each KPI's column
    by its own query was three times slower on SQLite."""

    FIELDS = ("first_response_s", "resolution_s", "is_fcr", "has_repeat_7d", "is_abandoned",
              "csat", "nps", "ces")

    def __init__(self, facts: QuerySet[ConversationFact]) -> None:
        self.facts = facts
        self._table: np.ndarray | None = None

    def _column(self, field: str) -> np.ndarray:
        if self._table is None:
            rows = list(self.facts.values_list(*self.FIELDS).iterator(chunk_size=10_000))
            self._table = (np.array(rows, dtype=float) if rows
                           else np.empty((0, len(self.FIELDS))))
        return self._table[:, self.FIELDS.index(field)]

    def count(self) -> int:
        return len(self._column(self.FIELDS[0]))

    def flags(self, field: str) -> list[float]:
        """1 for each conversation with the flag, 0 for each without."""
        return self._column(field).tolist()

    def column(self, field: str) -> list[float]:
        """The field's values on the conversations that have one."""
        values = self._column(field)
        return values[~np.isnan(values)].tolist()


def _nps_points(score: float) -> float:
    return 1.0 if score >= 9 else -1.0 if score <= 6 else 0.0


KPIS: tuple[Kpi, ...] = (
    Kpi("volume", gettext_lazy("Volume"), Measure.VOLUME, Better.NEITHER,
        lambda sample: [1.0] * sample.count()),
    Kpi("first_response", gettext_lazy("First response"), Measure.DURATION, Better.LOWER,
        lambda sample: sample.column("first_response_s")),
    Kpi("resolution", gettext_lazy("Resolution time"), Measure.DURATION, Better.LOWER,
        lambda sample: sample.column("resolution_s")),
    Kpi("fcr", gettext_lazy("First-contact resolution"), Measure.RATE, Better.HIGHER,
        lambda sample: sample.flags("is_fcr")),
    Kpi("repeat", gettext_lazy("Repeat contacts within 7 days"), Measure.RATE, Better.LOWER,
        lambda sample: sample.flags("has_repeat_7d")),
    Kpi("abandon", gettext_lazy("Abandon rate"), Measure.RATE, Better.LOWER,
        lambda sample: sample.flags("is_abandoned")),
    Kpi("csat", gettext_lazy("CSAT"), Measure.SHARE_OF_ANSWERS, Better.HIGHER,
        lambda sample: [float(score >= 4) for score in sample.column("csat")]),
    Kpi("nps", gettext_lazy("NPS"), Measure.NPS, Better.HIGHER,
        lambda sample: [_nps_points(score) for score in sample.column("nps")]),
    Kpi("ces", gettext_lazy("CES"), Measure.MEAN, Better.HIGHER,
        lambda sample: sample.column("ces")),
)
SURVEY_MEASURES = {Measure.SHARE_OF_ANSWERS, Measure.NPS, Measure.MEAN}


class Tone(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    NEUTRAL = "neutral"  # no significant difference, or a KPI without a better side
    UNKNOWN = "unknown"  # not enough data


@dataclass(frozen=True)
class KpiComparison:
    kpi: Kpi
    count: int
    other_count: int
    value: str
    other_value: str
    difference: str
    interval: str
    verdict: str
    tone: Tone
    estimate: stats.Difference | None


@dataclass(frozen=True)
class Comparison:
    title: str
    other_label: str
    start: datetime.date
    end: datetime.date
    other_start: datetime.date
    other_end: datetime.date
    rows: list[KpiComparison]


@dataclass(frozen=True)
class PilotReport:
    against_rest: Comparison
    against_past: Comparison


# --- Who may change pilots, and the one writer -------------------------------------------


def can_manage_pilots(user: User) -> bool:
    return user.is_active and user.is_supervisor_or_above


def save_pilot(user: User, pilot: Pilot) -> Pilot:
    """Create or update a pilot whose fields a form has validated; supervisors and
    administrators only. The group fields other than the chosen kind are cleared so the
    database constraint (exactly one group) holds whatever the form left behind."""
    if not can_manage_pilots(user):
        raise PermissionDenied(gettext("Only supervisors and administrators manage pilots."))
    kind = pilot.group_kind
    if kind != GroupKind.TEAM:
        pilot.team = None
    if kind != GroupKind.INBOX:
        pilot.inbox = None
    if kind != GroupKind.LABEL:
        pilot.label = None
    if kind != GroupKind.SEGMENT:
        pilot.segment = ""
    if pilot.pk is None:
        pilot.created_by = user
    with transaction.atomic():
        pilot.save()
    return pilot


# --- Which conversations ------------------------------------------------------------------


def group_filter(pilot: Pilot) -> Q:
    if pilot.group_kind == GroupKind.TEAM:
        return Q(team_id=pilot.team_id)
    if pilot.group_kind == GroupKind.INBOX:
        return Q(inbox_id=pilot.inbox_id)
    if pilot.group_kind == GroupKind.LABEL:
        # A subquery rather than a join: a conversation counts once whatever its labels.
        labelled = Conversation.labels.through.objects.filter(label_id=pilot.label_id or 0)
        return Q(conversation_id__in=labelled.values("conversation_id"))
    return Q(segment=pilot.segment)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def period_bounds(pilot: Pilot) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(past's first day, pilot's first day, the day after the pilot's last day): the past
    is the same number of days just before the pilot."""
    length = pilot.ends_on - pilot.starts_on + datetime.timedelta(days=1)
    return pilot.starts_on - length, pilot.starts_on, pilot.ends_on + datetime.timedelta(days=1)


def _created_between(start: datetime.date, end: datetime.date) -> QuerySet[ConversationFact]:
    return ConversationFact.objects.filter(
        created_at__gte=_day_start(start), created_at__lt=_day_start(end)
    )


def compare_pilot(pilot: Pilot) -> PilotReport:
    past_start, start, after = period_bounds(pilot)
    in_group = group_filter(pilot)
    during = _created_between(start, after)
    pilot_sample = Sample(during.filter(in_group))
    rest_sample = Sample(during.exclude(in_group))
    past_sample = Sample(_created_between(past_start, start).filter(in_group))
    last_day = after - datetime.timedelta(days=1)
    past_last_day = start - datetime.timedelta(days=1)
    return PilotReport(
        against_rest=Comparison(
            title=gettext("Pilot group compared with the rest, same period"),
            other_label=gettext("Rest"), start=start, end=last_day,
            other_start=start, other_end=last_day,
            rows=[compare_kpi(kpi, pilot_sample, rest_sample, same_period=False) for kpi in KPIS],
        ),
        against_past=Comparison(
            title=gettext("Pilot group compared with its own past"),
            other_label=gettext("Before"), start=start, end=last_day,
            other_start=past_start, other_end=past_last_day,
            rows=[compare_kpi(kpi, pilot_sample, past_sample, same_period=True) for kpi in KPIS],
        ),
    )


# --- One KPI ----------------------------------------------------------------------------


def compare_kpi(
    kpi: Kpi, sample: Sample, other_sample: Sample, *, same_period: bool
) -> KpiComparison:
    """The KPI on both sides, their difference with its interval, and the verdict.
    `same_period` says the two sides cover the same length of time, which is what makes
    their volumes comparable (the group against its own past)."""
    values, other = kpi.read(sample), kpi.read(other_sample)
    if kpi.measure == Measure.VOLUME:
        return _compare_volume(kpi, len(values), len(other), comparable=same_period)
    shown, other_shown = _value_text(kpi, values), _value_text(kpi, other)
    if min(len(values), len(other)) < MINIMUM_COUNT:
        return KpiComparison(
            kpi, len(values), len(other), shown, other_shown, "", "",
            _not_enough(kpi, min(len(values), len(other))), Tone.UNKNOWN, None,
        )
    estimate = _estimate(kpi, values, other)
    return KpiComparison(
        kpi, len(values), len(other), shown, other_shown,
        _difference_text(kpi, estimate.estimate),
        gettext("%(low)s to %(high)s") % {
            "low": _difference_text(kpi, estimate.low),
            "high": _difference_text(kpi, estimate.high),
        },
        _verdict(kpi, estimate, values, other),
        _tone(kpi, estimate), estimate,
    )


def _estimate(kpi: Kpi, values: list[float], other: list[float]) -> stats.Difference:
    if kpi.measure == Measure.DURATION:
        return stats.median_difference(values, other)
    if kpi.measure in (Measure.RATE, Measure.SHARE_OF_ANSWERS):
        return stats.proportion_difference(
            int(sum(values)), len(values), int(sum(other)), len(other)
        )
    return stats.mean_difference(values, other)


def _tone(kpi: Kpi, estimate: stats.Difference) -> Tone:
    if not estimate.is_significant or kpi.better == Better.NEITHER:
        return Tone.NEUTRAL
    went_up = estimate.estimate > estimate.null
    return Tone.BETTER if went_up == (kpi.better == Better.HIGHER) else Tone.WORSE


def _compare_volume(kpi: Kpi, count: int, other_count: int, *, comparable: bool) -> KpiComparison:
    shown, other_shown = formats.number_format(count), formats.number_format(other_count)
    if not comparable:
        # The rest is another, usually larger, set of conversations: its size says nothing
        # about the pilot.
        return KpiComparison(kpi, count, other_count, shown, other_shown, "", "",
                             gettext("Volume shown for context, not compared"), Tone.NEUTRAL,
                             None)
    if min(count, other_count) < MINIMUM_COUNT:
        return KpiComparison(kpi, count, other_count, shown, other_shown, "", "",
                             _not_enough(kpi, min(count, other_count)), Tone.UNKNOWN, None)
    ratio = stats.rate_ratio(count, other_count)
    return KpiComparison(
        kpi, count, other_count, shown, other_shown, _percent_change(ratio.estimate),
        gettext("%(low)s to %(high)s") % {
            "low": _percent_change(ratio.low), "high": _percent_change(ratio.high)
        },
        _with_significance(
            _change_sentence(kpi, (ratio.estimate - 1) * 100, relative=True),
            ratio, count, other_count, kpi,
        ),
        Tone.NEUTRAL, ratio,
    )


# --- Words and numbers --------------------------------------------------------------------


def _number(value: float, decimals: int = 0) -> str:
    # Adding 0.0 turns a rounded -0.0 into 0.0, which would otherwise print as "-0.0".
    return formats.number_format(round(value, decimals) + 0.0, decimals, use_l10n=True)


def _signed(text: str, shown: float) -> str:
    """A plus sign before a positive figure; `shown` is the value rounded as displayed, so a
    difference that reads as zero has no sign."""
    return f"+{text}" if shown > 0 else text


def _percent_change(ratio: float) -> str:
    change = (ratio - 1) * 100
    return _signed(gettext("%(number)s %%") % {"number": _number(change)}, round(change))


def format_duration(seconds: float) -> str:
    """A duration as people read it: "45 s", "4 min 12 s", "3 h 05 min", "2 d 4 h"."""
    total = round(abs(seconds))
    sign = "-" if seconds < 0 and total else ""
    if total < 60:
        return sign + gettext("%(s)d s") % {"s": total}
    if total < 3600:
        return sign + gettext("%(m)d min %(s)02d s") % {"m": total // 60, "s": total % 60}
    if total < 86400:
        return sign + gettext("%(h)d h %(m)02d min") % {
            "h": total // 3600, "m": total % 3600 // 60
        }
    return sign + gettext("%(d)d d %(h)d h") % {"d": total // 86400, "h": total % 86400 // 3600}


def _value_text(kpi: Kpi, values: list[float]) -> str:
    if not values:
        return "-"
    if kpi.measure == Measure.DURATION:
        return format_duration(_median(values))
    mean = sum(values) / len(values)
    if kpi.measure in (Measure.RATE, Measure.SHARE_OF_ANSWERS):
        return gettext("%(number)s %%") % {"number": _number(mean * 100, 1)}
    if kpi.measure == Measure.NPS:
        return _number(mean * 100)
    return _number(mean, 2)


def _difference_text(kpi: Kpi, value: float) -> str:
    if kpi.measure == Measure.DURATION:
        text = format_duration(value)
        return _signed(text, round(value))
    if kpi.measure in (Measure.RATE, Measure.SHARE_OF_ANSWERS, Measure.NPS):
        points = value * 100
        # NPS is read in whole points, rates to a tenth.
        decimals = 0 if kpi.measure == Measure.NPS else 1
        text = gettext("%(number)s pts") % {"number": _number(points, decimals)}
        return _signed(text, round(points, decimals))
    return _signed(_number(value, 2), round(value, 2))


def _not_enough(kpi: Kpi, smallest: int) -> str:
    noun = _count_noun(kpi, smallest)
    return gettext("%(kpi)s: not enough data (%(noun)s on one side, at least %(minimum)d "
                   "needed)") % {"kpi": kpi.label, "noun": noun, "minimum": MINIMUM_COUNT}


def _count_noun(kpi: Kpi, count: int) -> str:
    if kpi.measure in SURVEY_MEASURES:
        return ngettext("%(count)d answer", "%(count)d answers", count) % {"count": count}
    return ngettext("%(count)d conversation", "%(count)d conversations", count) % {
        "count": count
    }


def _change_sentence(kpi: Kpi, amount: float, *, relative: bool) -> str:
    """ "First response 18 % faster", "FCR 6 points higher (better)"; amount is a percentage
    change when relative, else points (or score units for CES)."""
    shown = abs(amount)
    decimals = 1 if kpi.measure == Measure.MEAN else 0
    number = _number(shown, decimals)
    if number.strip("0,. ") == "":
        return gettext("%(kpi)s about the same") % {"kpi": kpi.label}
    went_up = amount > 0
    values = {"kpi": kpi.label, "number": number}
    if kpi.measure == Measure.DURATION:
        return (gettext("%(kpi)s %(number)s %% slower") if went_up
                else gettext("%(kpi)s %(number)s %% faster")) % values
    if relative:
        sentence = (gettext("%(kpi)s %(number)s %% higher") if went_up
                    else gettext("%(kpi)s %(number)s %% lower")) % values
    elif kpi.measure == Measure.MEAN:
        sentence = (gettext("%(kpi)s %(number)s higher") if went_up
                    else gettext("%(kpi)s %(number)s lower")) % values
    else:
        sentence = (gettext("%(kpi)s %(number)s points higher") if went_up
                    else gettext("%(kpi)s %(number)s points lower")) % values
    if kpi.better == Better.NEITHER:
        return sentence
    is_better = went_up == (kpi.better == Better.HIGHER)
    return (gettext("%(change)s (better)") if is_better
            else gettext("%(change)s (worse)")) % {"change": sentence}


def _with_significance(
    sentence: str, estimate: stats.Difference, count: int, other_count: int, kpi: Kpi
) -> str:
    if estimate.is_significant:
        significance = gettext("significant at 95 %")
    elif min(count, other_count) < FEW_COUNT:
        significance = (gettext("not significant (too few answers)")
                        if kpi.measure in SURVEY_MEASURES
                        else gettext("not significant (too few conversations)"))
    else:
        significance = gettext("not significant")
    return gettext("%(change)s, %(significance)s") % {
        "change": sentence, "significance": significance
    }


def _verdict(
    kpi: Kpi, estimate: stats.Difference, values: list[float], other: list[float]
) -> str:
    if kpi.measure == Measure.DURATION:
        reference = _median(other)
        if reference > 0:
            sentence = _change_sentence(kpi, estimate.estimate / reference * 100, relative=True)
        elif round(estimate.estimate) == 0:
            sentence = gettext("%(kpi)s about the same") % {"kpi": kpi.label}
        else:
            # Against a median of zero seconds a percentage means nothing: say it in time.
            sentence = (gettext("%(kpi)s %(duration)s slower") if estimate.estimate > 0
                        else gettext("%(kpi)s %(duration)s faster")) % {
                "kpi": kpi.label, "duration": format_duration(abs(estimate.estimate))
            }
    elif kpi.measure == Measure.MEAN:
        sentence = _change_sentence(kpi, estimate.estimate, relative=False)
    else:
        sentence = _change_sentence(kpi, estimate.estimate * 100, relative=False)
    return _with_significance(sentence, estimate, len(values), len(other), kpi)


def _median(values: list[float]) -> float:
    return float(np.median(values))
