"""The `analytics_eval` contract against a second reading of it: a short oracle written
straight from the issue's definitions, compared on random journey logs full of the cases
hand-made fixtures miss (shuffled events, equal times, repeats exactly 7 days apart, several
surveys per conversation). The two share no code."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import pytest

from omnicanal.analytics.management.commands.analytics_eval import evaluate, parse_log
from omnicanal.analytics.tests.test_analytics_eval import assert_same

SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
WEEK = 604_800


def random_log(seed: int, size: int) -> dict[str, Any]:
    rng = random.Random(seed)
    paris = dt.timezone(dt.timedelta(hours=1))
    start = dt.datetime(2026, 3, 1, 8, tzinfo=paris)
    conversations, surveys = [], []
    for n in range(size):
        offset = rng.choice([0, 3600, 86_400, WEEK, WEEK + 1, 300_000]) * rng.randint(0, 3)
        created = start + dt.timedelta(seconds=offset + rng.randint(0, 20) * 3600)
        if conversations and rng.random() < 0.2:
            # Created at the same second as an earlier one: no repeat either way.
            created = _time(rng.choice(conversations)["created_at"])
        moment, events = created, []
        for _ in range(rng.randint(0, 7)):
            moment += dt.timedelta(seconds=rng.choice([0, rng.randint(1, 5000)]))
            events.append({"t": moment.isoformat(), "type": rng.choice([
                "customer_message", "customer_message", "agent_message", "bot_message",
                "resolved", "reopened", "abandoned",
            ])})
        rng.shuffle(events)
        conversations.append({
            "id": f"c{n}", "contact": f"k{rng.randint(0, size // 6)}",
            "channel": rng.choice(["email", "webchat", "sms", "whatsapp", "voice"]),
            "topic": rng.choice(["billing", "delivery", ""]),
            "created_at": created.isoformat(), "events": events,
        })
        for _ in range(rng.randint(0, 2)):
            kind = rng.choice(list(SCALES))
            surveys.append({"conversation": f"c{n}", "kind": kind,
                            "score": rng.randint(*SCALES[kind])})
    return {"conversations": conversations, "surveys": surveys}


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values, half = sorted(values), len(values) // 2
    return values[half] if len(values) % 2 else (values[half - 1] + values[half]) / 2


def _p90(values: list[float]) -> float | None:
    return sorted(values)[math.ceil(0.9 * len(values)) - 1] if values else None


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _kpis(rows: list[dict[str, Any]], surveys: list[dict[str, Any]]) -> dict[str, Any]:
    def scores(kind: str) -> list[int]:
        return [s["score"] for s in surveys if s["kind"] == kind]

    csat, nps, ces = scores("csat"), scores("nps"), scores("ces")
    first = [r["first"] for r in rows if r["first"] is not None]
    resolution = [r["resolution"] for r in rows if r["resolution"] is not None]
    return {
        "conversations": len(rows),
        "first_response_s": {"median": _median(first), "p90": _p90(first)},
        "resolution_s": {"median": _median(resolution), "p90": _p90(resolution)},
        "fcr_rate": _share([r["fcr"] for r in rows]),
        "repeat_contact_rate_7d": _share([r["repeat"] for r in rows]),
        "channel_switch_rate": _share([r["switch"] for r in rows if r["repeat"]]),
        "abandon_rate": _share([r["abandoned"] for r in rows]),
        "csat": 100 * sum(s >= 4 for s in csat) / len(csat) if csat else None,
        "nps": (100 * (sum(s >= 9 for s in nps) - sum(s <= 6 for s in nps)) / len(nps)
                if nps else None),
        "ces": sum(ces) / len(ces) if ces else None,
    }


def oracle(log: dict[str, Any]) -> dict[str, Any]:
    conversations, rows = log["conversations"], []
    for c in conversations:
        created = _time(c["created_at"])
        events = sorted(c["events"], key=lambda e: _time(e["t"]))  # stable: file order on ties
        first = None
        asked = next((i for i, e in enumerate(events) if e["type"] == "customer_message"), None)
        if asked is not None:
            answer = next((e for e in events[asked + 1:] if e["type"] == "agent_message"), None)
            if answer is not None:
                first = (_time(answer["t"]) - _time(events[asked]["t"])).total_seconds()
        statuses = [e for e in events if e["type"] in ("resolved", "reopened")]
        resolved = bool(statuses) and statuses[-1]["type"] == "resolved"
        # Two repeats created at the same second: the file's order says which is next.
        repeats = sorted(
            ((_time(o["created_at"]) - created).total_seconds(), index, o["channel"])
            for index, o in enumerate(conversations)
            if o is not c and o["contact"] == c["contact"] and o["topic"] == c["topic"]
            and 0 < (_time(o["created_at"]) - created).total_seconds() <= WEEK
        )
        rows.append({
            "channel": c["channel"], "first": first,
            "resolution": (_time(statuses[-1]["t"]) - created).total_seconds()
            if resolved else None,
            "repeat": bool(repeats),
            "switch": bool(repeats) and repeats[0][2] != c["channel"],
            "fcr": resolved and not repeats
            and not any(e["type"] == "reopened" for e in events),
            "abandoned": any(e["type"] == "abandoned" for e in events),
        })
    channel_of = {c["id"]: c["channel"] for c in conversations}
    result = _kpis(rows, log["surveys"])
    result["per_channel"] = {
        channel: _kpis([r for r in rows if r["channel"] == channel],
                       [s for s in log["surveys"] if channel_of[s["conversation"]] == channel])
        for channel in {c["channel"] for c in conversations}
    }
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_journey_logs_give_the_oracles_figures(seed: int) -> None:
    log = random_log(seed, 80)
    assert_same(evaluate(parse_log(log)), oracle(log))
