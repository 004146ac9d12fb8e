"""Key figures over conversation facts, by the definitions of the `analytics_eval` contract:
medians (the mean of the two middle values for an even count), 90th percentiles by nearest
rank, rates as fractions, survey scores over every survey answer (a conversation answered twice
counts twice), and null wherever there is nothing to count."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from omnicanal.analytics.models import ConversationFact


@dataclass(frozen=True)
class SurveyScore:
    conversation_id: int
    kind: str
    score: int | None


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def p90(values: Sequence[float]) -> float | None:
    """Nearest rank: the ceil(0.9 n)-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    # ceil(9 n / 10) in integers: in floats 0.9 * 10 is 9.000000000000002, a rank too far.
    rank = -(-9 * len(ordered) // 10)
    return float(ordered[rank - 1])


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


def _scores(surveys: Sequence[SurveyScore], kind: str) -> list[int]:
    return [s.score for s in surveys if s.kind == kind and s.score is not None]


def _figures(facts: Sequence[ConversationFact], surveys: Sequence[SurveyScore]) -> dict[str, Any]:
    first_responses = [f.first_response_s for f in facts if f.first_response_s is not None]
    resolutions = [f.resolution_s for f in facts if f.resolution_s is not None]
    with_repeat = [f for f in facts if f.has_repeat_7d]
    csat = _scores(surveys, "csat")
    nps = _scores(surveys, "nps")
    ces = _scores(surveys, "ces")
    total = len(facts)
    return {
        "conversations": total,
        "first_response_s": {"median": median(first_responses), "p90": p90(first_responses)},
        "resolution_s": {"median": median(resolutions), "p90": p90(resolutions)},
        "fcr_rate": _rate(sum(f.is_fcr for f in facts), total),
        "repeat_contact_rate_7d": _rate(len(with_repeat), total),
        "channel_switch_rate": _rate(
            sum(bool(f.repeat_switched_channel) for f in with_repeat), len(with_repeat)
        ),
        "abandon_rate": _rate(sum(f.is_abandoned for f in facts), total),
        "csat": 100 * sum(4 <= s <= 5 for s in csat) / len(csat) if csat else None,
        "nps": (
            100 * (sum(s >= 9 for s in nps) - sum(s <= 6 for s in nps)) / len(nps)
            if nps else None
        ),
        "ces": sum(ces) / len(ces) if ces else None,
    }


def survey_scores(conversation_ids: Iterable[int]) -> list[SurveyScore]:
    """Every survey answer of those conversations (the reads of the surveys app's table)."""
    from omnicanal.surveys.models import SurveyResponse

    ids = list(conversation_ids)
    scores: list[SurveyScore] = []
    for start in range(0, len(ids), 500):
        scores.extend(
            SurveyScore(conversation_id, kind, score)
            for conversation_id, kind, score in SurveyResponse.objects.filter(
                conversation_id__in=ids[start:start + 500]
            ).values_list("conversation_id", "kind", "score")
        )
    return scores


def compute_kpis(
    facts: QuerySet[ConversationFact] | Iterable[ConversationFact],
    surveys: Iterable[SurveyScore] | None = None,
    *,
    channel_of: Callable[[ConversationFact], str] | None = None,
) -> dict[str, Any]:
    """The contract's KPI dict over these facts and their conversations' survey answers
    (read from the surveys when not given), with the same figures per channel. `channel_of`
    names a fact's channel (its channel kind by default)."""
    rows = list(facts)
    answers = list(surveys) if surveys is not None else survey_scores(
        [f.conversation_id for f in rows]
    )
    name = channel_of or (lambda fact: fact.channel)
    by_channel: dict[str, list[ConversationFact]] = {}
    channel_by_conversation: dict[int, str] = {}
    for fact in rows:
        channel = name(fact)
        by_channel.setdefault(channel, []).append(fact)
        channel_by_conversation[fact.conversation_id] = channel
    surveys_by_channel: dict[str, list[SurveyScore]] = {}
    kept: list[SurveyScore] = []
    for answer in answers:
        answer_channel = channel_by_conversation.get(answer.conversation_id)
        if answer_channel is None:
            # An answer of a conversation outside these facts: not theirs to count.
            continue
        kept.append(answer)
        surveys_by_channel.setdefault(answer_channel, []).append(answer)
    result = _figures(rows, kept)
    result["per_channel"] = {
        channel: _figures(channel_facts, surveys_by_channel.get(channel, []))
        for channel, channel_facts in sorted(by_channel.items())
    }
    return result
