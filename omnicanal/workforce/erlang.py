"""Staffing mathematics: Erlang C (M/M/N) and Erlang A (M/M/N+M), pure functions on floats.

Inputs of an interval: `calls` offered in `interval_s` seconds, mean handling time `aht_s`,
`agents` N, service-level threshold `target_s` T and, for Erlang A, the callers' mean patience
`patience_s` P. Arrival rate λ = calls/interval, service rate μ = 1/AHT, offered load
A = λ/μ = calls·AHT/interval erlangs. Fractional calls, interval, AHT, T and P are accepted;
N is an integer.

Erlang C (no `patience_s`; the `staffing` contract, issue 17 item 6)
--------------------------------------------------------------------
Erlang B by the recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)) (every step is a ratio
of positive numbers, stable for thousands of agents and erlangs), then for N > A
    Pw = C(N, A) = N·B / (N - A·(1 - B)),
    service_level = 1 - Pw·exp(-(N - A)·T/AHT),  asa_s = Pw·AHT/(N - A),  occupancy = A/N,
    abandon_rate = None.
When N ≤ A the queue grows without bound: every caller waits (Pw = 1.0, the limit of C(N, A)
as N ↓ A), service_level = 0, asa_s = None; occupancy stays A/N as the contract writes it
(above 1 it says how overloaded the agents are).

Erlang A (with `patience_s`)
----------------------------
Each waiting caller abandons at rate θ = 1/P (exponential patience, mean P). The number of
callers in the system is a birth-death chain with birth rate λ and death rate
d(n) = min(n, N)·μ + max(n - N, 0)·θ, stable for every N ≥ 1 (even N ≤ A). Its stationary
law π_n ∝ ∏_{k=1..n} λ/d(k) is summed in log space (log-sum-exp, no overflow) and truncated
where the rest is negligible: d is non-decreasing, so once r = λ/d(n+1) < 1 the tail after n
is at most π_n·r/(1 - r), and the sum stops when that bound falls below 1e-17 of the total.

By PASTA an arriving caller sees π. Figures, all as fractions of OFFERED calls:
* Pw = P(wait > 0) = P(all N agents busy on arrival) = Σ_{n≥N} π_n.
* abandon_rate = θ·E[queue length]/λ, E[queue length] = Σ_{n>N} (n - N)·π_n (abandonments
  per second over arrivals per second).
* service_level = P(the call is answered, and within T) — abandoned calls count as not
  answered, whenever they abandon (the Mandelbaum-Zeltyn "P(W ≤ T, Sr)" figure).
  A caller finding n ≥ N takes queue position k = n - N + 1. While at position m, it leaves
  that position at rate Nμ + mθ (Nμ: an agent frees up and the head of the line is answered;
  (m - 1)θ: someone ahead abandons; θ: the caller itself abandons). For exponential competing
  clocks the holding time and which clock rang are independent, so
      P(answered | k) = ∏_{m=1..k} (Nμ + (m - 1)θ)/(Nμ + mθ) = Nμ/(Nμ + kθ),
      P(answered within T | k) = Nμ/(Nμ + kθ) · P(S_k ≤ T),
  with S_k a sum of independent exponentials of rates Nμ + θ, …, Nμ + kθ. Its Laplace
  transform ∏ (m + a)/(m + a + s/θ), a = Nμ/θ, is a ratio of Beta functions; substituting
  x = e^{-θt} gives P(S_k ≤ T) = I_y(k, b), the regularised incomplete Beta function with
  y = 1 - e^{-θT}, b = 1 + Nμ/θ, i.e. P(S_k > T) = P(NegBin(b, y) ≤ k - 1)
      = Σ_{j=0..k-1} t_j,  t_0 = (1 - y)^b = e^{-(Nμ+θ)T},  t_j = t_{j-1}·y·(j + b - 1)/j,
  a sum of positive terms, kept in log space. As P → ∞ the negative binomial tends to a
  Poisson(NμT) law and every figure tends to Erlang C's. So
      service_level = Σ_{n<N} π_n + Σ_{k≥1} π_{N+k-1}·Nμ/(Nμ + kθ)·(1 - P(S_k > T)).
  With T = 0 it is 1 - Pw, as in Erlang C.
* asa_s = the average speed of answer, i.e. the mean wait of ANSWERED calls (calls that
  abandon are not answered and have no speed of answer; Mandelbaum-Zeltyn's E[W | Sr]):
      E[wait·1{answered} | k] = Nμ/(Nμ + kθ) · Σ_{m=1..k} 1/(Nμ + mθ),
      asa_s = Σ_k π_{N+k-1}·E[wait·1{answered} | k] / P(answered),  P(answered) =
      1 - abandon_rate.
  (The mean wait of all offered calls, abandoners included, is E[queue length]/λ by Little.)
* occupancy = carried load / N = λ·(1 - abandon_rate)·AHT/N.

Both models are checked against third-party reference cases and a discrete-event simulation
in `omnicanal/workforce/tests/`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Relative size of the neglected tail of the birth-death chain.
TAIL_TOLERANCE = 1e-17
# More states than this means inputs no interval of a contact centre has (P in years).
MAX_STATES = 20_000_000
# The agents search gives up beyond this many agents.
MAX_AGENTS = 10_000_000


@dataclass(frozen=True)
class Staffing:
    """The figures of the `staffing` contract, in its units (fractions, seconds)."""

    erlangs: float
    agents: int
    pw: float
    service_level: float
    asa_s: float | None
    occupancy: float
    abandon_rate: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "erlangs": self.erlangs,
            "agents": self.agents,
            "Pw": self.pw,
            "service_level": self.service_level,
            "asa_s": self.asa_s,
            "occupancy": self.occupancy,
            "abandon_rate": self.abandon_rate,
        }


def offered_load(calls: float, interval_s: float, aht_s: float) -> float:
    """A = calls * AHT / interval, in erlangs."""
    return calls * aht_s / interval_s


def erlang_b(agents: int, erlangs: float) -> float:
    """Blocking probability B(N, A) by the stable recursion."""
    b = 1.0
    for n in range(1, agents + 1):
        b = erlangs * b / (n + erlangs * b)
    return b


def _c_from_b(agents: int, erlangs: float, b: float) -> float:
    if agents <= erlangs:
        return 1.0
    return agents * b / (agents - erlangs * (1.0 - b))


def erlang_c(agents: int, erlangs: float) -> float:
    """P(wait > 0) in M/M/N: C(N, A); 1.0 when N ≤ A (every caller waits)."""
    if agents <= erlangs:
        return 1.0
    return _c_from_b(agents, erlangs, erlang_b(agents, erlangs))


def _erlang_c_figures(
    agents: int, erlangs: float, pw: float, aht_s: float, target_s: float
) -> Staffing:
    if agents <= erlangs:
        return Staffing(erlangs, agents, 1.0, 0.0, None, erlangs / agents, None)
    margin = agents - erlangs
    return Staffing(
        erlangs=erlangs,
        agents=agents,
        pw=pw,
        service_level=1.0 - pw * math.exp(-margin * target_s / aht_s),
        asa_s=pw * aht_s / margin,
        occupancy=erlangs / agents,
        abandon_rate=None,
    )


def erlang_c_staffing(
    calls: float, interval_s: float, aht_s: float, agents: int, target_s: float
) -> Staffing:
    erlangs = offered_load(calls, interval_s, aht_s)
    return _erlang_c_figures(agents, erlangs, erlang_c(agents, erlangs), aht_s, target_s)


def erlang_c_agents(
    calls: float, interval_s: float, aht_s: float, target_sl: float, target_s: float
) -> Staffing:
    """The smallest N > A whose Erlang C service level reaches `target_sl`."""
    erlangs = offered_load(calls, interval_s, aht_s)
    agents = math.floor(erlangs) + 1
    b = erlang_b(agents, erlangs)
    while True:
        figures = _erlang_c_figures(
            agents, erlangs, _c_from_b(agents, erlangs, b), aht_s, target_s
        )
        if figures.service_level >= target_sl:
            return figures
        if agents >= MAX_AGENTS:
            raise ValueError(f"no staffing up to {MAX_AGENTS} agents reaches {target_sl}")
        agents += 1
        b = erlangs * b / (agents + erlangs * b)


def _log_add(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if a >= b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


def _stationary(lam: float, mu: float, theta: float, agents: int) -> list[float]:
    """π_0..π_M of the M/M/N+M birth-death chain, truncated where the tail is negligible."""
    log_weights = [0.0]
    log_total = 0.0
    log_tol = math.log(TAIL_TOLERANCE)
    n = 0
    while True:
        death = min(n + 1, agents) * mu + max(n + 1 - agents, 0) * theta
        ratio = lam / death
        if ratio < 1.0:
            tail_bound = log_weights[n] + math.log(ratio) - math.log1p(-ratio)
            if tail_bound < log_total + log_tol:
                break
        if n >= MAX_STATES:
            raise ValueError("the queue is too long to compute (patience far too long)")
        log_weights.append(log_weights[n] + math.log(ratio))
        n += 1
        log_total = _log_add(log_total, log_weights[n])
    # Normalised once, exactly summed: the running total only decides where to stop.
    top = max(log_weights)
    weights = [math.exp(w - top) for w in log_weights]
    total = math.fsum(weights)
    return [w / total for w in weights]


def erlang_a_staffing(
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    target_s: float,
    patience_s: float,
) -> Staffing:
    """Erlang A (M/M/N+M) figures; see the module's docstring for their definitions."""
    erlangs = offered_load(calls, interval_s, aht_s)
    if calls == 0:
        return Staffing(erlangs, agents, 0.0, 1.0, 0.0, 0.0, 0.0)
    lam = calls / interval_s
    mu = 1.0 / aht_s
    theta = 1.0 / patience_s
    pi = _stationary(lam, mu, theta, agents)
    served_rate = agents * mu

    immediate = math.fsum(pi[:agents])
    queue_states = pi[agents:]
    pw = min(1.0, math.fsum(queue_states))
    queue_length = math.fsum(j * p for j, p in enumerate(queue_states))
    abandon_rate = theta * queue_length / lam

    # Exit-by-answer probabilities, wait of answered calls and the negative binomial's CDF,
    # position by position (k = j + 1).
    answered_terms: list[float] = []
    wait_terms: list[float] = []
    within_terms: list[float] = []
    harmonic = 0.0
    if target_s > 0:
        log_y = math.log(-math.expm1(-theta * target_s))
        b_shape = 1.0 + served_rate / theta
        log_t = -(served_rate + theta) * target_s
        late = 0.0  # P(S_k > T) = Σ_{j<k} t_j
    for j, p in enumerate(queue_states):
        k = j + 1
        rate = served_rate + k * theta
        answer = served_rate / rate
        harmonic += 1.0 / rate
        answered_terms.append(p * answer)
        wait_terms.append(p * answer * harmonic)
        if target_s > 0:
            if j > 0:
                log_t += log_y + math.log((j + b_shape - 1.0) / j)
            late += math.exp(log_t)
            within_terms.append(p * answer * max(0.0, 1.0 - late))
    answered = immediate + math.fsum(answered_terms)
    service_level = immediate + math.fsum(within_terms)
    return Staffing(
        erlangs=erlangs,
        agents=agents,
        pw=pw,
        service_level=min(1.0, service_level),
        asa_s=math.fsum(wait_terms) / answered if answered > 0 else None,
        occupancy=lam * (1.0 - abandon_rate) * aht_s / agents,
        abandon_rate=abandon_rate,
    )


