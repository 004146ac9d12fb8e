"""The `analytics_eval` contract (issue 16): figures computed by hand from the fixtures, never
by the code under test. Times in the fixtures are chosen so that every figure is exact."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from omnicanal.analytics.management.commands.analytics_eval import (
    CHILD_FLAG,
    evaluate,
    parse_log,
    read_log,
)
from omnicanal.conversations.models import Conversation

FIXTURES = Path(__file__).parent / "fixtures"


def run_command(path: Path) -> dict[str, Any]:
    out = StringIO()
    call_command("analytics_eval", "--data", str(path), "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def figures(
    conversations: int, first_response: tuple[float | None, float | None],
    resolution: tuple[float | None, float | None], fcr: float | None, repeat: float | None,
    switch: float | None, abandon: float | None, csat: float | None, nps: float | None,
    ces: float | None,
) -> dict[str, Any]:
    return {
        "conversations": conversations,
        "first_response_s": {"median": first_response[0], "p90": first_response[1]},
        "resolution_s": {"median": resolution[0], "p90": resolution[1]},
        "fcr_rate": fcr, "repeat_contact_rate_7d": repeat, "channel_switch_rate": switch,
        "abandon_rate": abandon, "csat": csat, "nps": nps, "ces": ces,
    }


def assert_same(actual: Any, expected: Any, where: str = "") -> None:
    """Equal within 1e-9 for numbers, exactly for everything else (null stays null)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), where
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, float):
        assert isinstance(actual, int | float) and abs(actual - expected) <= 1e-9, (
            where, actual, expected,
        )
    else:
        assert actual == expected, (where, actual, expected)


# Worked by hand in the fixture's order, A to H:
# first responses A 270 (the bot's message at 09:02 does not count), B 3600, D 0 (customer and
# agent at the same second, in that order), F 10, G 1200, H 1800; C and E never answered by a
# person. Resolutions (last status resolved): A 1800, B 86400 (reopened, then resolved the
# next day), D 300, E 60, G 1800 (reopened then resolved at the same second), H 3600; F ends
# reopened. Repeats: A -> B (3 days, email after chat: switch), B -> C (chat: switch), E -> H
# (sms after sms: no switch), H -> F (switch); C is A's repeat at exactly 7 days but B comes
# first; F is 7 days and 1 second after E: not E's repeat. FCR: D only.
MIXED = {
    **figures(8, (735.0, 3600.0), (1800.0, 86400.0), 1 / 8, 4 / 8, 3 / 4, 1 / 8,
              # CSAT 5, 3, 4, 1 (A answered twice, both count; nulls do not): 2 of 4.
              50.0,
              # NPS 10, 9, 3, 7: 2 promoters, 1 detractor out of 4.
              25.0,
              # CES 7 and 2.
              4.5),
    "per_channel": {
        "chat": figures(3, (140.0, 270.0), (1800.0, 1800.0), 0.0, 1 / 3, 1.0, 1 / 3,
                        50.0, -100.0, 2.0),
        "email": figures(1, (3600.0, 3600.0), (86400.0, 86400.0), 0.0, 1.0, 1.0, 0.0,
                         100.0, None, None),
        "phone": figures(1, (1200.0, 1200.0), (1800.0, 1800.0), 0.0, 0.0, None, 0.0,
                         None, 0.0, None),
        "sms": figures(3, (900.0, 1800.0), (300.0, 3600.0), 1 / 3, 2 / 3, 1 / 2, 0.0,
                       0.0, 100.0, 7.0),
    },
}

# Conversation 1 (16:00Z, given as 12:00-04:00) is the bot's alone; conversation 2 an hour
# later on another unknown channel is its repeat: a switch, though both are API inboxes here.
# Its first response is 60.25 s: the bot's message at 2.5 s does not count.
UNKNOWN_CHANNELS = {
    **figures(2, (60.25, 60.25), (1860.0, 1860.0), 0.5, 0.5, 1.0, 0.0, None, None, None),
    "per_channel": {
        "store": figures(1, (None, None), (None, None), 0.0, 1.0, 1.0, 0.0, None, None, None),
        "kiosk": figures(1, (60.25, 60.25), (1860.0, 1860.0), 1.0, 0.0, None, 0.0,
                         None, None, None),
    },
}


