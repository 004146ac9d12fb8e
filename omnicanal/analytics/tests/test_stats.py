"""The intervals pilots rely on, against textbook values computed by hand or published."""

from __future__ import annotations

import numpy as np
import pytest

from omnicanal.analytics import stats


class TestWilsonInterval:
    def test_eight_out_of_ten(self) -> None:
        # Newcombe (1998) and any calculator: 8/10 -> 0.4902 to 0.9433.
        interval = stats.wilson_interval(8, 10)
        assert interval.low == pytest.approx(0.4902, abs=1e-4)
        assert interval.high == pytest.approx(0.9433, abs=1e-4)

    def test_it_stays_inside_zero_and_one_at_the_edges(self) -> None:
        none, every = stats.wilson_interval(0, 10), stats.wilson_interval(10, 10)
        assert none.low == 0.0 and none.high == pytest.approx(0.2775, abs=1e-4)
        assert every.high == 1.0 and every.low == pytest.approx(0.7225, abs=1e-4)

    def test_it_refuses_an_empty_sample(self) -> None:
        with pytest.raises(ValueError):
            stats.wilson_interval(0, 0)


class TestProportionDifference:
    def test_newcombes_worked_example(self) -> None:
        # Newcombe (1998), Statistics in Medicine 17:873, example (a), method 10:
        # 56/70 - 48/80 = 0.2000, 95 % interval 0.0524 to 0.3339.
        difference = stats.proportion_difference(56, 70, 48, 80)
        assert difference.estimate == pytest.approx(0.2)
        assert difference.low == pytest.approx(0.0524, abs=1e-4)
        assert difference.high == pytest.approx(0.3339, abs=1e-4)
        assert difference.is_significant

    def test_equal_rates_are_not_significant(self) -> None:
        difference = stats.proportion_difference(5, 10, 50, 100)
        assert difference.estimate == 0
        assert difference.low < 0 < difference.high
        assert not difference.is_significant


class TestMeanDifference:
    def test_welch_by_hand(self) -> None:
        # a: mean 3, variance 2.5; b: mean 4.5, variance 3.5. Standard error
        # sqrt(2.5/5 + 3.5/6) = 1.0408; Welch's df = 8.99, t(0.975) = 2.2622;
        # -1.5 +/- 2.3549 (R's t.test gives -3.8549 to 0.8549).
        difference = stats.mean_difference([1, 2, 3, 4, 5], [2, 3, 4, 5, 6, 7])
        assert difference.estimate == pytest.approx(-1.5)
        assert difference.low == pytest.approx(-3.8549, abs=1e-3)
        assert difference.high == pytest.approx(0.8549, abs=1e-3)
        assert not difference.is_significant

    def test_identical_answers_give_an_exact_difference(self) -> None:
        difference = stats.mean_difference([5, 5, 5], [4, 4, 4, 4])
        assert (difference.low, difference.estimate, difference.high) == (1, 1, 1)
        assert difference.is_significant

    @pytest.mark.parametrize(("df", "table"), [
        (3, 3.182), (4, 2.776), (5, 2.571), (10, 2.228), (30, 2.042), (1000, 1.962),
    ])
    def test_t_quantiles_match_the_tables(self, df: int, table: float) -> None:
        assert stats.t_quantile_975(df) == pytest.approx(table, abs=0.005)


class TestMedianDifference:
    def test_the_estimate_is_the_difference_of_medians(self) -> None:
        difference = stats.median_difference([10, 20, 30, 40], [1, 2, 3])
        assert difference.estimate == 25 - 2

    def test_the_same_data_gives_the_same_interval(self) -> None:
        rng = np.random.default_rng(1)
        a, b = rng.lognormal(5, 1, 60).tolist(), rng.lognormal(5, 1, 80).tolist()
        assert stats.median_difference(a, b) == stats.median_difference(a, b)

    def test_a_clear_shift_is_significant_and_covered(self) -> None:
        rng = np.random.default_rng(2)
        base = rng.uniform(100, 200, 200)
        difference = stats.median_difference((base - 60).tolist(), base.tolist())
        assert difference.estimate == pytest.approx(-60)
        assert difference.low < -60 < difference.high
        assert difference.is_significant

    def test_two_samples_of_one_distribution_are_not_significant(self) -> None:
        rng = np.random.default_rng(3)
        a, b = rng.lognormal(5, 1, 100).tolist(), rng.lognormal(5, 1, 100).tolist()
        assert not stats.median_difference(a, b).is_significant

    def test_the_shortcut_draws_the_same_medians_as_resampling(self) -> None:
        # The bootstrap draws medians through order statistics instead of building resamples;
        # both must give the same distribution (quartiles within sampling noise).
        rng = np.random.default_rng(4)
        for size in (9, 10):
            values = rng.lognormal(3, 1, size)
            resampled = np.median(values[rng.integers(0, size, (20_000, size))], axis=1)
            drawn = stats._bootstrap_medians(values, np.random.default_rng(5))
            for q in (10, 25, 50, 75, 90):
                assert np.percentile(drawn, q) == pytest.approx(
                    np.percentile(resampled, q), rel=0.1
                )


class TestRateRatio:
    def test_by_hand(self) -> None:
        # 120 against 100: ratio 1.2, log interval +/- 1.96 * sqrt(1/120 + 1/100) = 0.2654.
        ratio = stats.rate_ratio(120, 100)
        assert ratio.estimate == pytest.approx(1.2)
        assert ratio.low == pytest.approx(1.2 * np.exp(-0.26540), rel=1e-4)
        assert ratio.high == pytest.approx(1.2 * np.exp(0.26540), rel=1e-4)
        assert not ratio.is_significant
        assert stats.rate_ratio(200, 100).is_significant
