"""KPIs over conversation facts: medians, nearest-rank p90, rates and survey scores."""

from __future__ import annotations

from typing import Any

from omnicanal.analytics.kpis import SurveyScore, compute_kpis, median, p90
from omnicanal.analytics.models import ConversationFact


def fact(conversation_id: int, channel: str = "sms", **fields: Any) -> ConversationFact:
    return ConversationFact(conversation_id=conversation_id, channel=channel, **fields)


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([]) is None


def test_p90_is_the_nearest_rank() -> None:
    assert p90([float(n) for n in range(1, 11)]) == 9.0
    assert p90([float(n) for n in range(1, 12)]) == 10.0
    assert p90([7.0]) == 7.0
    assert p90([]) is None


def test_every_survey_answer_counts_even_two_on_one_conversation() -> None:
    facts = [fact(1, csat=5), fact(2, channel="email", csat=2)]
    surveys = [
        SurveyScore(1, "csat", 5), SurveyScore(1, "csat", 4), SurveyScore(2, "csat", 2),
        SurveyScore(2, "nps", 0), SurveyScore(1, "nps", 9), SurveyScore(1, "nps", 8),
        SurveyScore(2, "ces", None),
        # Not one of these conversations: not counted.
        SurveyScore(3, "csat", 1),
    ]
    result = compute_kpis(facts, surveys)
    assert result["csat"] == 100 * 2 / 3
    assert result["nps"] == 0.0
    assert result["ces"] is None
    assert result["per_channel"]["sms"]["csat"] == 100.0
    assert result["per_channel"]["email"]["nps"] == -100.0


def test_the_switch_rate_counts_only_conversations_with_a_repeat() -> None:
    facts = [
        fact(1, has_repeat_7d=True, repeat_switched_channel=True),
        fact(2, has_repeat_7d=True, repeat_switched_channel=False),
        fact(3, has_repeat_7d=False, is_fcr=True, is_resolved=True),
        fact(4, is_abandoned=True),
    ]
    result = compute_kpis(facts, [])
    assert result["repeat_contact_rate_7d"] == 0.5
    assert result["channel_switch_rate"] == 0.5
    assert result["fcr_rate"] == 0.25
    assert result["abandon_rate"] == 0.25


def test_nothing_to_count_is_null() -> None:
    result = compute_kpis([], [])
    assert result["conversations"] == 0 and result["fcr_rate"] is None
    assert result["first_response_s"] == {"median": None, "p90": None}
    assert result["per_channel"] == {}
