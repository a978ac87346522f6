"""Key driver analysis, checked against an OLS fit and a brute-force Shapley computed here."""

from __future__ import annotations

import math
from itertools import permutations

import numpy as np
import numpy.typing as npt
import pytest

from cxloop.core.errors import Invalid
from cxloop.metrics.drivers import key_drivers

Array = npt.NDArray[np.float64]


def _ols_r2(x: Array, y: Array) -> float:
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return float(1 - residual @ residual / ((y - y.mean()) @ (y - y.mean())))


def _survey(n: int, effects: list[float], seed: int = 7) -> tuple[Array, Array]:
    """Correlated 1-5 ratings (a shared 'halo') and a 0-10 outcome driven by ``effects``."""
    rng = np.random.default_rng(seed)
    halo = rng.normal(0, 1, (n, 1))
    x = np.clip(np.rint(3 + halo + rng.normal(0, 1, (n, len(effects)))), 1, 5)
    y = np.clip(np.rint(2 + x @ np.array(effects) + rng.normal(0, 1.5, n)), 0, 10)
    return x, y


def test_relative_weights_and_lmg_each_add_up_to_the_ols_r2() -> None:
    x, y = _survey(600, [0.8, 0.4, 0.2, 0.1])
    result = key_drivers(x, y, ["staff", "speed", "price", "app"], bootstrap=0)
    r2 = _ols_r2(x, y)
    assert result.r2 == pytest.approx(r2)
    assert sum(d.weight for d in result.drivers) == pytest.approx(r2)
    assert sum(d.lmg for d in result.drivers) == pytest.approx(r2)
    assert sum(d.weight_pct for d in result.drivers) == pytest.approx(100.0)


@pytest.mark.parametrize("k", [3, 4])
def test_lmg_equals_shapley_averaged_over_every_ordering(k: int) -> None:
    x, y = _survey(300, [0.9, 0.5, 0.3, 0.2][:k], seed=k)
    names = [f"d{j}" for j in range(k)]
    expected = dict.fromkeys(names, 0.0)
    for order in permutations(range(k)):
        previous = 0.0
        for position in range(k):
            chosen = list(order[: position + 1])
            r2 = _ols_r2(x[:, chosen], y)
            expected[names[order[position]]] += (r2 - previous) / math.factorial(k)
            previous = r2
    result = key_drivers(x, y, names, bootstrap=0)
    for driver in result.drivers:
        assert driver.lmg == pytest.approx(expected[driver.name], abs=1e-10)


def test_a_dominant_driver_ranks_first_by_both_methods() -> None:
    x, y = _survey(800, [1.5, 0.2, 0.15, 0.1])
    result = key_drivers(x, y, ["staff", "speed", "price", "app"], bootstrap=50)
    by_weight = [d.name for d in result.drivers]
    by_lmg = [d.name for d in sorted(result.drivers, key=lambda d: d.lmg, reverse=True)]
    assert by_weight[0] == by_lmg[0] == "staff"
    top = result.drivers[0]
    assert top.weight_pct > 60 and top.lmg_pct > 60
    # the two methods agree closely on each share
    for d in result.drivers:
        assert d.weight_pct == pytest.approx(d.lmg_pct, abs=5)
    # the winner is clear: its interval lies above every other driver's interval
    assert top.weight_pct_low > max(d.weight_pct_high for d in result.drivers[1:])


@pytest.mark.parametrize("n", [400, 6000])  # exact row bootstrap / block bootstrap
def test_bootstrap_intervals_hold_the_estimate_and_shrink_with_n(n: int) -> None:
    x, y = _survey(n, [0.6, 0.4, 0.2])
    result = key_drivers(x, y, ["a", "b", "c"], bootstrap=200, seed=3)
    small = key_drivers(x[:100], y[:100], ["a", "b", "c"], bootstrap=200, seed=3)
    small_by_name = {d.name: d for d in small.drivers}
    for d in result.drivers:
        d_small = small_by_name[d.name]
        assert d.weight_pct_low <= d.weight_pct <= d.weight_pct_high
        assert d.lmg_pct_low <= d.lmg_pct <= d.lmg_pct_high
        assert (
            d.weight_pct_high - d.weight_pct_low < d_small.weight_pct_high - d_small.weight_pct_low
        )
    assert result.r2_low <= result.r2 <= result.r2_high
    # the same seed gives the same intervals
    again = key_drivers(x, y, ["a", "b", "c"], bootstrap=200, seed=3)
    assert again.drivers == result.drivers


