"""The metric formulas, pinned against numbers worked out by hand (see the comments)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cxloop.core.errors import Invalid
from cxloop.metrics import stats


def test_nps_is_promoters_minus_detractors_in_points() -> None:
    assert stats.nps(50, 20, 100) == pytest.approx(30.0)
    assert stats.nps(0, 7, 7) == pytest.approx(-100.0)
    with pytest.raises(ValueError):
        stats.nps(0, 0, 0)


def test_plain_wald_margin_is_7_7_points_for_p50_d20_n400() -> None:
    # Var = 100² · [(0.5 + 0.2) - (0.5 - 0.2)²] / 400 = 10000 · 0.61 / 400 = 15.25
    # margin = 1.96 · √15.25 = 1.96 · 3.9051 = 7.654 → ±7.7 points around NPS 30
    est = stats.nps_wald(200, 80, 400)
    assert est.value == pytest.approx(30.0)
    assert est.high is not None and est.low is not None
    assert (est.high - est.value) == pytest.approx(7.654, abs=0.001)
    assert round(est.value - est.low, 1) == 7.7


def test_adjusted_wald_centres_on_the_adjusted_estimate() -> None:
    # P=50, D=20, n=100 → n'=103, p'=50.75/103=0.492718, d'=20.75/103=0.201456
    # centre = 100·(p'-d') = 29.126; Var' = 100²·[(0.694175) - (0.291262)²]/103 = 59.160
    # half = 1.96·√59.160 = 15.075 → [14.051, 44.202]; the value stays the plain NPS 30
    est = stats.nps_adjusted_wald(50, 20, 100)
    assert est.value == pytest.approx(30.0)
    assert est.low == pytest.approx(14.051, abs=0.001)
    assert est.high == pytest.approx(44.202, abs=0.001)


def test_adjusted_wald_is_clipped_to_plus_minus_100() -> None:
    # P=3, D=0, n=3 → n'=6, p'=0.625, d'=0.125: centre 50, half 56.58 → [-6.58, 106.58] → 100
    est = stats.nps_adjusted_wald(3, 0, 3)
    assert est.value == pytest.approx(100.0)
    assert est.low == pytest.approx(-6.580, abs=0.001)
    assert est.high == 100.0
    low_end = stats.nps_adjusted_wald(0, 3, 3)
    assert low_end.low == -100.0


def test_two_nps_differ_when_the_z_score_passes_1_96() -> None:
    # A: P=200 D=80 n=400 (NPS 30, Var 15.25); B: P=150 D=130 n=400 (NPS 5)
    # Var_B = 10000·[(0.375+0.325) - 0.05²]/400 = 10000·0.6975/400 = 17.4375
    # z = -25 / √(15.25 + 17.4375) = -25 / 5.7174 = -4.3726
    delta, z = stats.nps_differs((200, 80, 400), (150, 130, 400))
    assert delta == pytest.approx(-25.0)
    assert z == pytest.approx(-4.3726, abs=0.0001)
    _, small = stats.nps_differs((200, 80, 400), (196, 80, 400))
    assert abs(small) < 1.96


def test_wilson_interval_for_80_of_100() -> None:
    # p=0.8, z²=3.8416: centre = (0.8 + 0.019208)/1.038416 = 0.788918
    # half = 1.96·√(0.0016 + 0.00009604)/1.038416 = 0.077733 → [71.12 %, 86.67 %]
    est = stats.wilson(80, 100)
    assert est.value == pytest.approx(80.0)
    assert est.low == pytest.approx(71.12, abs=0.01)
    assert est.high == pytest.approx(86.67, abs=0.01)


def test_wilson_stays_inside_0_and_100() -> None:
    # 0 of 10: centre = 0.192080/1.38416 = 0.138770, half = 1.96·√0.0096040/1.38416 = 0.138770
    est = stats.wilson(0, 10)
    assert est.value == 0.0
    assert est.low == pytest.approx(0.0, abs=1e-9)
    assert est.high == pytest.approx(27.75, abs=0.01)


def test_mean_with_t_interval_from_sums() -> None:
    # scores 1,2,3,4,5: n=5, Σx=15, Σx²=55 → mean 3, s² = (55 - 45)/4 = 2.5
    # se = √(2.5/5) = 0.707107; t(0.975, 4) = 2.776445 → ±1.963243 → [1.0368, 4.9632]
    est = stats.mean_t(5, 15.0, 55.0)
    assert est.value == pytest.approx(3.0)
    assert est.low == pytest.approx(1.0368, abs=0.0001)
    assert est.high == pytest.approx(4.9632, abs=0.0001)


def test_mean_of_one_answer_has_no_interval() -> None:
    est = stats.mean_t(1, 4.0, 16.0)
    assert (est.value, est.low, est.high) == (4.0, None, None)


def test_not_enough_responses_below_the_minimum_sample() -> None:
    assert stats.insufficient(29) is True
    assert stats.insufficient(30) is False
    assert stats.insufficient(9, min_sample=10) is True
    assert stats.insufficient(10, min_sample=10) is False


def test_margin_of_error_for_a_share_is_4_9_points_at_p50_n400() -> None:
    # 100 · 1.96 · √(0.5·0.5/400) = 100 · 1.96 · 0.025 = 4.90 points
    assert stats.margin_of_error(0.5, 400) == pytest.approx(4.9, abs=1e-9)
    # a quarter of the sample doubles the margin: n=100 → 100·1.96·0.05 = 9.8
    assert stats.margin_of_error(0.5, 100) == pytest.approx(9.8, abs=1e-9)


def test_nps_margin_of_error_is_7_7_points_at_p50_d20_n400() -> None:
    # 1.96 · √(100²·[(0.5+0.2) - 0.3²]/400) = 1.96 · √15.25 = 7.654 → ±7.7 points
    margin = stats.nps_margin_of_error(0.5, 0.2, 400)
    assert margin == pytest.approx(7.654, abs=0.001)
    assert round(margin, 1) == 7.7
    # the same number as the half-width of the Wald interval for P=200, D=80, n=400
    est = stats.nps_wald(200, 80, 400)
    assert est.high is not None
    assert margin == pytest.approx(est.high - est.value)


def test_wald_share_interval_and_clipping() -> None:
    # 80 of 100: 80 ± 100·1.96·√(0.16/100) = 80 ± 7.84 → [72.16, 87.84]
    est = stats.wald(80, 100)
    assert (est.value, est.low, est.high) == pytest.approx((80.0, 72.16, 87.84))
    # 1 of 10: 10 ± 100·1.96·√(0.09/10) = 10 ± 18.59 → clipped at 0
    assert stats.wald(1, 10).low == 0.0


def test_sample_size_inverts_the_margin() -> None:
    # (196)²·0.25 / 4.9² = 9604 / 24.01 = 400 exactly; for ±5 points: 9604/25 = 384.16 → 385
    assert stats.sample_size(4.9) == 400
    assert stats.sample_size(5.0) == 385
    # NPS: 1.96²·10000·0.61/7.7² = 23434.6/59.29 = 395.24 → 396, whose margin is <= 7.7
    n = stats.nps_sample_size(7.7, 0.5, 0.2)
    assert n == 396
    assert (
        stats.nps_margin_of_error(0.5, 0.2, n) <= 7.7 < stats.nps_margin_of_error(0.5, 0.2, n - 1)
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.margin_of_error(1.5, 100), "between 0 and 1"),
        (lambda: stats.margin_of_error(0.5, 0), "at least 1"),
        (lambda: stats.nps_margin_of_error(0.7, 0.4, 100), "cannot exceed 1"),
        (lambda: stats.sample_size(0), "greater than 0"),
        (lambda: stats.wald(1, 0), "at least one answer"),
    ],
)
def test_planning_helpers_reject_bad_input_clearly(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        call()
