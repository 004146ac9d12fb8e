"""Confidence intervals for comparing two groups of conversations (pilots): pure functions on
numbers, no database. Every interval is at 95 %; "significant" means it excludes zero.

Choices, and why:
- Durations (first response, resolution) are compared by the difference of their MEDIANS with a
  percentile bootstrap. Durations are heavily skewed (most answers in minutes, a few after a
  weekend), so a mean is led by the outliers and Welch's t on raw seconds is unreliable; Welch
  on logarithms would compare geometric means, which no report shows. The reports show
  medians, so the pilot page compares medians, and the bootstrap needs no assumption about the
  shape of the distribution. The seed is fixed: the same data gives the same interval on every
  page load and in tests.
- Rates (first-contact resolution, repeat contact, abandon, CSAT as a share of 4 and 5) are
  compared by Newcombe's hybrid score interval (method 10 of Newcombe 1998), built from the
  two Wilson intervals: unlike the textbook Wald interval it stays inside [-1, 1] and keeps
  its coverage for small counts and rates near 0 or 1.
- Scores (CES, and NPS as the mean of +1 promoter / 0 passive / -1 detractor) are compared by
  the difference of means with Welch's interval (unequal variances): scores are bounded, so
  the mean is well behaved and the t interval is the standard one.
- Volumes are compared as a ratio of two Poisson counts over the same length of time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The 97.5th percentile of the standard normal distribution (two-sided 95 %).
Z_95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20_261_207


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Difference:
    """An estimate (group A minus group B, or their ratio for volumes) and its 95 % interval."""

    estimate: float
    low: float
    high: float
    # What "no difference" is on this scale: 0 for differences, 1 for ratios.
    null: float = 0.0

    @property
    def is_significant(self) -> bool:
        return self.low > self.null or self.high < self.null


def wilson_interval(successes: int, total: int, z: float = Z_95) -> Interval:
    """Wilson's score interval for a proportion successes/total."""
    if total <= 0:
        raise ValueError("a proportion needs at least one observation")
    if not 0 <= successes <= total:
        raise ValueError("successes must be between 0 and the total")
    p = successes / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    # At 0/n and n/n the bound is exactly 0 or 1; the arithmetic leaves 1e-16 off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return Interval(low, high)


def proportion_difference(
    successes_a: int, total_a: int, successes_b: int, total_b: int
) -> Difference:
    """p_a - p_b with Newcombe's hybrid score interval (method 10)."""
    p_a, p_b = successes_a / total_a, successes_b / total_b
    a, b = wilson_interval(successes_a, total_a), wilson_interval(successes_b, total_b)
    d = p_a - p_b
    return Difference(
        estimate=d,
        low=d - math.sqrt((p_a - a.low) ** 2 + (b.high - p_b) ** 2),
        high=d + math.sqrt((a.high - p_a) ** 2 + (p_b - b.low) ** 2),
    )


def t_quantile_975(degrees_of_freedom: float) -> float:
    """The 97.5th percentile of Student's t, by the Cornish-Fisher expansion around the normal
    one (Abramowitz and Stegun 26.7.5): within 0.002 of the tables from 3 degrees of freedom,
    which the minimum sample size guarantees; numpy has no t distribution and scipy is not a
    dependency."""
    if degrees_of_freedom <= 0:
        raise ValueError("degrees of freedom must be positive")
    z, v = Z_95, degrees_of_freedom
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def mean_difference(a: Sequence[float], b: Sequence[float]) -> Difference:
    """mean(a) - mean(b) with Welch's interval (Welch-Satterthwaite degrees of freedom)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("a mean difference needs at least two values on each side")
    d = float(x.mean() - y.mean())
    var_x, var_y = float(x.var(ddof=1)) / len(x), float(y.var(ddof=1)) / len(y)
    se2 = var_x + var_y
    if se2 == 0:
        # Every answer the same on both sides: no spread to measure, the difference is exact.
        return Difference(d, d, d)
    df = se2**2 / (var_x**2 / (len(x) - 1) + var_y**2 / (len(y) - 1))
    half = t_quantile_975(df) * math.sqrt(se2)
    return Difference(d, d - half, d + half)


def _bootstrap_medians(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """BOOTSTRAP_RESAMPLES medians of resamples (with replacement) of `values`, drawn without
    building the resamples: a resample's k-th smallest index is floor(n * U(k)), U(k) the k-th
    smallest of n uniforms, which follows Beta(k, n - k + 1); the next one up is
    U(k) + (1 - U(k)) * Beta(1, n - k). Same distribution as resampling, at O(n log n) instead
    of O(resamples * n), so a "rest" of 200,000 conversations costs milliseconds."""
    ordered = np.sort(values)
    n = len(ordered)
    k = (n + 1) // 2
    lower = rng.beta(k, n - k + 1, BOOTSTRAP_RESAMPLES)
    lower_values = ordered[np.minimum((lower * n).astype(np.int64), n - 1)]
    if n % 2:
        return lower_values
    upper = lower + (1 - lower) * rng.beta(1, n - k, BOOTSTRAP_RESAMPLES)
    upper_values = ordered[np.minimum((upper * n).astype(np.int64), n - 1)]
    return (lower_values + upper_values) / 2


def median_difference(a: Sequence[float], b: Sequence[float]) -> Difference:
    """median(a) - median(b) with a 95 % percentile bootstrap interval (fixed seed)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("a median difference needs at least two values on each side")
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    differences = _bootstrap_medians(x, rng) - _bootstrap_medians(y, rng)
    low, high = np.percentile(differences, [2.5, 97.5])
    return Difference(float(np.median(x) - np.median(y)), float(low), float(high))


def rate_ratio(count_a: int, count_b: int) -> Difference:
    """count_a / count_b, two Poisson counts over equal lengths of time, with the interval of
    the log ratio (sqrt(1/a + 1/b)); both counts must be positive."""
    if count_a <= 0 or count_b <= 0:
        raise ValueError("a rate ratio needs a positive count on each side")
    ratio = count_a / count_b
    half = Z_95 * math.sqrt(1 / count_a + 1 / count_b)
    return Difference(ratio, ratio * math.exp(-half), ratio * math.exp(half), null=1.0)