def test_the_command_prints_the_hand_computed_kpis_of_a_mixed_log() -> None:
    # End to end: the child process, its in-memory database, the JSON on stdout.
    assert_same(run_command(FIXTURES / "journeys_mixed.json"), MIXED)


@pytest.mark.django_db
def test_a_switch_between_two_unknown_channels_still_counts() -> None:
    log = read_log(FIXTURES / "journeys_unknown_channels.json")
    assert_same(evaluate(log), UNKNOWN_CHANNELS)


@pytest.mark.django_db
def test_an_empty_log_has_nothing_to_count() -> None:
    expected = {
        **figures(0, (None, None), (None, None), None, None, None, None, None, None, None),
        "per_channel": {},
    }
    assert_same(evaluate(parse_log({"conversations": [], "surveys": []})), expected)


@pytest.mark.django_db
def test_p90_takes_the_nearest_rank_of_ten_first_responses() -> None:
    conversations = [
        {"id": n, "contact": f"c{n}", "channel": "sms", "topic": f"t{n}",
         "created_at": "2026-01-01T00:00:00Z",
         "events": [{"t": "2026-01-01T00:00:00Z", "type": "customer_message"},
                    {"t": f"2026-01-01T00:00:{n:02d}Z", "type": "agent_message"}]}
        for n in range(1, 11)
    ]
    result = evaluate(parse_log({"conversations": conversations}))
    # ceil(0.9 * 10) = 9: the 9th smallest of 1..10 s, not an interpolation.
    assert result["first_response_s"] == {"median": 5.5, "p90": 9.0}
    assert result["resolution_s"] == {"median": None, "p90": None}
    assert result["fcr_rate"] == 0.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], '"conversations" list'),
        ({"conversations": [{"id": "a", "contact": "c", "channel": "sms",
                             "created_at": "2026-01-01T00:00:00Z",
                             "events": [{"t": "2026-01-01T00:00:00Z", "type": "called"}]}]},
         "unknown event type 'called'"),
        ({"conversations": [{"id": "a", "contact": "c", "channel": "sms",
                             "created_at": "2026-01-01T00:00:00", "events": []}]},
         "no UTC offset"),
        ({"conversations": [{"id": "a", "contact": "c", "channel": "sms",
                             "created_at": "yesterday", "events": []}]},
         "not an ISO 8601 time"),
        ({"conversations": [], "surveys": [{"conversation": "x", "kind": "csat", "score": 4}]},
         "no conversation 'x'"),
        ({"conversations": [{"id": "a", "contact": "c", "channel": "sms",
                             "created_at": "2026-01-01T00:00:00Z", "events": []}],
          "surveys": [{"conversation": "a", "kind": "nps", "score": 11}]},
         "not an integer from 0 to 10"),
        ({"conversations": [{"id": "a", "contact": "c", "channel": "sms", "events": []}]},
         '"created_at" is missing'),
    ],
)
def test_a_malformed_log_is_refused_with_a_reason(data: Any, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        parse_log(data)


@pytest.mark.django_db
def test_a_survey_may_name_its_conversation_as_a_string_of_its_number() -> None:
    log = parse_log({
        "conversations": [{"id": 7, "contact": "c", "channel": "sms", "topic": "t",
                           "created_at": "2026-01-01T00:00:00Z"}],
        "surveys": [{"conversation": "7", "kind": "CES", "score": 6}],
    })
    assert evaluate(log)["ces"] == 6.0


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("analytics_eval", "--data", str(path), "--json")


@pytest.mark.django_db
def test_it_never_loads_a_log_into_a_real_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Pretending to be the child on the configured (test) database must fail, not write.
    monkeypatch.setenv(CHILD_FLAG, "1")
    with pytest.raises(CommandError, match="in-memory"):
        call_command(
            "analytics_eval", "--data", str(FIXTURES / "journeys_unknown_channels.json")
        )
    assert not Conversation.objects.exists()
