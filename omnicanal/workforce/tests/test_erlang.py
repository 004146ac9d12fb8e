"""The staffing mathematics (issue 17 item 6): third-party reference cases, hand checks, the
Erlang A figures against a discrete-event simulation and their Erlang C limit."""

from __future__ import annotations

import heapq
import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from omnicanal.workforce import erlang

FIXTURES = Path(__file__).parent / "fixtures"
CASES = json.loads((FIXTURES / "erlang_reference_cases.json").read_text())["cases"]


def erlang_c_by_hand(agents: int, load: float) -> float:
    """C(N, A) by the textbook sum (fine for small N)."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_reference_cases(case: dict[str, Any]) -> None:
    given = case["inputs"]
    figures = erlang.staffing(
        calls=given["calls"], interval_s=given["interval_s"], aht_s=given["aht_s"],
        agents=given["agents"], target_s=given["target_s"],
    )
    exact = case["independent_recomputation"]
    assert figures.erlangs == pytest.approx(exact["A_erlangs"], abs=1e-4)
    assert figures.pw == pytest.approx(exact["Pw"], abs=1e-4)
    assert figures.service_level == pytest.approx(exact["SL"], abs=1e-4)
    assert figures.asa_s == pytest.approx(exact["ASA_s"], rel=1e-3)
    assert figures.occupancy == pytest.approx(exact["occupancy"], abs=1e-4)
    assert figures.abandon_rate is None
    theirs = case["third_party_expected"]
    places = theirs.get("places") or theirs.get("rounding") or theirs.get("Pw_places") or 4
    half_unit = 0.5 * 10 ** -places + 1e-12
    if "Pw" in theirs:
        assert abs(figures.pw - theirs["Pw"]) <= half_unit
    if "SL" in theirs:
        sl_places = theirs.get("SL_places", places)
        assert abs(figures.service_level - theirs["SL"]) <= 0.5 * 10**-sl_places + 1e-12
    if "occupancy" in theirs:
        assert abs(figures.occupancy - theirs["occupancy"]) <= half_unit
    if "min_agents_for_SL_0.80" in theirs:
        needed = erlang.staffing(
            calls=given["calls"], interval_s=given["interval_s"], aht_s=given["aht_s"],
            target_sl=0.8, target_s=given["target_s"],
        )
        assert needed.agents == theirs["min_agents_for_SL_0.80"]


def test_erlang_c_matches_the_textbook_sum() -> None:
    for agents, load in [(1, 0.5), (3, 2.2), (11, 10.0), (20, 17.5)]:
        assert erlang.erlang_c(agents, load) == pytest.approx(erlang_c_by_hand(agents, load))
    assert erlang.erlang_b(0, 5.0) == 1.0
    assert erlang.erlang_b(1, 1.0) == pytest.approx(0.5)


def test_too_few_agents_every_caller_waits() -> None:
    for agents in (9, 10):  # A = 10: N < A and N = A
        figures = erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=agents,
                                  target_s=20)
        assert figures.pw == 1.0
        assert figures.service_level == 0.0
        assert figures.asa_s is None
        assert figures.occupancy == pytest.approx(10 / agents)
        assert figures.abandon_rate is None


def test_zero_threshold_is_one_minus_pw() -> None:
    figures = erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=12, target_s=0)
    assert figures.service_level == pytest.approx(1 - figures.pw)
    with_patience = erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=12,
                                    target_s=0, patience_s=60)
    assert with_patience.service_level == pytest.approx(1 - with_patience.pw)


def test_fractional_inputs() -> None:
    figures = erlang.staffing(calls=37.5, interval_s=900.5, aht_s=212.25, agents=11,
                              target_s=15.5)
    load = 37.5 * 212.25 / 900.5
    pw = erlang_c_by_hand(11, load)
    assert figures.erlangs == pytest.approx(load, rel=1e-12)
    assert figures.pw == pytest.approx(pw, rel=1e-9)
    assert figures.service_level == pytest.approx(
        1 - pw * math.exp(-(11 - load) * 15.5 / 212.25), rel=1e-9)
    assert figures.asa_s == pytest.approx(pw * 212.25 / (11 - load), rel=1e-9)


def test_no_calls() -> None:
    figures = erlang.staffing(calls=0, interval_s=1800, aht_s=180, agents=1, target_s=20)
    assert (figures.pw, figures.service_level, figures.asa_s, figures.occupancy) == (
        0.0, 1.0, 0.0, 0.0)
    assert erlang.staffing(calls=0, interval_s=1800, aht_s=180, target_sl=0.9,
                           target_s=20).agents == 1
    assert erlang.staffing(calls=0, interval_s=1800, aht_s=180, agents=2, target_s=20,
                           patience_s=60).abandon_rate == 0.0


def test_target_search_is_the_smallest_n_above_a() -> None:
    for target_sl, target_s in [(0.8, 20), (0.9, 20), (0.5, 0), (0.999, 30), (0.01, 20)]:
        needed = erlang.staffing(calls=100, interval_s=1800, aht_s=180,
                                 target_sl=target_sl, target_s=target_s)
        assert needed.agents > needed.erlangs
        assert needed.service_level >= target_sl
        below = erlang.staffing(calls=100, interval_s=1800, aht_s=180,
                                agents=needed.agents - 1, target_s=target_s)
        assert below.agents <= below.erlangs or below.service_level < target_sl
        assert needed == erlang.staffing(calls=100, interval_s=1800, aht_s=180,
                                         agents=needed.agents, target_s=target_s)
    # A low target is met by the first N above A, never by N ≤ A.
    assert erlang.staffing(calls=100, interval_s=1800, aht_s=180, target_sl=0.01,
                           target_s=20).agents == 11
    assert erlang.staffing(calls=101, interval_s=1800, aht_s=180, target_sl=0.01,
                           target_s=20).agents == 11


def test_erlang_a_target_search_is_the_smallest_n() -> None:
    for target_sl, patience in [(0.8, 120), (0.95, 30), (0.3, 600), (0.99, 1e5)]:
        needed = erlang.staffing(calls=100, interval_s=1800, aht_s=180,
                                 target_sl=target_sl, target_s=20, patience_s=patience)
        levels = [
            erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=n, target_s=20,
                            patience_s=patience).service_level
            for n in range(1, needed.agents + 1)
        ]
        assert all(later >= earlier - 1e-12 for earlier, later in itertools.pairwise(levels))
        assert levels[-1] >= target_sl
        assert all(level < target_sl for level in levels[:-1])
    # With patience the answer may be at or below A.
    assert erlang.staffing(calls=100, interval_s=1800, aht_s=180, target_sl=0.3,
                           target_s=20, patience_s=60).agents <= 10


def test_large_case_without_overflow() -> None:
    calls = 2000 * 1800 / 180  # A = 2000 erlangs
    figures = erlang.staffing(calls=calls, interval_s=1800, aht_s=180, agents=2100,
                              target_s=20)
    assert figures.erlangs == pytest.approx(2000)
    assert 0 < figures.pw < 0.1
    assert figures.asa_s is not None and 0 < figures.asa_s < 1
    assert 0.99 < figures.service_level <= 1
    needed = erlang.staffing(calls=calls, interval_s=1800, aht_s=180, target_sl=0.8,
                             target_s=20)
    assert 2000 < needed.agents < 2100
    for patience in (300, 1e6):
        with_patience = erlang.staffing(calls=calls, interval_s=1800, aht_s=180,
                                        agents=2100, target_s=20, patience_s=patience)
        values = [with_patience.pw, with_patience.service_level, with_patience.asa_s,
                  with_patience.occupancy, with_patience.abandon_rate]
        assert all(value is not None and math.isfinite(value) for value in values)
    many = erlang.staffing(calls=calls * 3, interval_s=1800, aht_s=180, agents=6200,
                           target_s=20, patience_s=120)
    assert 0 < many.pw < 1 and 0 < many.service_level < 1


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    for agents, target_s in [(11, 20), (12, 20), (14, 19.8), (12, 0), (40, 10)]:
        calls = 100 if agents < 40 else 380
        c = erlang.staffing(calls=calls, interval_s=1800, aht_s=180, agents=agents,
                            target_s=target_s)
        a = erlang.staffing(calls=calls, interval_s=1800, aht_s=180, agents=agents,
                            target_s=target_s, patience_s=1e10)
        assert c.asa_s is not None and a.asa_s is not None and a.abandon_rate is not None
        assert a.pw == pytest.approx(c.pw, abs=1e-5)
        assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
        assert a.asa_s == pytest.approx(c.asa_s, rel=1e-4)
        assert a.occupancy == pytest.approx(c.occupancy, abs=1e-5)
        assert a.abandon_rate < 1e-6


def test_erlang_a_internal_identities() -> None:
    """Little's law and the answered/abandoned split, computed independently."""
    lam, mu, theta, agents = 100 / 1800, 1 / 180, 1 / 90, 9
    pi = erlang._stationary(lam, mu, theta, agents)
    assert math.fsum(pi) == pytest.approx(1)
    # Balance: λπ_n = d(n+1)π_{n+1}.
    for n in range(30):
        death = min(n + 1, agents) * mu + max(n + 1 - agents, 0) * theta
        assert lam * pi[n] == pytest.approx(death * pi[n + 1], rel=1e-9)
    figures = erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=agents,
                              target_s=20, patience_s=90)
    assert figures.abandon_rate is not None
    answered = math.fsum(pi[:agents]) + math.fsum(
        p * agents * mu / (agents * mu + (n - agents + 1) * theta)
        for n, p in enumerate(pi) if n >= agents)
    assert answered == pytest.approx(1 - figures.abandon_rate, rel=1e-9)
    # Carried load = mean busy agents.
    busy = math.fsum(min(n, agents) * p for n, p in enumerate(pi))
    assert figures.occupancy * agents == pytest.approx(busy, rel=1e-9)


