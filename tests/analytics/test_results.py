"""Vectorised metric results equal the one-group-at-a-time formulas of cxloop.metrics.stats."""

from __future__ import annotations

import random

from cxloop.analytics.results import result_columns
from cxloop.metrics import stats


def _groups(seed: int) -> list[tuple[int, int, int, float, float]]:
    rng = random.Random(seed)
    groups = [(0, 0, 0, 0.0, 0.0), (1, 1, 0, 9.0, 81.0), (2, 0, 2, 2.0, 2.0)]
    for _ in range(300):
        scores = [rng.randint(0, 10) for _ in range(rng.randint(1, 400))]
        good = sum(s >= 9 for s in scores)
        bad = sum(s <= 6 for s in scores)
        groups.append(
            (len(scores), good, bad, float(sum(scores)), float(sum(s * s for s in scores)))
        )
    return groups


def _columns(metric: str, groups: list[tuple[int, int, int, float, float]]) -> dict[str, list]:  # type: ignore[type-arg]
    n, good, bad, total, total_sq = (list(c) for c in zip(*groups, strict=True))
    return result_columns(metric, n, good, bad, total, total_sq, min_sample=30)


def test_nps_values_and_intervals_match_the_scalar_formula() -> None:
    groups = _groups(1)
    cols = _columns("nps", groups)
    for i, (n, good, bad, _total, _sq) in enumerate(groups):
        assert cols["insufficient"][i] == (n < 30)
        if n == 0:
            assert (cols["value"][i], cols["ci_low"][i], cols["ci_high"][i]) == (None, None, None)
            continue
        est = stats.nps_adjusted_wald(good, bad, n)
        assert cols["value"][i] == round(est.value, 2)
        assert (cols["ci_low"][i], cols["ci_high"][i]) == (round(est.low, 2), round(est.high, 2))  # type: ignore[arg-type]
        assert cols["mean"][i] is None


def test_share_and_mean_intervals_match_the_scalar_formulas() -> None:
    groups = _groups(2)
    cols = _columns("csat", groups)
    for i, (n, good, _bad, total, total_sq) in enumerate(groups):
        if n == 0:
            assert cols["value"][i] is None and cols["mean"][i] is None
            continue
        share = stats.wilson(good, n)
        mean = stats.mean_t(n, total, total_sq)
        assert cols["value"][i] == round(share.value, 2)
        assert cols["ci_low"][i] == round(share.low, 2)  # type: ignore[arg-type]
        assert cols["ci_high"][i] == round(share.high, 2)  # type: ignore[arg-type]
        assert cols["mean"][i] == round(mean.value, 3)
        if n < 2:
            assert cols["mean_ci_low"][i] is None and cols["mean_ci_high"][i] is None
        else:
            assert cols["mean_ci_low"][i] == round(mean.low, 3)  # type: ignore[arg-type]
            assert cols["mean_ci_high"][i] == round(mean.high, 3)  # type: ignore[arg-type]


def test_a_hand_computed_nps_group() -> None:
    # 10 answers: 5 promoters, 2 detractors → NPS 30; adjusted-Wald: n'=13, p'=5.75/13,
    # d'=2.75/13, centre 100·3/13 = 23.08, half 196·√((8.5/13 - (3/13)²)/13) = 42.13.
    cols = result_columns("nps", [10], [5], [2], [80.0], [700.0], min_sample=30)
    assert cols["value"] == [30.0]
    assert cols["ci_low"] == [-19.05] and cols["ci_high"] == [65.21]
    assert cols["insufficient"] == [True]
