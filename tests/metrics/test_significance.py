"""Period/segment comparisons, pinned against hand computations and scipy on raw data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from cxloop.core.errors import Invalid
from cxloop.metrics import significance as sig


def test_nps_drop_of_25_points_is_significant() -> None:
    # A: P=200 D=80 n=400 (NPS 30, Var 15.25); B: P=150 D=130 n=400 (NPS 5, Var 17.4375)
    # se = √32.6875 = 5.717298, z = -25/5.717298 = -4.3726; half = 1.959964·5.717298 = 11.2057
    c = sig.compare_nps((200, 80, 400), (150, 130, 400))
    assert c.delta == pytest.approx(-25.0)
    assert c.statistic == pytest.approx(-4.3726, abs=1e-4)
    assert c.p_value == pytest.approx(2 * scipy_stats.norm.sf(4.3726), rel=1e-3)
    assert c.significant is True
    assert c.direction == "down"
    assert (c.low, c.high) == pytest.approx((-36.2057, -13.7943), abs=1e-4)


def test_small_nps_change_is_flat() -> None:
    # B has 4 fewer promoters: ΔNPS = -1, far below 1.96 standard errors
    c = sig.compare_nps((200, 80, 400), (196, 80, 400))
    assert c.delta == pytest.approx(-1.0)
    assert c.significant is False
    assert c.direction == "flat"
    assert c.low is not None and c.high is not None
    assert c.low < 0 < c.high


def test_two_proportion_z_test_by_hand() -> None:
    # 80/100 → 90/100: pooled p̂ = 0.85, se = √(0.85·0.15·0.02) = 0.050498, z = 0.1/0.050498
    # = 1.98030, p = 0.04767; unpooled se = √(0.0016 + 0.0009) = 0.05 → Δ = 10 ± 9.79982
    c = sig.compare_proportions((80, 100), (90, 100))
    assert c.delta == pytest.approx(10.0)
    assert c.statistic == pytest.approx(1.98030, abs=1e-5)
    assert c.p_value == pytest.approx(0.04767, abs=1e-5)
    assert c.significant is True
    assert c.direction == "up"
    assert (c.low, c.high) == pytest.approx((0.20018, 19.79982), abs=1e-5)


def test_two_proportion_z_squared_is_the_uncorrected_chi_square() -> None:
    c = sig.compare_proportions((312, 520), (281, 430))
    table = np.array([[312, 520 - 312], [281, 430 - 281]])
    chi2, p_value, _, _ = scipy_stats.chi2_contingency(table, correction=False)
    assert c.statistic**2 == pytest.approx(chi2)
    assert c.p_value == pytest.approx(p_value)


def test_welch_t_test_from_sums_by_hand() -> None:
    # a = 1,2,3,4,5 (n 5, Σ 15, Σx² 55, s² 2.5); b = 3,4,5,5,5 (n 5, Σ 22, Σx² 100, s² 0.8)
    # Δ = 1.4, se² = 0.5 + 0.16 = 0.66, t = 1.4/0.812404 = 1.72328
    # df = 0.66² / (0.5²/4 + 0.16²/4) = 0.4356/0.0689 = 6.32221
    c = sig.compare_means((5, 15.0, 55.0), (5, 22.0, 100.0))
    assert c.delta == pytest.approx(1.4)
    assert c.statistic == pytest.approx(1.72328, abs=1e-5)
    assert c.df == pytest.approx(6.32221, abs=1e-5)
    assert c.significant is False
    assert c.direction == "flat"


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_welch_from_sums_matches_scipy_on_raw_arrays(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 6, size=int(rng.integers(20, 200))).astype(float)
    shift = seed % 2  # odd seeds: b is shifted up (a real difference); even seeds: same population
    b = np.clip(rng.integers(1, 6, size=int(rng.integers(20, 200))) + shift, 1, 5).astype(float)
    c = sig.compare_means(
        (a.size, float(a.sum()), float((a**2).sum())), (b.size, float(b.sum()), float((b**2).sum()))
    )
    ref = scipy_stats.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert c.statistic == pytest.approx(ref.statistic)
    assert c.p_value == pytest.approx(ref.pvalue)
    assert c.df == pytest.approx(ref.df)
    assert (c.low, c.high) == pytest.approx((ci.low, ci.high))
    assert c.significant is bool(ref.pvalue < 0.05)


def test_a_stricter_confidence_can_turn_a_result_flat() -> None:
    # p = 0.04767 above: significant at 95 %, not at 99 %
    assert sig.compare_proportions((80, 100), (90, 100), confidence=0.99).significant is False


@pytest.mark.parametrize(
    "compare",
    [
        lambda: sig.compare_nps((1, 0, 1), (0, 1, 1)),
        lambda: sig.compare_nps((50, 0, 50), (50, 0, 50)),
        lambda: sig.compare_nps((30, 0, 30), (0, 30, 30)),
        lambda: sig.compare_proportions((0, 40), (0, 60)),
        lambda: sig.compare_proportions((1, 1), (0, 5)),
        lambda: sig.compare_means((10, 40.0, 160.0), (12, 60.0, 300.0)),
        lambda: sig.compare_means((1, 4.0, 16.0), (3, 6.0, 14.0)),
        lambda: sig.compare_means((0, 0.0, 0.0), (3, 6.0, 14.0)),
    ],
)
def test_untestable_samples_are_flat_and_say_why(compare: object) -> None:
    assert callable(compare)
    c = compare()
    assert c.significant is False
    assert c.direction == "flat"
    assert c.p_value == 1.0
    assert c.reason


def test_constant_but_different_means_are_not_claimed_significant() -> None:
    # all 4s vs all 5s: zero variance both sides; the delta is still reported
    c = sig.compare_means((10, 40.0, 160.0), (12, 60.0, 300.0))
    assert c.delta == pytest.approx(1.0)
    assert c.reason == "no variance in either sample"


def test_bad_counts_are_rejected() -> None:
    with pytest.raises(Invalid, match="exceed n"):
        sig.compare_nps((60, 50, 100), (10, 10, 100))
    with pytest.raises(Invalid, match="negative"):
        sig.compare_proportions((-1, 10), (1, 10))
    with pytest.raises(Invalid, match="confidence"):
        sig.compare_proportions((1, 10), (1, 10), confidence=95)