def simulate(
    calls: float, interval_s: float, aht_s: float, agents: int, target_s: float,
    patience_s: float, customers: int, seed: int,
) -> dict[str, float]:
    """M/M/N+M, first come first served. Callers are taken in arrival order: a caller's
    answer time is the earliest time an agent is free of every earlier answered caller;
    it abandons if that is beyond its patience (later callers never delay earlier ones)."""
    rng = random.Random(seed)
    rate = calls / interval_s
    free_at = [0.0] * agents
    now = 0.0
    warm_up = customers // 20
    waited = answered = within = abandoned = 0
    total_answered_wait = 0.0
    for index in range(warm_up + customers):
        now += rng.expovariate(rate)
        patience = rng.expovariate(1 / patience_s)
        start = max(now, free_at[0])
        counted = index >= warm_up
        if start - now <= patience:
            heapq.heapreplace(free_at, start + rng.expovariate(1 / aht_s))
            if counted:
                answered += 1
                total_answered_wait += start - now
                within += start - now <= target_s
        elif counted:
            abandoned += 1
        if counted:
            waited += start > now
    return {
        "Pw": waited / customers,
        "service_level": within / customers,
        "abandon_rate": abandoned / customers,
        "asa_s": total_answered_wait / answered,
    }


@pytest.mark.parametrize(
    ("agents", "target_s", "patience_s"), [(10, 20, 120), (8, 30, 60), (12, 20, 300)])