def test_block_bootstrap_spread_matches_the_row_bootstrap() -> None:
    # n = 8000 uses blocks of 4 rows; the spread of R² should match a plain row bootstrap
    x, y = _survey(8000, [0.6, 0.4, 0.2], seed=11)
    result = key_drivers(x, y, ["a", "b", "c"], bootstrap=400, seed=1)
    rng = np.random.default_rng(2)
    r2s = []
    for _ in range(150):
        rows = rng.integers(0, len(y), len(y))
        r2s.append(_ols_r2(x[rows], y[rows]))
    low, high = np.percentile(r2s, [2.5, 97.5])
    assert result.r2_high - result.r2_low == pytest.approx(high - low, rel=0.3)


def test_performance_and_quadrants() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    low = rng.integers(1, 4, n).astype(float)  # ratings 1-3, mean 2
    high = rng.integers(3, 6, n).astype(float)  # ratings 3-5, mean 4
    x = np.column_stack([low, high, rng.integers(3, 6, n), rng.integers(1, 4, n)]).astype(float)
    y = x @ np.array([1.0, 1.0, 0.1, 0.1]) + rng.normal(0, 1, n)
    names = ["billing", "staff", "parking", "website"]
    result = key_drivers(x, y, names, scale=(1, 5), bootstrap=0)
    by_name = {d.name: d for d in result.drivers}
    assert by_name["billing"].quadrant == "fix now"  # important, performs badly
    assert by_name["staff"].quadrant == "keep"  # important, performs well
    assert by_name["parking"].quadrant == "maintain"  # minor, performs well
    assert by_name["website"].quadrant == "monitor"  # minor, performs badly
    assert by_name["staff"].mean == pytest.approx(high.mean())
    assert by_name["staff"].top2_pct == pytest.approx(100 * (high >= 4).mean())
    assert result.importance_split == 25.0
    assert result.performance_split == pytest.approx(x.mean(axis=0).mean())


def test_rows_with_a_missing_value_are_dropped_and_counted() -> None:
    x, y = _survey(200, [0.6, 0.3])
    x[:10, 0] = np.nan
    y[10:15] = np.nan
    result = key_drivers(x, y, ["a", "b"], bootstrap=0)
    assert (result.n, result.n_dropped) == (185, 15)
    assert result.r2 == pytest.approx(_ols_r2(x[15:], y[15:]))


def test_bad_input_is_rejected_with_a_clear_message() -> None:
    x, y = _survey(100, [0.5, 0.3, 0.2])
    with pytest.raises(Invalid, match=r"at least 30 complete rows.*got 29"):
        key_drivers(x[:29], y[:29], ["a", "b", "c"])
    many = np.random.default_rng(0).normal(size=(39, 8))
    with pytest.raises(Invalid, match="at least 40 complete rows for 8 drivers"):
        key_drivers(many, y[:39], [f"d{j}" for j in range(8)])
    wide = np.random.default_rng(0).normal(size=(200, 13))
    with pytest.raises(Invalid, match="1 to 12 drivers"):
        key_drivers(wide, wide[:, 0], [f"d{j}" for j in range(13)])
    flat = x.copy()
    flat[:, 1] = 4
    with pytest.raises(Invalid, match=r"without variance.*: b"):
        key_drivers(flat, y, ["a", "b", "c"])
    twin = np.column_stack([x, x[:, 0] + x[:, 1]])
    with pytest.raises(Invalid, match=r"collinear.*a, b, a_plus_b"):
        key_drivers(twin, y, ["a", "b", "c", "a_plus_b"])
    with pytest.raises(Invalid, match="distinct names"):
        key_drivers(x, y, ["a", "a", "c"])
    with pytest.raises(Invalid, match="outcome has no variance"):
        key_drivers(x, np.full(100, 7.0), ["a", "b", "c"])