def erlang_a_agents(
    calls: float,
    interval_s: float,
    aht_s: float,
    target_sl: float,
    target_s: float,
    patience_s: float,
) -> Staffing:
    """The smallest N ≥ 1 whose Erlang A service level reaches `target_sl`.

    The service level grows with N. The search starts from Erlang C's answer (close to Erlang
    A's), gallops down or up to bracket the answer, then bisects: few evaluations, and none
    far below A, where long patience makes the queue (and the computation) long."""

    def figures(n: int) -> Staffing:
        return erlang_a_staffing(calls, interval_s, aht_s, n, target_s, patience_s)

    guess = erlang_c_agents(calls, interval_s, aht_s, target_sl, target_s).agents
    trial = figures(guess)
    step = 1
    if trial.service_level >= target_sl:
        high, best = guess, trial
        low = 0  # fails by convention
        while high > 1:
            candidate = max(high - step, 1)
            trial = figures(candidate)
            if trial.service_level < target_sl:
                low = candidate
                break
            high, best = candidate, trial
            step *= 2
    else:
        low = guess
        while True:
            if low >= MAX_AGENTS:
                raise ValueError(f"no staffing up to {MAX_AGENTS} agents reaches {target_sl}")
            candidate = min(low + step, MAX_AGENTS)
            trial = figures(candidate)
            if trial.service_level >= target_sl:
                high, best = candidate, trial
                break
            low = candidate
            step *= 2
    while high - low > 1:
        middle = (low + high) // 2
        trial = figures(middle)
        if trial.service_level >= target_sl:
            high, best = middle, trial
        else:
            low = middle
    return best


def staffing(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    target_s: float,
    agents: int | None = None,
    target_sl: float | None = None,
    patience_s: float | None = None,
) -> Staffing:
    """The `staffing` contract: figures for `agents`, or the agents needed for `target_sl`;
    Erlang A when `patience_s` is given, else Erlang C."""
    if (agents is None) == (target_sl is None):
        raise ValueError("give either agents or target_sl")
    if patience_s is None:
        if agents is not None:
            return erlang_c_staffing(calls, interval_s, aht_s, agents, target_s)
        assert target_sl is not None
        return erlang_c_agents(calls, interval_s, aht_s, target_sl, target_s)
    if agents is not None:
        return erlang_a_staffing(calls, interval_s, aht_s, agents, target_s, patience_s)
    assert target_sl is not None
    return erlang_a_agents(calls, interval_s, aht_s, target_sl, target_s, patience_s)