def test_erlang_a_against_a_simulation(agents: int, target_s: float, patience_s: float) -> None:
    figures = erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=agents,
                              target_s=target_s, patience_s=patience_s)
    simulated = simulate(100, 1800, 180, agents, target_s, patience_s, 300_000, seed=17)
    assert figures.pw == pytest.approx(simulated["Pw"], abs=0.005)
    assert figures.service_level == pytest.approx(simulated["service_level"], abs=0.005)
    assert figures.abandon_rate == pytest.approx(simulated["abandon_rate"], abs=0.005)
    assert figures.asa_s == pytest.approx(simulated["asa_s"], rel=0.02)


def answered_within_by_uniformisation(
    position: int, served_rate: float, theta: float, target_s: float
) -> float:
    """P(answered within T) of a caller at `position`, from the tagged caller's own Markov
    chain (positions k..1, then answered or abandoned) by uniformisation: an independent
    check of the closed form (telescoping product and negative binomial)."""
    top_rate = served_rate + position * theta
    # probabilities of being at positions 1..position after i uniformised steps
    at = [0.0] * (position + 1)
    at[position] = 1.0
    answered_after = [0.0]  # P(answered within i steps)
    answered = 0.0
    for _ in range(4000):
        moved = [0.0] * (position + 1)
        for m in range(1, position + 1):
            p = at[m]
            if not p:
                continue
            forward = (served_rate + (m - 1) * theta) / top_rate
            stay = 1 - (served_rate + m * theta) / top_rate
            moved[m] += p * stay
            if m == 1:
                answered += p * forward
            else:
                moved[m - 1] += p * forward
        at = moved
        answered_after.append(answered)
    mean = top_rate * target_s
    total = 0.0
    log_weight = -mean
    for i, p in enumerate(answered_after):
        if i:
            log_weight += math.log(mean / i)
        total += math.exp(log_weight) * p
    return total


def test_erlang_a_service_level_by_an_independent_method() -> None:
    calls, interval_s, aht_s, agents, target_s, patience_s = 100, 1800, 180, 9, 20, 90
    lam, mu, theta = calls / interval_s, 1 / aht_s, 1 / patience_s
    pi = erlang._stationary(lam, mu, theta, agents)
    expected = math.fsum(pi[:agents]) + math.fsum(
        p * answered_within_by_uniformisation(n - agents + 1, agents * mu, theta, target_s)
        for n, p in enumerate(pi) if n >= agents and p > 1e-14)
    figures = erlang.staffing(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents,
                              target_s=target_s, patience_s=patience_s)
    assert figures.service_level == pytest.approx(expected, abs=1e-10)


def test_overloaded_with_long_patience() -> None:
    """N ≤ A and a patience of months: a long queue (about 280,000 states), still exact —
    agents always busy, the excess load abandons."""
    figures = erlang.staffing(calls=100, interval_s=1800, aht_s=180, agents=5, target_s=20,
                              patience_s=1e7)
    assert figures.pw == pytest.approx(1.0, abs=1e-12) and figures.pw <= 1.0
    assert figures.abandon_rate == pytest.approx(0.5, abs=1e-9)
    assert figures.occupancy == pytest.approx(1.0, abs=1e-9)
    assert figures.service_level == pytest.approx(0.0, abs=1e-9)
